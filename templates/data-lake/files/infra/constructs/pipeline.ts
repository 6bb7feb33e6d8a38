import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { TABLE_PREFIX } from '../../src/lib/layout.js';
import {
  INGEST_MEMORY_MB,
  INGEST_TIMEOUT_SECONDS,
  TRANSFORM_MAX_EVENT_AGE_SECONDS,
  TRANSFORM_MEMORY_MB,
  TRANSFORM_RETRY_ATTEMPTS,
  TRANSFORM_TIMEOUT_SECONDS,
} from '../../src/lib/settings.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';
import type { Zones } from './zones.js';

export interface PipelineProps {
  options: Options;
  resourceName: string;
  stage: string;
  zones: Zones;
}

export interface Pipeline {
  ingest: SproutFunction;
  transform: SproutFunction;
  failedEvents: sqs.Queue;
  failedEventsAlarm: cloudwatch.Alarm;
  flags: FeatureFlags;
}

/** Raw objects the ingestion function writes, and the only keys that trigger the transform. */
const RAW_SUFFIX = '.jsonl';

/**
 * The two functions, the transform's asynchronous invocation settings, its failed-events queue and
 * the flag store, added straight into `scope` so their logical ids stay stable.
 */
export function addPipeline(scope: Construct, { options, resourceName, stage, zones }: PipelineProps): Pipeline {
  const { raw, curated } = zones;

  const ingest = new SproutFunction(scope, 'Ingest', {
    entry: 'ingest',
    description: 'Validates batches of JSON events and writes them into the raw zone, partitioned by event date',
    serviceName: resourceName,
    memorySize: INGEST_MEMORY_MB,
    timeout: Duration.seconds(INGEST_TIMEOUT_SECONDS),
    environment: { RAW_BUCKET: raw.bucketName },
  });
  // Write only: it never reads, lists or deletes, and only under the table's folder.
  ingest.allow(['s3:PutObject'], [raw.arnForObjects(`${TABLE_PREFIX}*`)]);
  zones.grantKey(ingest.role, raw, ['kms:GenerateDataKey']);
  Validations.of(ingest.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(raw)}.Arn>/${TABLE_PREFIX}*]`,
    reason: `Raw keys are events/dt=<event date>/<hash of the batch>.jsonl, decided per batch at run time: the function may only put objects under ${TABLE_PREFIX} in the raw zone.`,
  });

  const transform = new SproutFunction(scope, 'Transform', {
    entry: 'transform',
    description: `Converts raw event objects into the curated zone as ${options.curatedFormat}`,
    serviceName: resourceName,
    memorySize: TRANSFORM_MEMORY_MB,
    timeout: Duration.seconds(TRANSFORM_TIMEOUT_SECONDS),
    environment: { CURATED_BUCKET: curated.bucketName, CURATED_FORMAT: options.curatedFormat },
    // No reserved concurrency, on purpose: S3 and Lambda scale together, each invocation is one
    // object, and a reservation would take that many from the account's pool. To cap it, set
    // functionProps.reservedConcurrentExecutions: throttled events wait in Lambda's queue and are
    // retried for up to TRANSFORM_MAX_EVENT_AGE_SECONDS, then go to the failed-events queue.
  });
  // Read exactly the keys that trigger it; s3:ListBucket only so that an object deleted meanwhile
  // reads as 404 (skipped) rather than 403 (failed and retried). Write only the curated table folder.
  transform.allow(['s3:GetObject'], [raw.arnForObjects(`${TABLE_PREFIX}*${RAW_SUFFIX}`)]);
  transform.allow(['s3:ListBucket'], [raw.bucketArn]);
  transform.allow(['s3:PutObject'], [curated.arnForObjects(`${TABLE_PREFIX}*`)]);
  zones.grantKey(transform.role, raw, ['kms:Decrypt']);
  zones.grantKey(transform.role, curated, ['kms:GenerateDataKey']);
  Validations.of(transform.role).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(raw)}.Arn>/${TABLE_PREFIX}*${RAW_SUFFIX}]`,
      reason: 'S3 object ARNs name keys, and the function reads every key the notification sends it: the ARN pattern is exactly the notification filter (prefix*suffix), nothing wider.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(curated)}.Arn>/${TABLE_PREFIX}*]`,
      reason: `Curated keys mirror raw keys (events/dt=<date>/<batch>.<format>), unknown at deploy time: the function may only put objects under ${TABLE_PREFIX} in the curated zone.`,
    },
  );

  // Events Lambda gave up on, after the last retry or when they waited longer than the maximum
  // event age: each message is Lambda's invocation record (the S3 event in requestPayload, the error
  // in responsePayload), kept 14 days, SQS's maximum. Replaying one is re-running the transform on
  // its raw key (README, "When a transform fails").
  const failedEvents = new sqs.Queue(scope, 'FailedTransforms', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failedEvents).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the dead end itself: Lambda's on-failure destination for the transform function. Nothing consumes it automatically (an operator inspects and replays its messages), so it has no redrive policy of its own.",
  });
  const failedEventsAlarm = new cloudwatch.Alarm(scope, 'FailedTransformsAlarm', {
    alarmDescription: `${resourceName} (${stage}): a raw object could not be transformed; its S3 event is in the failed-transforms queue`,
    metric: failedEvents.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  // Lambda sends on-failure records with the function's own role.
  transform.allow(['sqs:SendMessage'], [failedEvents.queueArn]);

  // The asynchronous invocation settings S3's invocations get.
  // - Retries (2, Lambda's maximum): the transform is idempotent (the curated key and bytes follow
  //   from the raw object), so a retry can only finish the work; what fails and then succeeds is
  //   transient (S3 throttling or 5xx, a timeout). Lambda waits 1 minute, then 2, between attempts.
  //   A raw object that cannot be parsed fails all three the same way and lands in the queue, which
  //   costs three short invocations.
  // - Maximum event age (6 hours, Lambda's maximum): throttled events keep their place that long
  //   before going to the queue, so a burst of uploads is absorbed rather than parked.
  const onFailure: lambda.IDestination = { bind: () => ({ destination: failedEvents.queueArn }) };
  transform.function.configureAsyncInvoke({
    retryAttempts: TRANSFORM_RETRY_ATTEMPTS,
    maxEventAge: Duration.seconds(TRANSFORM_MAX_EVENT_AGE_SECONDS),
    onFailure,
  });

  // S3 invokes the transform asynchronously for each raw object created under the table's folder.
  // The notification is written by CDK's BucketNotificationsHandler custom resource (a stack-wide
  // singleton). The transform writes to another bucket, so it can never trigger itself.
  raw.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(transform.function), { prefix: TABLE_PREFIX, suffix: RAW_SUFFIX });
  acknowledgeNotificationsHandler(scope);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(transform.function);

  return { ingest, transform, failedEvents, failedEventsAlarm, flags };
}

function logicalIdOf(bucket: s3.Bucket): string {
  return Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
}

/** CDK's singleton that writes bucket notifications (it is not ours to shape). */
function acknowledgeNotificationsHandler(scope: Construct): void {
  const handler = Stack.of(scope).node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  const role = handler?.node.tryFindChild('Role');
  if (!role) return;
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's BucketNotificationsHandler (a deploy-time custom resource that writes the raw zone's notification configuration) creates its own role with the basic execution policy; besides logging it may only call s3:PutBucketNotification on that bucket, and it runs only during deployments.",
  });
}
