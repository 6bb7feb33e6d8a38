import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { ASYNC_TIMEOUT_SECONDS, KINESIS_RETRY_ATTEMPTS, MAX_RECEIVE_COUNT, STREAM_TIMEOUT_SECONDS } from '../infra/constructs/execution-models.js';
import { INTEGRATION_TIMEOUT_SECONDS } from '../infra/constructs/models-api.js';
import { ExecutionModelsStack } from '../infra/stacks/execution-models-stack.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// biome-ignore lint: assertions read arbitrary CloudFormation
type Resource = { Type: string; Properties: Record<string, any> };

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function synth(options: Record<string, unknown> = {}): Template {
  const test = testApp({ bundle: false });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  return Template.fromStack(new ExecutionModelsStack(test.app, config.stackName, { config }));
}

const sqsVariant = synth();
const kinesisVariant = synth({ streamSource: 'kinesis' });

const one = (template: Template, type: string, prefix: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  expect(found, `${type} ${prefix}*`).toHaveLength(1);
  return found[0]!;
};
const fn = (template: Template, name: 'Sync' | 'Async' | 'Stream') => one(template, 'AWS::Lambda::Function', `${name}Function`);
const ref = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Every statement of the policies attached to a role, as [sorted actions, resources]. */
function statements(template: Template, rolePrefix: string) {
  const [roleId] = one(template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .map((s: { Action: string | string[]; Resource: unknown }) => [[s.Action].flat().sort(), s.Resource]);
}
const actionsOf = (template: Template, rolePrefix: string) => statements(template, rolePrefix).flatMap(([actions]) => actions as string[]);

describe('every asynchronous consumer is sound', () => {
  it.each([
    ['sqs', sqsVariant],
    ['kinesis', kinesisVariant],
  ])('%s stream source: DLQ or on-failure destination, finite retries, partial batch failures, 6x visibility', (_, template) => {
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it('would flag a queue whose visibility timeout is shorter than 6x its consumer timeout', () => {
    const json = structuredClone(sqsVariant.toJSON());
    const [queueId] = one(sqsVariant, 'AWS::SQS::Queue', 'StreamQueue');
    json.Resources[queueId].Properties.VisibilityTimeout = 5 * STREAM_TIMEOUT_SECONDS;
    expect(asyncConsumerProblems(Template.fromJSON(json))).toEqual([expect.stringMatching(/visibility timeout of 300 s, under 6 × the function timeout \(60 s\)/)]);
  });
});

describe('the functions', () => {
  it('run on Node.js 24 on arm64 with X-Ray, each with its own timeout', () => {
    for (const [name, timeout] of [['Sync', 10], ['Async', ASYNC_TIMEOUT_SECONDS], ['Stream', STREAM_TIMEOUT_SECONDS]] as const) {
      expect(fn(sqsVariant, name)[1].Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: timeout, TracingConfig: { Mode: 'Active' } });
    }
  });

  it('give the synchronous function the syncTimeoutSeconds option, up to 900 s, while API Gateway still waits 29 s', () => {
    const template = synth({ syncTimeoutSeconds: 900 });
    expect(fn(template, 'Sync')[1].Properties.Timeout).toBe(900);
    const [syncFnId] = fn(template, 'Sync');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', TimeoutInMillis: INTEGRATION_TIMEOUT_SECONDS * 1000 }),
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    const proxy = methods.filter((m) => m.Properties.Integration?.Type === 'AWS_PROXY');
    expect(proxy).toHaveLength(1);
    expect(JSON.stringify(proxy[0]!.Properties.Integration.Uri)).toContain(syncFnId);
  });
});

describe('asynchronous model: EventInvokeConfig', () => {
  it('retries and ages events as the options say, with SQS on-success and on-failure destinations', () => {
    const [onSuccess] = one(sqsVariant, 'AWS::SQS::Queue', 'AsyncOnSuccess');
    const [onFailure] = one(sqsVariant, 'AWS::SQS::Queue', 'AsyncOnFailure');
    const [asyncFnId] = fn(sqsVariant, 'Async');
    sqsVariant.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: asyncFnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnSuccess: { Destination: ref(onSuccess) }, OnFailure: { Destination: ref(onFailure) } },
    });
    sqsVariant.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it('follows asyncRetryAttempts and asyncMaxEventAgeSeconds', () => {
    synth({ asyncRetryAttempts: 0, asyncMaxEventAgeSeconds: 60 }).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('is triggered by POST /async: a Lambda non-proxy integration with X-Amz-Invocation-Type Event, answering 202', () => {
    const [asyncFnId] = fn(sqsVariant, 'Async');
    const methods = Object.values(sqsVariant.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    const asyncMethod = methods.find((m) => JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(asyncFnId));
    expect(asyncMethod?.Properties.Integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      RequestParameters: { 'integration.request.header.X-Amz-Invocation-Type': "'Event'" },
      PassthroughBehavior: 'NEVER',
      IntegrationResponses: [{ StatusCode: '202', ResponseTemplates: { 'application/json': expect.stringContaining('"status":"QUEUED"') } }],
    });
    expect(asyncMethod?.Properties.Integration.RequestTemplates['application/json']).toMatch(/\$job$/);
    expect(JSON.stringify(asyncMethod?.Properties.Integration.Uri)).toContain(':lambda:path/2015-03-31/functions/');
  });

  it('may write only to its two destination queues (and its idempotency table)', () => {
    const [onSuccess] = one(sqsVariant, 'AWS::SQS::Queue', 'AsyncOnSuccess');
    const [onFailure] = one(sqsVariant, 'AWS::SQS::Queue', 'AsyncOnFailure');
    const [table] = one(sqsVariant, 'AWS::DynamoDB::Table', 'Idempotency');
    expect(statements(sqsVariant, 'AsyncFunctionRole')).toContainEqual([['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], [ref(onFailure), ref(onSuccess)]]);
    expect(statements(sqsVariant, 'AsyncFunctionRole')).toContainEqual([['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ref(table)]);
  });
});

describe('stream-based model, SQS', () => {
  it('polls a queue with a 6x visibility timeout and a dead-letter queue after 5 receives, reporting batch item failures', () => {
    const [deadLetters] = one(sqsVariant, 'AWS::SQS::Queue', 'StreamDeadLetters');
    const [queueId, queue] = one(sqsVariant, 'AWS::SQS::Queue', 'StreamQueue');
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: 6 * STREAM_TIMEOUT_SECONDS,
      RedrivePolicy: { deadLetterTargetArn: ref(deadLetters), maxReceiveCount: MAX_RECEIVE_COUNT },
      SqsManagedSseEnabled: true,
    });
    sqsVariant.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: ref(queueId),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    sqsVariant.resourceCountIs('AWS::Kinesis::Stream', 0);
  });

  it('is fed by POST /stream: SendMessage signed by a role that may only send to that queue', () => {
    const [queueId] = one(sqsVariant, 'AWS::SQS::Queue', 'StreamQueue');
    const writer = statements(sqsVariant, 'ApiStreamWriterRole');
    expect(writer).toEqual([[expect.arrayContaining(['sqs:SendMessage']), ref(queueId)]]);
    expect((writer[0]![0] as string[]).every((action) => action.startsWith('sqs:Send') || action.startsWith('sqs:GetQueue'))).toBe(true);
    const methods = Object.values(sqsVariant.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    const stream = methods.find((m) => JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(':sqs:path/'));
    expect(stream?.Properties.Integration.RequestTemplates['application/json']).toMatch(/Action=SendMessage&MessageBody=\$util\.urlEncode\(\$job\)$/);
    expect(stream?.Properties.Integration.IntegrationResponses).toEqual([
      expect.objectContaining({ StatusCode: '202' }),
      expect.objectContaining({ StatusCode: '502', SelectionPattern: '[45]\\d{2}' }),
    ]);
  });

  it('keeps the stream consumer away from the destination queues of the asynchronous model', () => {
    expect(actionsOf(sqsVariant, 'StreamFunctionRole')).not.toContain('sqs:SendMessage');
    expect(actionsOf(sqsVariant, 'SyncFunctionRole').filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:') && !a.startsWith('appconfig:'))).toEqual([]);
  });
});

describe('stream-based model, Kinesis', () => {
  it('reads an encrypted one-shard stream with bisect, finite retries, a maximum record age and an on-failure queue', () => {
    const [streamId, stream] = one(kinesisVariant, 'AWS::Kinesis::Stream', 'JobStream');
    expect(stream.Properties).toMatchObject({ ShardCount: 1, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
    const [failures] = one(kinesisVariant, 'AWS::SQS::Queue', 'StreamFailures');
    kinesisVariant.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: ref(streamId),
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: KINESIS_RETRY_ATTEMPTS,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: ref(failures) } },
    });
    expect(statements(kinesisVariant, 'StreamFunctionRole')).toContainEqual([['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], ref(failures)]);
  });

  it('is fed by POST /stream: PutRecord signed by a role that may only put records on that stream', () => {
    const [streamId] = one(kinesisVariant, 'AWS::Kinesis::Stream', 'JobStream');
    expect(statements(kinesisVariant, 'ApiStreamWriterRole')).toEqual([[['kinesis:PutRecord'], ref(streamId)]]);
    const methods = Object.values(kinesisVariant.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    const put = methods.find((m) => JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(':kinesis:action/PutRecord'));
    expect(put?.Properties.Integration.RequestParameters).toEqual({ 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" });
    expect(JSON.stringify(put?.Properties.Integration.RequestTemplates)).toContain('$util.base64Encode($job)');
    kinesisVariant.resourceCountIs('AWS::SQS::Queue', 3);
  });
});

describe('the API', () => {
  it('validates every body against the JobInput model before anything runs', () => {
    sqsVariant.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'JobInput',
      Schema: Match.objectLike({ additionalProperties: false, properties: { fail: { type: 'boolean' }, sleepSeconds: { type: 'number', minimum: 0, maximum: 900 }, message: { type: 'string', maxLength: 1000 } } }),
    });
    const methods = Object.values(sqsVariant.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['POST', 'POST', 'POST']);
    for (const method of methods) expect(method.Properties.RequestValidatorId).toBeDefined();
  });

  it('answers a timed-out integration with a 504 that says API Gateway stopped waiting, not that the function stopped', () => {
    sqsVariant.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INTEGRATION_TIMEOUT',
      StatusCode: '504',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('stopped waiting after 29 s; the function may still be running') },
    });
  });

  it('throttles the stage low: every request can keep a function busy up to its timeout', () => {
    sqsVariant.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })]),
    });
  });
});

describe('feature flags', () => {
  it('let all three functions read the one flag configuration, and nothing else of AppConfig', () => {
    for (const name of ['Sync', 'Async', 'Stream'] as const) {
      expect(Object.keys(fn(sqsVariant, name)[1].Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']),
      );
      expect(actionsOf(sqsVariant, `${name}FunctionRole`).filter((a) => a.startsWith('appconfig:'))).toEqual(['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession']);
    }
    for (const key of ['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) sqsVariant.hasOutput(key, {});
  });
});
