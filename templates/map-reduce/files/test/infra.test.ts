import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { MAP_LABEL, TRANSIENT_ERRORS } from '../infra/constructs/word-count-job.js';
import type { MapReduceStack } from '../infra/stacks/map-reduce-stack.js';
import { MAPPER_TIMEOUT_SECONDS, REDUCER_TIMEOUT_SECONDS } from '../src/lib/settings.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function build(options: Partial<Options> = {}): { stack: MapReduceStack; template: Template } {
  const test = testApp({ bundle: false });
  apps.push(test);
  const stack = buildApp(test.app, options);
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The definition with every reference written <LogicalId>. */
function definitionOf(template: Template): Record<string, any> {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const flatten = (value: any): string =>
    typeof value === 'string' ? value : value['Fn::Join'] ? value['Fn::Join'][1].map(flatten).join('') : value['Fn::GetAtt'] ? `<${value['Fn::GetAtt'][0]}>` : value.Ref ? `<${value.Ref}>` : '?';
  return JSON.parse(flatten(machine!.Properties.DefinitionString));
}

/** Every statement of the policies attached to a role. */
function statementsOf(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actions = (s: Statement) => [s.Action].flat();
const id = (stack: MapReduceStack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const objects = (bucketId: string, pattern: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${pattern}`]] });

const variants: Array<[string, Partial<Options>]> = [
  ['sprout.json (input/, 100 at once, 0% tolerated, express children)', {}],
  ['whole bucket, 10,000 at once, 5% tolerated, standard children', { inputPrefix: '', maxConcurrency: 10_000, toleratedFailurePercentage: 5, childExecutionType: 'standard' }],
  ['a nested prefix, 1 at a time, 100% tolerated', { inputPrefix: 'corpus/2026/', maxConcurrency: 1, toleratedFailurePercentage: 100 }],
];

describe.each(variants)('%s', (_, overrides) => {
  const options: Options = { inputPrefix: 'input/', maxConcurrency: 100, toleratedFailurePercentage: 0, childExecutionType: 'express', ...overrides };
  const { stack, template } = build(overrides);
  const definition = definitionOf(template);
  const map = definition.States.MapObjects;
  const input = id(stack, stack.job.input);
  const results = id(stack, stack.job.results);
  const mapper = id(stack, stack.job.mapper.function);
  const reducer = id(stack, stack.job.reducer.function);

  it('is a Standard workflow whose Distributed Map lists the input prefix, runs the chosen child type and writes its results to S3', () => {
    expect(definition.StartAt).toBe('MapObjects');
    expect(map).toMatchObject({
      Type: 'Map',
      Label: MAP_LABEL,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: options.childExecutionType.toUpperCase() } },
      ItemReader: { Resource: 'arn:<AWS::Partition>:states:::s3:listObjectsV2', Parameters: { Bucket: `<${input}>`, ...(options.inputPrefix ? { Prefix: options.inputPrefix } : {}) } },
      ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'eTag.$': '$$.Map.Item.Value.Etag', 'size.$': '$$.Map.Item.Value.Size' },
      MaxConcurrency: options.maxConcurrency,
      ResultWriter: { Resource: 'arn:<AWS::Partition>:states:::s3:putObject', Parameters: { Bucket: `<${results}>`, Prefix: 'map-runs' } },
      Next: 'Reduce',
    });
    if (!options.inputPrefix) expect(map.ItemReader.Parameters).not.toHaveProperty('Prefix');
    // 0 is the ASL default, and CDK leaves it out.
    if (options.toleratedFailurePercentage) expect(map.ToleratedFailurePercentage).toBe(options.toleratedFailurePercentage);
    else expect(map).not.toHaveProperty('ToleratedFailurePercentage');
    // The Reduce task reads the result writer's manifest, and nothing else of the map's output.
    expect(map).not.toHaveProperty('ResultPath');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }] },
    });
  });

  it('invokes the mapper per item and the reducer once, each by its ARN, retrying only transient errors', () => {
    const count = map.ItemProcessor.States.CountWords;
    expect(count).toMatchObject({ Type: 'Task', Resource: `<${mapper}>`, TimeoutSeconds: MAPPER_TIMEOUT_SECONDS + 30, End: true });
    expect(count).not.toHaveProperty('Parameters');
    expect(count.Retry).toEqual([{ ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }]);
    // Four attempts of a minute plus the waits fit the 5 minutes of an Express child.
    expect(4 * MAPPER_TIMEOUT_SECONDS + 2 + 4 + 8).toBeLessThan(300);
    expect(definition.States.Reduce).toMatchObject({
      Type: 'Task',
      Resource: `<${reducer}>`,
      TimeoutSeconds: REDUCER_TIMEOUT_SECONDS + 60,
      Parameters: { 'manifest.$': '$.ResultWriterDetails', 'mapRunArn.$': '$.MapRunArn', 'job.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' },
      End: true,
    });
    expect(map.Retry).toEqual([{ ErrorEquals: ['States.ItemReaderFailed'], IntervalSeconds: 10, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' }]);
  });

  it('lets the state machine list only the input prefix, write only under map-runs/, and start only its own child executions', () => {
    const roleId = id(stack, stack.job.stateMachine.role as never);
    const statements = statementsOf(template, roleId);
    const s3Statements = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(2);
    expect(s3Statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [input, 'Arn'] },
        ...(options.inputPrefix ? { Condition: { StringLike: { 's3:prefix': `${options.inputPrefix}*` } } } : {}),
      },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], Resource: objects(results, 'map-runs/*') },
    ].map((statement) => expect.objectContaining(statement)).reverse());
    const invoke = statements.filter((s) => actions(s).includes('lambda:InvokeFunction'));
    const invoked = JSON.stringify(invoke.map((s) => s.Resource));
    expect([...new Set([...invoked.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)].map((m) => m[1]))].sort()).toEqual([mapper, reducer].sort());
    const start = statements.find((s) => actions(s).includes('states:StartExecution'));
    expect(start?.Resource).toEqual({ Ref: id(stack, stack.job.stateMachine) });
    const others = statements.flatMap(actions).filter((a) => !/^(s3:|lambda:InvokeFunction$|states:(StartExecution|DescribeExecution|StopExecution|RedriveExecution)$|logs:|xray:)/.test(a));
    expect(others).toEqual([]);
  });

  it('grants each function exactly the S3 keys it uses', () => {
    const s3Of = (fn: { role: never }) => statementsOf(template, id(stack, fn.role as never)).filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3Of(stack.job.mapper as never)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(input, `${options.inputPrefix}*`) },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: [{ 'Fn::GetAtt': [input, 'Arn'] }, { 'Fn::GetAtt': [results, 'Arn'] }] },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects(results, 'partials/*') },
    ]);
    expect(s3Of(stack.job.reducer as never)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: [objects(results, 'map-runs/*'), objects(results, 'partials/*')] },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects(results, 'output/*') },
    ]);
  });

  it('has no asynchronous consumer without a failure destination (Step Functions invokes both functions synchronously)', () => {
    expect(asyncConsumerProblems(template)).toEqual([]);
    expect(template.findResources('AWS::Lambda::EventSourceMapping')).toEqual({});
  });

  it('passes the functions their buckets and prefix', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INPUT_BUCKET: { Ref: input }, INPUT_PREFIX: options.inputPrefix, RESULTS_BUCKET: { Ref: results } }) },
    });
  });
});

describe('functions, buckets and outputs', () => {
  const { stack, template } = build();
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const fn = (f: { function: { node: { defaultChild?: unknown } } }) => resources[id(stack, f.function)]!.Properties;

  it('run on Node.js 24, arm64, with X-Ray; the mapper on one vCPU for a minute, the reducer for 15 minutes', () => {
    expect(fn(stack.job.mapper)).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 1769, Timeout: 60 });
    expect(fn(stack.job.reducer)).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 2048, Timeout: 900 });
  });

  it('only the reducer reads the feature flags', () => {
    expect(Object.keys(fn(stack.job.reducer).Environment.Variables)).toEqual(expect.arrayContaining(['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']));
    expect(Object.keys(fn(stack.job.mapper).Environment.Variables).filter((k) => k.startsWith('SPROUT_FLAGS'))).toEqual([]);
  });

  it('keeps the data buckets private, encrypted, TLS-only, logged and retained; expires map-run files and partials after 30 days', () => {
    for (const bucket of [stack.job.input, stack.job.results]) {
      const resource = resources[id(stack, bucket)]!;
      expect(resource).toMatchObject({ DeletionPolicy: 'Retain', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: id(stack, stack.job.accessLogs) } } } });
    }
    expect(resources[id(stack, stack.job.results)]!.Properties.LifecycleConfiguration.Rules).toEqual([
      { Prefix: 'map-runs/', ExpirationInDays: 30, Status: 'Enabled' },
      { Prefix: 'partials/', ExpirationInDays: 30, Status: 'Enabled' },
      { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
    template.resourcePropertiesCountIs('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } }, 3);
  });

  it('outputs the state machine, the buckets and the flag store', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.anyValue() } });
    template.hasOutput('InputBucketName', { Value: { Ref: id(stack, stack.job.input) } });
    template.hasOutput('ResultsBucketName', { Value: { Ref: id(stack, stack.job.results) } });
    for (const key of ['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) template.hasOutput(key, {});
  });
});
