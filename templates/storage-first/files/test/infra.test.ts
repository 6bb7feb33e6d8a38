import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialFlags } from '../src/lib/flags.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { cleanUpApps, flatten, type Resource, resource, sprout, synth } from './helpers/stack.js';
import { asyncConsumerProblems } from './sprout/async.js';

let sqsStack: Template;
let kinesisStack: Template;
beforeAll(() => {
  // The default, bundled once as `cdk synth` does; the variants only need the tree.
  sqsStack = synth({}, { bundle: true });
  kinesisStack = synth({ buffer: 'kinesis' });
});
afterAll(cleanUpApps);

/** Every statement of the policies attached to one role. */
function statementsOf(template: Template, rolePrefix: string): Array<{ Action: string | string[]; Resource: unknown }> {
  const [roleId] = resource(template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
const readable = (statements: Array<{ Action: string | string[]; Resource: unknown }>) =>
  statements.map((s) => ({ Action: [s.Action].flat().sort(), Resource: [s.Resource].flat().map(flatten) }));

describe('every asynchronous consumer has somewhere for failures to go, finite retries and enough visibility timeout', () => {
  it.each<[string, Record<string, unknown>]>([
    ['sqs (default)', {}],
    ['kinesis', { buffer: 'kinesis' }],
    ['sqs, 100 per batch, 20 s window, 120 s timeout', { batchSize: 100, maxBatchingWindowSeconds: 20, consumerTimeoutSeconds: 120 }],
    ['kinesis, 500 per batch, 900 s timeout, 10 deliveries', { buffer: 'kinesis', batchSize: 500, consumerTimeoutSeconds: 900, maxReceiveCount: 10 }],
  ])('%s', (_, options) => {
    expect(asyncConsumerProblems(synth(options))).toEqual([]);
  });
});

describe('SQS buffer (default)', () => {
  it('has a queue with a visibility timeout of 6 × the consumer timeout + the batching window, and a redrive policy', () => {
    const [, queue] = resource(sqsStack, 'AWS::SQS::Queue', 'BufferQueue');
    const [, fn] = resource(sqsStack, 'AWS::Lambda::Function', 'ProcessOrdersFunction');
    expect(fn.Properties.Timeout).toBe(sprout.options.consumerTimeoutSeconds);
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: 6 * sprout.options.consumerTimeoutSeconds + sprout.options.maxBatchingWindowSeconds,
      MessageRetentionPeriod: 4 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: sprout.options.maxReceiveCount },
    });
    expect(flatten(queue.Properties.RedrivePolicy.deadLetterTargetArn)).toBe('<BufferDeadLetterQueue.Arn>');
    const [, dlq] = resource(sqsStack, 'AWS::SQS::Queue', 'BufferDeadLetterQueue');
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('refuses plain-HTTP access to both queues', () => {
    const policies = Object.values(sqsStack.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('feeds the consumer in batches with partial batch failure reporting', () => {
    sqsStack.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    sqsStack.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: sprout.options.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BufferQueue'), 'Arn'] },
    });
  });

  it('lets API Gateway send messages to that queue and do nothing else', () => {
    expect(readable(statementsOf(sqsStack, 'ApiIntegrationRole'))).toEqual([{ Action: ['sqs:SendMessage'], Resource: ['<BufferQueue.Arn>'] }]);
    const [, role] = resource(sqsStack, 'AWS::IAM::Role', 'ApiIntegrationRole');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('has no Kinesis stream', () => {
    sqsStack.resourceCountIs('AWS::Kinesis::Stream', 0);
    sqsStack.resourceCountIs('AWS::SQS::Queue', 2);
  });
});

describe('Kinesis buffer (buffer: kinesis)', () => {
  it('has an encrypted on-demand stream and a failures queue instead of the queues', () => {
    kinesisStack.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 24,
    });
    kinesisStack.resourceCountIs('AWS::SQS::Queue', 1);
    resource(kinesisStack, 'AWS::SQS::Queue', 'BufferFailures');
  });

  it('bisects failing batches, retries maxReceiveCount − 1 times from the oldest record, then records the batch in the failures queue', () => {
    kinesisStack.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: sprout.options.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: sprout.options.maxReceiveCount - 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BufferFailures'), 'Arn'] } } },
    });
  });

  it('lets API Gateway put records into that stream and do nothing else', () => {
    expect(readable(statementsOf(kinesisStack, 'ApiIntegrationRole'))).toEqual([{ Action: ['kinesis:PutRecord'], Resource: ['<BufferStream.Arn>'] }]);
  });

  it('lets the consumer send to the failures queue (Lambda sends as the function) and read the stream', () => {
    const statements = readable(statementsOf(kinesisStack, 'ProcessOrdersRole'));
    expect(statements).toContainEqual({ Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: ['<BufferFailures.Arn>'] });
    expect(statements.find((s) => s.Action.includes('kinesis:GetRecords'))?.Resource).toEqual(['<BufferStream.Arn>']);
  });

  it('uses the process-stream handler', () => {
    const [, fn] = resource(kinesisStack, 'AWS::Lambda::Function', 'ProcessOrdersFunction');
    expect(fn.Properties.Description).toMatch(/stream/);
  });
});

describe('the consumer', () => {
  it('runs on Node.js 24, arm64, with active tracing, its own log group and the tables it writes', () => {
    const [, fn] = resource(sqsStack, 'AWS::Lambda::Function', 'ProcessOrdersFunction');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogGroup: expect.anything() } });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      ORDERS_TABLE_NAME: { Ref: expect.stringMatching(/^StoreOrders/) },
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/^StoreIdempotency/) },
    });
  });

  it('may write orders, manage its idempotency records and read its flags: nothing else beyond the queue and its logs', () => {
    const statements = readable(statementsOf(sqsStack, 'ProcessOrdersRole'));
    expect(statements).toContainEqual({ Action: ['dynamodb:PutItem'], Resource: ['<StoreOrders.Arn>'] });
    expect(statements).toContainEqual({ Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: ['<StoreIdempotency.Arn>'] });
    expect(statements).toContainEqual({
      Action: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
      Resource: [
        'arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
      ],
    });
    const resources = statements.flatMap((s) => s.Resource);
    expect(resources.filter((r) => r === '*')).toHaveLength(1); // X-Ray only
    expect(statements.find((s) => s.Resource.includes('*'))?.Action).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(statements.find((s) => s.Action.includes('sqs:ReceiveMessage'))?.Resource).toEqual(['<BufferQueue.Arn>']);
  });

  it('knows where the flags are', () => {
    const [, fn] = resource(sqsStack, 'AWS::Lambda::Function', 'ProcessOrdersFunction');
    const variables = fn.Properties.Environment.Variables;
    expect(flatten(variables.SPROUT_FLAGS_APPLICATION)).toBe('<FlagsApplication.ApplicationId>');
    expect(flatten(variables.SPROUT_FLAGS_ENVIRONMENT)).toBe('<FlagsEnvironment.EnvironmentId>');
    expect(flatten(variables.SPROUT_FLAGS_PROFILE)).toBe('<FlagsProfile.ConfigurationProfileId>');
  });
});

describe('tables', () => {
  it('keeps the orders (retained, point-in-time recovery) and expires idempotency records', () => {
    const [, orders] = resource(sqsStack, 'AWS::DynamoDB::Table', 'StoreOrders');
    expect(orders.DeletionPolicy).toBe('Retain');
    expect(orders.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }], PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    const [, idempotency] = resource(sqsStack, 'AWS::DynamoDB::Table', 'StoreIdempotency');
    expect(idempotency.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
  });
});

describe('REST API', () => {
  it('has only POST /orders, validated against the Order model, answering 202, 500 and 503', () => {
    const methods = Object.values(sqsStack.findResources('AWS::ApiGateway::Method') as Record<string, Resource>);
    expect(methods.map((m) => m.Properties.HttpMethod)).toEqual(['POST']);
    const [post] = methods;
    expect(post!.Properties.RequestValidatorId).toBeDefined();
    expect(Object.keys(post!.Properties.RequestModels)).toEqual(['application/json']);
    expect(post!.Properties.MethodResponses.map((r: { StatusCode: string }) => r.StatusCode)).toEqual(['202', '500', '503']);
    sqsStack.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    sqsStack.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'Order',
      Schema: Match.objectLike({ required: ['orderId', 'customerId', 'items'], additionalProperties: false }),
    });
  });

  it('logs access, traces with X-Ray and throttles the stage', () => {
    sqsStack.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })]),
    });
  });

  it('answers gateway errors in the same JSON error shape as the integration', () => {
    const responses = Object.values(sqsStack.findResources('AWS::ApiGateway::GatewayResponse') as Record<string, Resource>);
    expect(responses.map((r) => r.Properties.ResponseType).sort()).toEqual(
      ['BAD_REQUEST_BODY', 'DEFAULT_4XX', 'DEFAULT_5XX', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED', 'UNSUPPORTED_MEDIA_TYPE'],
    );
    for (const response of responses) {
      const body = (response.Properties.ResponseTemplates['application/json'] as string).replace(/\$context\.[\w.]+/g, (variable) =>
        variable.endsWith('String') ? '"substituted"' : 'SUBSTITUTED',
      );
      expect(JSON.parse(body)).toEqual({ error: { code: expect.any(String), message: expect.any(String), requestId: 'SUBSTITUTED' } });
    }
  });
});

describe('feature flags', () => {
  it('writes the sample flag once, at creation, and outputs the four ids sprout flags reads', () => {
    const [, writer] = resource(sqsStack, 'Custom::SproutInitialFeatureFlags', 'FlagsInitialVersion');
    expect(writer.Properties.Content).toBe(encodeAppConfig(initialFlags));
    const outputs = Object.keys(sqsStack.toJSON().Outputs);
    expect(outputs).toEqual(expect.arrayContaining(['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']));
  });
});

describe('options change the infrastructure without code changes', () => {
  it('sets batch size, batching window, timeout, visibility timeout and deliveries from sprout.json', () => {
    const custom = synth({ batchSize: 50, maxBatchingWindowSeconds: 5, consumerTimeoutSeconds: 60, maxReceiveCount: 7 });
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 50, MaximumBatchingWindowInSeconds: 5 });
    custom.hasResourceProperties('AWS::Lambda::Function', { Timeout: 60, Handler: 'index.handler' });
    custom.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 365, RedrivePolicy: Match.objectLike({ maxReceiveCount: 7 }) });
  });

  it('outputs where to POST and what to watch for each buffer', () => {
    expect(Object.keys(sqsStack.toJSON().Outputs)).toEqual(expect.arrayContaining(['OrdersUrl', 'OrdersTableName', 'QueueUrl', 'DeadLetterQueueUrl']));
    expect(Object.keys(kinesisStack.toJSON().Outputs)).toEqual(expect.arrayContaining(['OrdersUrl', 'OrdersTableName', 'StreamName', 'FailuresQueueUrl']));
  });
});
