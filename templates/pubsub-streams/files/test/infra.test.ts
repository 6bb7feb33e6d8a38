import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { STREAM_READ_ACTIONS } from '../infra/constructs/order-stream.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function build(options: Partial<Options> = {}) {
  const test = testApp({ bundle: false });
  apps.push(test);
  return buildApp(test.app, { ...sprout, options: { ...sprout.options, ...options } });
}
const synth = (options: Partial<Options> = {}) => ({ template: Template.fromStack(build(options)) });

const variants: Array<[string, Partial<Options>]> = [
  ['the defaults (on-demand)', {}],
  ['provisioned, 4 shards, 10 batches per shard, no retries, 10,000 records a batch', { capacityMode: 'provisioned', shardCount: 4, parallelizationFactor: 10, maxRetryAttempts: 0, batchSize: 10_000 }],
];

const idOf = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
};

describe.each(variants)('the stack with %s', (_, options) => {
  const { template } = synth(options);
  const effective = { ...sprout.options, ...options } as Options;

  it('follows the rules for asynchronous consumers (bisect, finite retries, on-failure destination)', () => {
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it('maps the stream to the consumer with the options from sprout.json', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(template, 'AWS::Kinesis::Stream'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^ConsumerFunction') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: effective.batchSize,
      ParallelizationFactor: effective.parallelizationFactor,
      MaximumRetryAttempts: effective.maxRetryAttempts,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 12 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(template, 'AWS::SQS::Queue'), 'Arn'] } } },
    });
  });

  it('creates the mapping only once the consumer\'s role may read the stream', () => {
    const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mapping?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ConsumerRoleDefaultPolicy/)]));
  });

  it('encrypts the stream with the AWS managed key and keeps records 24 hours', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 24,
      ...(effective.capacityMode === 'provisioned'
        ? { StreamModeDetails: { StreamMode: 'PROVISIONED' }, ShardCount: effective.shardCount }
        : { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, ShardCount: Match.absent() }),
    });
  });
});

describe('the stack (defaults)', () => {
  const { template } = synth();

  it('grants the consumer exactly what it uses, on its own resources', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^ConsumerRoleDefaultPolicy') } }))[0]?.Properties.PolicyDocument.Statement;
    const actions = (statement: { Action: string | string[] }) => [statement.Action].flat().sort();
    const on = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(statements.map((s: { Action: string | string[]; Resource: unknown }) => [actions(s), s.Resource])).toEqual(
      expect.arrayContaining([
        [[...STREAM_READ_ACTIONS].sort(), on(idOf(template, 'AWS::Kinesis::Stream'))],
        [['dynamodb:GetItem', 'dynamodb:UpdateItem'], on(idOf(template, 'AWS::DynamoDB::Table'))],
        [['sqs:SendMessage'], on(idOf(template, 'AWS::SQS::Queue'))],
        [['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'], expect.anything()],
      ]),
    );
    // Only X-Ray (which has no resource-level permissions) is granted on "*"; no kinesis:ListStreams or wildcard actions.
    const wildcard = statements.filter((s: { Resource: unknown }) => s.Resource === '*');
    expect(wildcard.map(actions)).toEqual([['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
    expect(statements.flatMap(actions).filter((action: string) => action.includes('*'))).toEqual([]);
    expect(statements).toHaveLength(6);
  });

  it('runs the consumer on Node.js 24, arm64, with a 60 s timeout, its table and its flags', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          ORDERS_TABLE_NAME: { Ref: idOf(template, 'AWS::DynamoDB::Table') },
          SPROUT_FLAGS_APPLICATION: Match.anyValue(),
          SPROUT_FLAGS_ENVIRONMENT: Match.anyValue(),
          SPROUT_FLAGS_PROFILE: Match.anyValue(),
        }),
      },
    });
  });

  it('keeps failed-batch records 14 days in an encrypted queue that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('keeps the orders table (with point-in-time recovery) when the stack is deleted, and the stream not', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }], PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    });
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
  });

  it('alarms when the consumer falls behind and when a batch is given up on', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 300_000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0 });
  });

  it('outputs what the README\'s commands need, and the flag store', () => {
    for (const output of ['StreamName', 'StreamArn', 'OrdersTableName', 'FailedBatchesQueueUrl', 'ConsumerFunctionName', 'FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) {
      template.hasOutput(output, {});
    }
  });
});

describe('asyncConsumerProblems', () => {
  it('would catch a mapping without an on-failure destination or bisect', () => {
    const stack = build();
    const mapping = stack.node.findAll().find((c) => c instanceof lambda.CfnEventSourceMapping) as lambda.CfnEventSourceMapping;
    mapping.addPropertyDeletionOverride('DestinationConfig');
    mapping.addPropertyOverride('BisectBatchOnFunctionError', false);
    expect(asyncConsumerProblems(Template.fromStack(stack))).toEqual([
      expect.stringMatching(/does not bisect a failing batch/),
      expect.stringMatching(/has no on-failure destination/),
    ]);
  });
});
