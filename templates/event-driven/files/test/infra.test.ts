import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { EventDrivenStack } from '../infra/stacks/event-driven-stack.js';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS } from '../src/lib/settings.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(options: Record<string, unknown> = {}, { bundle = false } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  return Template.fromStack(new EventDrivenStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  // Bundled once, as cdk synth does: the handler must build with the local esbuild.
  template = synth({}, { bundle: true });
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const byPrefix = (t: Template, type: string, prefix: string): [string, Resource] => {
  const matches = Object.entries(t.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};

/** An intrinsic as one readable string: references written <Ref> and <LogicalId.Attribute>, ids without their hash. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, any>;
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
  const unhashed = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  if (intrinsic['Fn::GetAtt']) return `<${unhashed(intrinsic['Fn::GetAtt'][0])}.${intrinsic['Fn::GetAtt'][1]}>`;
  if (intrinsic.Ref) return `<${unhashed(intrinsic.Ref)}>`;
  return JSON.stringify(node);
}

/** Every statement of the processing function's role, resources flattened, one action per entry. */
function processorStatements(t: Template): string[] {
  const [roleId] = byPrefix(t, 'AWS::IAM::Role', 'ProcessUploadRole');
  return Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((s: { Action: string | string[]; Effect: string; Resource: unknown }) =>
      [s.Action].flat().flatMap((action) => [s.Resource].flat().map((resource) => `${s.Effect} ${action} ${flatten(resource)}`)),
    )
    .sort();
}

const VARIANTS: Array<[string, Record<string, unknown>]> = [
  ['the defaults', {}],
  ['no prefix and no suffix', { inputPrefix: '', inputSuffix: '' }],
  ['no retries and the shortest event age', { retryAttempts: 0, maxEventAgeSeconds: 60 }],
  ['a prefix only', { inputPrefix: 'devices/eu/', inputSuffix: '' }],
];

describe('asynchronous consumers', () => {
  it.each(VARIANTS)('every one has a place for failed events, finite retries and sound timeouts (%s)', (_, options) => {
    expect(asyncConsumerProblems(Object.keys(options).length ? synth(options) : template)).toEqual([]);
  });

  it('retries as sprout.json says, then sends the event to the encrypted failed-events queue', () => {
    const [, config] = byPrefix(template, 'AWS::Lambda::EventInvokeConfig', 'ProcessUploadFunctionEventInvokeConfig');
    expect(config.Properties).toEqual({
      FunctionName: { Ref: expect.stringMatching(/^ProcessUploadFunction/) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: sprout.options.retryAttempts,
      MaximumEventAgeInSeconds: sprout.options.maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^FailedEvents/), 'Arn'] } } },
    });
    const [, queue] = byPrefix(template, 'AWS::SQS::Queue', 'FailedEvents');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('alarms as soon as one event lands in the failed-events queue', () => {
    const [, alarm] = byPrefix(template, 'AWS::CloudWatch::Alarm', 'FailedEventsAlarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^FailedEvents/), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('takes other retry and age settings from sprout.json without code changes', () => {
    const custom = synth({ retryAttempts: 0, maxEventAgeSeconds: 60 });
    custom.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });
});

describe('the S3 notification', () => {
  it('invokes the function for objects created under the prefix with the suffix, and nothing else', () => {
    const [inputId] = byPrefix(template, 'AWS::S3::Bucket', 'Input');
    const [, notifications] = byPrefix(template, 'Custom::S3BucketNotifications', 'InputNotifications');
    expect(notifications.Properties.BucketName).toEqual({ Ref: inputId });
    expect(notifications.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: expect.arrayContaining([{ Name: 'prefix', Value: 'incoming/' }, { Name: 'suffix', Value: '.jsonl' }]) } },
          LambdaFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProcessUploadFunction/), 'Arn'] },
        },
      ],
    });
    expect(notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations[0].Filter.Key.FilterRules).toHaveLength(2);
  });

  it('lets only the input bucket of this account invoke the function', () => {
    const [inputId] = byPrefix(template, 'AWS::S3::Bucket', 'Input');
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>);
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [expect.stringMatching(/^ProcessUploadFunction/), 'Arn'] },
        Principal: 's3.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::GetAtt': [inputId, 'Arn'] },
      },
    ]);
  });

  it('uses exactly the filters sprout.json gives (none for an empty prefix and suffix)', () => {
    const rules = (t: Template) => byPrefix(t, 'Custom::S3BucketNotifications', 'InputNotifications')[1].Properties.NotificationConfiguration.LambdaFunctionConfigurations[0].Filter;
    expect(rules(synth({ inputPrefix: '', inputSuffix: '' }))).toBeUndefined();
    expect(rules(synth({ inputPrefix: 'devices/eu/', inputSuffix: '' }))).toEqual({ Key: { FilterRules: [{ Name: 'prefix', Value: 'devices/eu/' }] } });
  });
});

describe('the processing function', () => {
  it('runs on Node.js 24, arm64, traced, with the memory and timeout the size limit was chosen for, and no reserved concurrency', () => {
    const [, fn] = byPrefix(template, 'AWS::Lambda::Function', 'ProcessUploadFunction');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: FUNCTION_MEMORY_MB,
      Timeout: FUNCTION_TIMEOUT_SECONDS,
      LoggingConfig: { LogGroup: expect.anything() },
    });
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    const [outputId] = byPrefix(template, 'AWS::S3::Bucket', 'Output');
    expect(fn.Properties.Environment.Variables).toMatchObject({ OUTPUT_BUCKET: { Ref: outputId }, INPUT_PREFIX: 'incoming/', INPUT_SUFFIX: '.jsonl' });
  });

  it('may read only the keys that trigger it, write only the result prefixes, and send only to its failed-events queue', () => {
    expect(processorStatements(template)).toEqual(
      [
        'Allow logs:CreateLogStream <ProcessUploadLogs.Arn>',
        'Allow logs:PutLogEvents <ProcessUploadLogs.Arn>',
        'Allow xray:PutTelemetryRecords *',
        'Allow xray:PutTraceSegments *',
        'Allow s3:GetObject <Input.Arn>/incoming/*.jsonl',
        'Allow s3:ListBucket <Input.Arn>',
        'Allow s3:PutObject <Output.Arn>/readings/*',
        'Allow s3:PutObject <Output.Arn>/summaries/*',
        'Allow s3:GetObject <Output.Arn>/summaries/*',
        'Allow s3:ListBucket <Output.Arn>',
        'Allow sqs:SendMessage <FailedEvents.Arn>',
        'Allow appconfig:GetLatestConfiguration arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
        'Allow appconfig:StartConfigurationSession arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
      ].sort(),
    );
  });

  it('reads the whole input bucket only when the prefix and suffix are empty', () => {
    expect(processorStatements(synth({ inputPrefix: '', inputSuffix: '' }))).toContain('Allow s3:GetObject <Input.Arn>/*');
    expect(processorStatements(synth({ inputPrefix: 'devices/eu/', inputSuffix: '.ndjson' }))).toContain('Allow s3:GetObject <Input.Arn>/devices/eu/*.ndjson');
  });

  it('knows where the flags are', () => {
    const [, fn] = byPrefix(template, 'AWS::Lambda::Function', 'ProcessUploadFunction');
    const variables = fn.Properties.Environment.Variables;
    expect(Object.fromEntries(['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'].map((k) => [k, flatten(variables[k])]))).toEqual({
      SPROUT_FLAGS_APPLICATION: '<FlagsApplication.ApplicationId>',
      SPROUT_FLAGS_ENVIRONMENT: '<FlagsEnvironment.EnvironmentId>',
      SPROUT_FLAGS_PROFILE: '<FlagsProfile.ConfigurationProfileId>',
    });
  });
});

describe('buckets', () => {
  it('keeps input, output and access logs in three private, encrypted, TLS-only buckets that outlive the stack', () => {
    const buckets = template.findResources('AWS::S3::Bucket') as Record<string, Resource>;
    expect(Object.keys(buckets).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['AccessLogs', 'Input', 'Output']);
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.DeletionPolicy, id).toBe('Retain');
      expect(bucket.Properties, id).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('logs access to the input and output buckets', () => {
    const [logsId] = byPrefix(template, 'AWS::S3::Bucket', 'AccessLogs');
    expect(byPrefix(template, 'AWS::S3::Bucket', 'Input')[1].Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'input/' });
    expect(byPrefix(template, 'AWS::S3::Bucket', 'Output')[1].Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'output/' });
  });
});

describe('outputs', () => {
  it('names what a user needs to try it', () => {
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['InputBucketName', 'OutputBucketName', 'FailedEventsQueueUrl', 'FunctionName', 'FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']),
    );
  });
});
