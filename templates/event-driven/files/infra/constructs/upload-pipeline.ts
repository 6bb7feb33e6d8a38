import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS, READINGS_PREFIX, SUMMARIES_PREFIX } from '../../src/lib/settings.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface UploadPipelineProps {
  resourceName: string;
  stage: string;
  options: Options;
}

export interface UploadPipeline {
  input: s3.Bucket;
  output: s3.Bucket;
  accessLogs: s3.Bucket;
  processor: SproutFunction;
  failedEvents: sqs.Queue;
  failedEventsAlarm: cloudwatch.Alarm;
  flags: FeatureFlags;
}

/**
 * The pipeline (buckets, the processing function and its asynchronous invocation settings, the
 * failed-events queue, the flag store), added straight into `scope` so its logical ids stay stable.
 */
export function addUploadPipeline(scope: Construct, props: UploadPipelineProps): UploadPipeline {
  const { options, resourceName, stage } = props;

  // Server access logs of both data buckets: who uploaded or read which object, and when.
  // (cdk-nag does not ask a log target bucket to log itself.)
  const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // Raw uploads are the source of truth (results can be rebuilt from them), so the buckets outlive
  // the stack: `cdk destroy` leaves them, and the README shows how to empty and delete them.
  const dataBucket = (id: string, logPrefix: string) =>
    new s3.Bucket(scope, id, {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: logPrefix,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  // Two buckets, never one: a function that wrote into the bucket that triggers it would trigger itself.
  const input = dataBucket('Input', 'input/');
  const output = dataBucket('Output', 'output/');

  // Events Lambda gave up on: after the last retry, or when they waited longer than
  // maxEventAgeSeconds. Each message is Lambda's invocation record (the original S3 event in
  // requestPayload, the error in responsePayload), kept 14 days, SQS's maximum.
  const failedEvents = new sqs.Queue(scope, 'FailedEvents', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failedEvents).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the dead end itself: Lambda's on-failure destination for the processing function. Nothing consumes it automatically (an operator inspects and replays its messages), so it has no redrive policy of its own.",
  });
  const failedEventsAlarm = new cloudwatch.Alarm(scope, 'FailedEventsAlarm', {
    alarmDescription: `${resourceName} (${stage}): an upload could not be processed; its event is in the failed-events queue`,
    metric: failedEvents.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  const processor = new SproutFunction(scope, 'ProcessUpload', {
    entry: 'process-upload',
    description: `Normalizes device readings uploaded under ${options.inputPrefix || '/'}*${options.inputSuffix}`,
    serviceName: resourceName,
    memorySize: FUNCTION_MEMORY_MB,
    timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
    environment: {
      OUTPUT_BUCKET: output.bucketName,
      INPUT_PREFIX: options.inputPrefix,
      INPUT_SUFFIX: options.inputSuffix,
    },
    // No reserved concurrency, on purpose. S3 and Lambda scale together and the function calls
    // nothing that needs protecting from a burst; a reservation would also take that many from the
    // account's pool (Lambda keeps at least 100 unreserved, so a new account with a low limit
    // could not deploy it). To cap it (a downstream database, a cost ceiling), set
    // functionProps.reservedConcurrentExecutions: throttled events wait in Lambda's queue and are
    // retried for up to maxEventAgeSeconds, and only then go to the failed-events queue.
  });

  // Least privilege. Read: exactly the keys that trigger it. s3:ListBucket on the input bucket
  // only so that a deleted object reads as 404 (skipped) rather than 403 (failed and retried).
  processor.allow(['s3:GetObject'], [input.arnForObjects(`${options.inputPrefix}*${options.inputSuffix}`)]);
  processor.allow(['s3:ListBucket'], [input.bucketArn]);
  // Write: the two result prefixes. s3:GetObject on the summaries is what HeadObject needs for the
  // "already done?" check, and s3:ListBucket makes a missing summary a 404 instead of a 403.
  processor.allow(['s3:PutObject'], [output.arnForObjects(`${READINGS_PREFIX}*`), output.arnForObjects(`${SUMMARIES_PREFIX}*`)]);
  processor.allow(['s3:GetObject'], [output.arnForObjects(`${SUMMARIES_PREFIX}*`)]);
  processor.allow(['s3:ListBucket'], [output.bucketArn]);
  // Lambda sends on-failure records with the function's own role.
  processor.allow(['sqs:SendMessage'], [failedEvents.queueArn]);
  Validations.of(processor.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(input)}.Arn>/${options.inputPrefix}*${options.inputSuffix}]`,
    reason: 'S3 object ARNs name keys, and the function reads every key the notification sends it: the ARN pattern is exactly the notification filter (prefix*suffix), nothing wider.',
  });
  for (const prefix of [READINGS_PREFIX, SUMMARIES_PREFIX]) {
    Validations.of(processor.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(output)}.Arn>/${prefix}*]`,
      reason: `Result keys are derived from input keys and ETags, unknown at deploy time: the function may write (and, for summaries, check) only under ${prefix} in the output bucket.`,
    });
  }

  // The asynchronous invocation settings S3's invocations get.
  // - Retries: the handler is idempotent (a result per key and ETag, created once), so a retry can
  //   only finish work, never duplicate it; failures worth retrying are transient (S3 throttling
  //   or 5xx, a timeout), and Lambda waits 1 minute before the first retry and 2 before the second.
  // - Maximum event age: an event that waited this long (throttled, or retried) is sent to the
  //   failed-events queue with its payload instead of being processed late or dropped, so an
  //   outage becomes an alarm within the hour rather than after Lambda's default of 6 hours.
  const onFailure: lambda.IDestination = { bind: () => ({ destination: failedEvents.queueArn }) };
  processor.function.configureAsyncInvoke({
    retryAttempts: options.retryAttempts,
    maxEventAge: Duration.seconds(options.maxEventAgeSeconds),
    onFailure,
  });

  // S3 invokes the function asynchronously for each object created (PUT, POST, copy, multipart
  // completion) under the prefix and with the suffix. The notification is written by CDK's
  // BucketNotificationsHandler custom resource (a stack-wide singleton).
  const filters: s3.NotificationKeyFilter[] =
    options.inputPrefix || options.inputSuffix ? [{ ...(options.inputPrefix ? { prefix: options.inputPrefix } : {}), ...(options.inputSuffix ? { suffix: options.inputSuffix } : {}) }] : [];
  input.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(processor.function), ...filters);
  acknowledgeNotificationsHandler(scope);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(processor.function);

  return { input, output, accessLogs, processor, failedEvents, failedEventsAlarm, flags };
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
      "CDK's BucketNotificationsHandler (a deploy-time custom resource that writes the input bucket's notification configuration) creates its own role with the basic execution policy; besides logging it may only call s3:PutBucketNotification on the input bucket, and it runs only during deployments.",
  });
}
