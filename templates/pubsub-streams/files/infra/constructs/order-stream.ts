import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { ordersTable } from '../../src/lib/orders-table.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface OrderStreamProps {
  resourceName: string;
  stage: string;
  options: Options;
}

export interface OrderStream {
  stream: kinesis.Stream;
  orders: dynamodb.Table;
  failedBatches: sqs.Queue;
  consumer: SproutFunction;
  mapping: lambda.EventSourceMapping;
  flags: FeatureFlags;
}

/** How long records stay in the stream: Kinesis' default and cheapest retention (up to 8,760 hours for a fee). */
export const STREAM_RETENTION = Duration.hours(24);
/**
 * Records this old are given up on (their range goes to the on-failure queue) even when the
 * function was never able to run them (throttling, a disabled mapping): half the retention, so
 * that whoever reads the queue still has 12 hours to read them back from the stream.
 */
export const MAX_RECORD_AGE = Duration.hours(12);
/** A batch of up to 10,000 records, one DynamoDB write each, 10 orders at a time, fits in well under a minute. */
export const CONSUMER_TIMEOUT = Duration.seconds(60);

/** Kinesis actions the event source mapping performs with the function's role (standard iterator, no enhanced fan-out). */
export const STREAM_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];

/**
 * The stream, its consumer and everything a failure needs: the orders table the consumer writes
 * (idempotently, in order per order id), the on-failure queue, the alarms and the flag store.
 */
export function addOrderStream(scope: Construct, props: OrderStreamProps): OrderStream {
  const { options, resourceName, stage } = props;

  const stream = new kinesis.Stream(scope, 'Stream', {
    ...(options.capacityMode === 'provisioned'
      ? { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: options.shardCount }
      : { streamMode: kinesis.StreamMode.ON_DEMAND }),
    // Encrypted at rest with the AWS managed key (aws/kinesis): producers and consumers need no KMS permission.
    encryption: kinesis.StreamEncryption.MANAGED,
    retentionPeriod: STREAM_RETENTION,
    // Records are transient (24 h); the orders table below holds what they produced.
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // The state the stream produces: one item per order. Retained when the stack is deleted.
  const orders = new dynamodb.Table(scope, 'Orders', {
    partitionKey: { name: ordersTable.partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // Where Lambda reports a batch it gave up on: the shard and sequence range, not the records.
  const failedBatches = new sqs.Queue(scope, 'FailedBatches', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS allows; the records themselves are only in the stream for STREAM_RETENTION.
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failedBatches).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter destination: the stream mapping sends it the range of every batch it gives up on. Nothing consumes it automatically, so a further DLQ behind it would never receive anything.',
  });

  const consumer = new SproutFunction(scope, 'Consumer', {
    entry: 'consume-order-events',
    description: 'Applies order events from the Kinesis stream, in order per order id',
    serviceName: resourceName,
    timeout: CONSUMER_TIMEOUT,
    environment: { ORDERS_TABLE_NAME: orders.tableName },
  });
  // Least privilege: reading this one stream (what the event source mapping does with this role),
  // the two table calls the code makes, and sending to the on-failure queue (what Lambda does with it).
  consumer.allow(STREAM_READ_ACTIONS, [stream.streamArn]);
  consumer.allow(['dynamodb:UpdateItem', 'dynamodb:GetItem'], [orders.tableArn]);
  consumer.allow(['sqs:SendMessage'], [failedBatches.queueArn]);

  const mapping = new lambda.EventSourceMapping(scope, 'StreamMapping', {
    target: consumer.function,
    eventSourceArn: stream.streamArn,
    // Everything still in the stream, so records put while the stack was deploying are not skipped.
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: options.batchSize,
    parallelizationFactor: options.parallelizationFactor,
    // The handler reports the failed record and the rest of its order; Lambda resumes from the lowest.
    reportBatchItemFailures: true,
    // A thrown error or a timeout splits the batch in two (without using a retry), isolating a bad record.
    bisectBatchOnError: true,
    // Each retry holds up the shard (or its slice of keys): a few retries get past throttling and
    // brief outages; a record that fails that often needs a person, via the on-failure queue.
    retryAttempts: options.maxRetryAttempts,
    maxRecordAge: MAX_RECORD_AGE,
    onFailure: { bind: () => ({ destination: failedBatches.queueArn }) },
  });
  // Lambda checks the role's permissions when it creates the mapping: create the policy first.
  mapping.node.addDependency(consumer.role);

  // The flag store `sprout flags --stage <stage>` manages; skip-invalid-records starts off.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(consumer.function);

  // Alarms without actions: add an SNS topic (alarm.addAlarmAction) to be paged.
  new cloudwatch.Alarm(scope, 'IteratorAgeAlarm', {
    alarmDescription: 'The consumer is more than 5 minutes behind the stream (failing records hold up their shard, or it cannot keep up)',
    metric: consumer.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
    threshold: Duration.minutes(5).toMilliseconds(),
    evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  new cloudwatch.Alarm(scope, 'FailedBatchesAlarm', {
    alarmDescription: 'Lambda gave up on a batch: read its records back from the stream before they expire (README, "When a batch fails")',
    metric: failedBatches.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  return { stream, orders, failedBatches, consumer, mapping, flags };
}
