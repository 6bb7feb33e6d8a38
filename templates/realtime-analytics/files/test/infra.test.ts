import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { BATCH_SIZE, MAX_RETRY_ATTEMPTS, STREAM_READ_ACTIONS, TABLE_ACTIONS } from '../infra/constructs/windowed-analytics.js';
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
const synth = (options: Partial<Options> = {}) => Template.fromStack(build(options));

const variants: Array<[string, Partial<Options>]> = [
  ['the defaults (60 s windows, z 3, 30 windows, 30 days)', {}],
  ['15-minute windows, z 4.5, 96 windows, 400 days', { windowSeconds: 900, zScoreThreshold: 4.5, baselineWindows: 96, aggregateTtlDays: 400 }],
];

const idOf = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
};

describe.each(variants)('the stack with %s', (_, options) => {
  const template = synth(options);
  const effective = { ...sprout.options, ...options } as Options;

  it('follows the rules for asynchronous consumers (bisect, finite retries, on-failure destination)', () => {
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it('maps the stream to the aggregator with a tumbling window of windowSeconds', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(template, 'AWS::Kinesis::Stream'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^AggregatorFunction') },
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: effective.windowSeconds,
      BatchSize: BATCH_SIZE,
      MaximumRetryAttempts: MAX_RETRY_ATTEMPTS,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 12 * 3600,
      FunctionResponseTypes: Match.absent(),
      ParallelizationFactor: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(template, 'AWS::SQS::Queue'), 'Arn'] } } },
    });
  });

  it('gives the aggregator the detection options, its table and its topic', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          AGGREGATES_TABLE_NAME: { Ref: idOf(template, 'AWS::DynamoDB::Table') },
          ANOMALY_TOPIC_ARN: { Ref: idOf(template, 'AWS::SNS::Topic') },
          Z_SCORE_THRESHOLD: String(effective.zScoreThreshold),
          BASELINE_WINDOWS: String(effective.baselineWindows),
          AGGREGATE_TTL_DAYS: String(effective.aggregateTtlDays),
          SPROUT_FLAGS_APPLICATION: Match.anyValue(),
          SPROUT_FLAGS_ENVIRONMENT: Match.anyValue(),
          SPROUT_FLAGS_PROFILE: Match.anyValue(),
        }),
      },
    });
  });

  it('alarms when the aggregator falls more than 5 minutes plus a window behind', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Namespace: 'AWS/Lambda', Threshold: 300_000 + effective.windowSeconds * 1000 });
  });
});

describe('the stack (defaults)', () => {
  const template = synth();

  it('grants the aggregator exactly what it uses, on its own resources', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^AggregatorRoleDefaultPolicy') } }))[0]?.Properties.PolicyDocument.Statement;
    const actions = (statement: { Action: string | string[] }) => [statement.Action].flat().sort();
    const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(statements.map((s: { Action: string | string[]; Resource: unknown }) => [actions(s), s.Resource])).toEqual(
      expect.arrayContaining([
        [[...STREAM_READ_ACTIONS].sort(), arn(idOf(template, 'AWS::Kinesis::Stream'))],
        [[...TABLE_ACTIONS].sort(), arn(idOf(template, 'AWS::DynamoDB::Table'))],
        [['sns:Publish'], { Ref: idOf(template, 'AWS::SNS::Topic') }],
        [['sqs:SendMessage'], arn(idOf(template, 'AWS::SQS::Queue'))],
        [['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'], expect.anything()],
      ]),
    );
    // Only X-Ray (which has no resource-level permissions) is granted on "*"; no wildcard actions, no dynamodb:Scan or BatchWriteItem.
    expect(statements.filter((s: { Resource: unknown }) => s.Resource === '*').map(actions)).toEqual([['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
    expect(statements.flatMap(actions).filter((action: string) => action.includes('*'))).toEqual([]);
    expect(statements).toHaveLength(7);
  });

  it('keeps aggregates on demand, with point-in-time recovery and a TTL, when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'metricKey', KeyType: 'HASH' },
          { AttributeName: 'windowId', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
  });

  it('encrypts the anomaly topic with the AWS managed SNS key and refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':alias/aws/sns'])] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('an on-demand stream, encrypted with the AWS managed key, records kept 24 hours', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 24,
    });
  });

  it('keeps failed-window records 14 days in an encrypted queue, and alarms on it and on the state budget', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecordsDroppedOverStateBudget', Statistic: 'Sum', Threshold: 0, Dimensions: [{ Name: 'service', Value: Match.anyValue() }] });
  });

  it('outputs what the README\'s commands need, and the flag store', () => {
    for (const output of ['StreamName', 'StreamArn', 'AggregatesTableName', 'AnomalyTopicArn', 'FailedWindowsQueueUrl', 'AggregatorFunctionName', 'FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) {
      template.hasOutput(output, {});
    }
  });
});

describe('asyncConsumerProblems', () => {
  it('would catch a mapping without an on-failure destination or with unlimited retries', () => {
    const stack = build();
    const mapping = stack.node.findAll().find((c) => c instanceof lambda.CfnEventSourceMapping) as lambda.CfnEventSourceMapping;
    mapping.addPropertyDeletionOverride('DestinationConfig');
    mapping.addPropertyOverride('MaximumRetryAttempts', -1);
    expect(asyncConsumerProblems(Template.fromStack(stack))).toEqual([expect.stringMatching(/retries until the record expires/), expect.stringMatching(/has no on-failure destination/)]);
  });
});
