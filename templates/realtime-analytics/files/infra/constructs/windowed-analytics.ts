import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { aggregatesTable } from '../../src/lib/aggregates.js';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface WindowedAnalyticsProps {
  resourceName: string;
  stage: string;
  options: Options;
}

export interface WindowedAnalytics {
  stream: kinesis.Stream;
  aggregates: dynamodb.Table;
  topic: sns.Topic;
  failedWindows: sqs.Queue;
  aggregator: SproutFunction;
  mapping: lambda.EventSourceMapping;
  flags: FeatureFlags;
}

/** How long records stay in the stream: Kinesis' default and cheapest retention (up to 8,760 hours for a fee). */
export const STREAM_RETENTION = Duration.hours(24);
/**
 * Records this old are given up on (their range goes to the on-failure queue) even if the function
 * never managed to run them: half the retention, so whoever reads the queue still has 12 hours to
 * read them back from the stream. Far above the longest window (900 s).
 */
export const MAX_RECORD_AGE = Duration.hours(12);
/**
 * Folding a batch is in-memory work (milliseconds); the final invocation of a window makes a Query
 * and a PutItem per key, 16 keys at a time, so a few thousand keys take a few seconds. 60 s leaves
 * room for DynamoDB and SNS retries.
 */
export const AGGREGATOR_TIMEOUT = Duration.seconds(60);
/**
 * Retries of a failing invocation before Lambda gives up on the batch (and, for a final invocation,
 * on the window's aggregates). Every retry holds up the shard; five get past throttling and brief
 * DynamoDB or SNS outages, and a failure that lasts longer needs a person (the on-failure queue and
 * its alarm). An alert already written as pending is not lost: the key's next window publishes it.
 */
export const MAX_RETRY_ATTEMPTS = 5;
/** Records per invocation: each one is a few microseconds of folding, and the state travels with every invocation. */
export const BATCH_SIZE = 1000;

/** Kinesis actions the event source mapping performs with the function's role (standard iterator, no enhanced fan-out). */
export const STREAM_READ_ACTIONS = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'];
/** The table calls the aggregator makes: the baseline Query, the conditional PutItem, GetItem on a redelivery, UpdateItem to settle an alert. */
export const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];

/**
 * The stream, the aggregator on Lambda's tumbling windows, the aggregates table, the anomaly topic,
 * the on-failure queue, the alarms and the flag store.
 */
export function addWindowedAnalytics(scope: Construct, props: WindowedAnalyticsProps): WindowedAnalytics {
  const { options, resourceName, stage } = props;

  const stream = new kinesis.Stream(scope, 'Stream', {
    // On demand: Kinesis adds shards as traffic grows (each shard is also its own window state).
    streamMode: kinesis.StreamMode.ON_DEMAND,
    // Encrypted at rest with the AWS managed key (aws/kinesis): producers and consumers need no KMS permission.
    encryption: kinesis.StreamEncryption.MANAGED,
    retentionPeriod: STREAM_RETENTION,
    // Records are transient (24 h); the aggregates table holds what they produced.
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // One item per metric key and window. Kept when the stack is deleted; TTL removes old windows.
  const aggregates = new dynamodb.Table(scope, 'Aggregates', {
    partitionKey: { name: aggregatesTable.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: aggregatesTable.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: aggregatesTable.ttlAttribute,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // Anomaly alerts. Encrypted with the AWS managed key for SNS: the aggregator (a principal of this
  // account, publishing through SNS) may use it without a KMS grant, and it costs nothing. A
  // CloudWatch alarm cannot publish to a topic under that key: use a customer managed key for that.
  const topic = new sns.Topic(scope, 'Anomalies', {
    displayName: `${resourceName} ${stage} anomalies`,
    masterKey: kms.Alias.fromAliasName(scope, 'SnsManagedKey', 'alias/aws/sns'),
    enforceSSL: true,
  });

  // Where Lambda reports a batch it gave up on: the shard and sequence range, not the records.
  const failedWindows = new sqs.Queue(scope, 'FailedWindows', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS allows; the records themselves are only in the stream for STREAM_RETENTION.
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failedWindows).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter destination: the stream mapping sends it the range of every batch it gives up on. Nothing consumes it automatically, so a further DLQ behind it would never receive anything.',
  });

  const aggregator = new SproutFunction(scope, 'Aggregator', {
    entry: 'aggregate-window',
    description: 'Aggregates metrics per key in tumbling windows; writes them to DynamoDB, anomalies to SNS',
    serviceName: resourceName,
    timeout: AGGREGATOR_TIMEOUT,
    environment: {
      AGGREGATES_TABLE_NAME: aggregates.tableName,
      ANOMALY_TOPIC_ARN: topic.topicArn,
      Z_SCORE_THRESHOLD: String(options.zScoreThreshold),
      BASELINE_WINDOWS: String(options.baselineWindows),
      AGGREGATE_TTL_DAYS: String(options.aggregateTtlDays),
    },
  });
  // Least privilege: reading this one stream (what the event source mapping does with this role),
  // the four table calls, publishing to this topic, and sending to the on-failure queue (Lambda does it with this role).
  aggregator.allow(STREAM_READ_ACTIONS, [stream.streamArn]);
  aggregator.allow(TABLE_ACTIONS, [aggregates.tableArn]);
  aggregator.allow(['sns:Publish'], [topic.topicArn]);
  aggregator.allow(['sqs:SendMessage'], [failedWindows.queueArn]);

  const mapping = new lambda.EventSourceMapping(scope, 'StreamMapping', {
    target: aggregator.function,
    eventSourceArn: stream.streamArn,
    // Everything still in the stream, so records put while the stack was deploying are not skipped.
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    // Lambda's tumbling windows: windows by arrival time, a state carried between the invocations of
    // one window (per shard, at most 1 MB), and a final invocation when the window closes.
    tumblingWindow: Duration.seconds(options.windowSeconds),
    batchSize: BATCH_SIZE,
    // A thrown error or a timeout splits the batch in two (without using a retry). The handler only
    // throws for transient errors (a bad record is set aside), so this mostly shortens a retried batch.
    bisectBatchOnError: true,
    retryAttempts: MAX_RETRY_ATTEMPTS,
    maxRecordAge: MAX_RECORD_AGE,
    // No ReportBatchItemFailures: the handler never reports part of a batch (see its comment).
    onFailure: { bind: () => ({ destination: failedWindows.queueArn }) },
  });
  // Lambda checks the role's permissions when it creates the mapping: create the policy first.
  mapping.node.addDependency(aggregator.role);

  // The flag store `sprout flags --stage <stage>` manages; mute-anomaly-alerts starts off.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(aggregator.function);

  // Alarms without actions: add a topic of your own (alarm.addAlarmAction) to be paged.
  new cloudwatch.Alarm(scope, 'IteratorAgeAlarm', {
    alarmDescription: 'The aggregator is more than 5 minutes (plus one window) behind the stream: a window keeps failing, or it cannot keep up',
    metric: aggregator.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
    threshold: Duration.minutes(5).toMilliseconds() + options.windowSeconds * 1000,
    evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  new cloudwatch.Alarm(scope, 'FailedWindowsAlarm', {
    alarmDescription: 'Lambda gave up on a batch or a window: its records are still in the stream for up to 24 hours (README, "When a window fails")',
    metric: failedWindows.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  new cloudwatch.Alarm(scope, 'StateBudgetAlarm', {
    alarmDescription: 'A shard had more metric keys in one window than its state can hold: records of new keys were dropped (README, "Limits")',
    metric: new cloudwatch.Metric({
      namespace: resourceName,
      metricName: 'RecordsDroppedOverStateBudget',
      dimensionsMap: { service: resourceName },
      statistic: 'Sum',
      period: Duration.minutes(5),
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  return { stream, aggregates, topic, failedWindows, aggregator, mapping, flags };
}
