import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { filterPolicySuffixes } from '../../src/lib/image-types.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

/**
 * How often a message is received before SQS moves it to the dead-letter queue. Lambda's
 * documentation asks for at least 5: a message also counts as received when its whole invocation
 * failed (a timeout, a crash) or was throttled, so 5 leaves room for transient failures (an S3
 * throttle, a slow cold start) while a truly broken upload (not really an image, too large to
 * decode) reaches the DLQ within 5 visibility timeouts instead of being retried for 4 days.
 */
export const MAX_RECEIVE_COUNT = 5;
/** Lambda's documented rule: a queue's visibility timeout is at least 6 × its consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The longest SQS keeps a message: 14 days in the dead-letter queues, time to investigate and redrive. */
const DLQ_RETENTION = Duration.days(14);
/** The id aws-cdk-lib gives the singleton function behind `bucket.addEventNotification`. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** The three subscribers: each its own queue, dead-letter queue and function. */
export const JOBS = {
  resize: { id: 'Resize', entry: 'resize', prefix: 'resized/', description: 'Resize subscriber: web-sized copy of each uploaded image' },
  thumbnail: { id: 'Thumbnail', entry: 'thumbnail', prefix: 'thumbnails/', description: 'Thumbnail subscriber: square thumbnail of each uploaded image' },
  metadata: { id: 'Metadata', entry: 'metadata', prefix: 'metadata/', description: 'Metadata subscriber: dimensions, format and EXIF of each uploaded image' },
} as const;
export type JobName = keyof typeof JOBS;

/**
 * Messages per batch. Records are handled one after the other (image work is CPU-bound and the
 * function has one vCPU), so the whole batch must fit the function's timeout: decoding a
 * 12-megapixel JPEG in pure JavaScript takes seconds, not milliseconds. Two per batch keeps a
 * batch of large photos well inside the default 30 s; raise it for small images, lower
 * consumerTimeoutSeconds only after measuring.
 */
export const BATCH_SIZE = 2;
/**
 * 1,769 MB is one full vCPU (Lambda allocates CPU in proportion to memory), and jimp is
 * single-threaded: more memory buys no speed, less makes decoding slower. A decoded image takes
 * width × height × 4 bytes (48 MB for 12 megapixels), with room for a copy while resizing.
 */
const MEMORY_MB = 1769;

export interface ImageFanoutProps {
  resourceName: string;
  stage: string;
  options: Options;
}

export interface ImageJobResources {
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
  subscription: sns.Subscription;
  handler: SproutFunction;
}

/**
 * Publishes every object created in `bucket` to `topic`, with a topic policy that lets S3 publish
 * only for this bucket in this account (aws:SourceArn and aws:SourceAccount, as the S3 user guide
 * recommends against the confused deputy problem), and lets S3 use the topic's KMS key.
 */
class PublishToTopic implements s3.IBucketNotificationDestination {
  constructor(
    private readonly topic: sns.Topic,
    private readonly key: kms.Key,
  ) {}

  bind(scope: Construct, bucket: s3.IBucketRef): s3.BucketNotificationDestinationConfig {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3EventNotificationsFromTheInputBucket',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketRef.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        },
      }),
    );
    // An encrypted topic needs its publisher to generate data keys: the key policy S3's user guide
    // gives for event notifications to an SSE-KMS topic. Only the topic policy above decides what
    // S3 may publish to the topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3ToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // The topic policy is the topic's child: S3 validates the destination when the notification is written.
    return { arn: this.topic.topicArn, type: s3.BucketNotificationDestinationType.TOPIC, dependencies: [this.topic] };
  }
}

/**
 * The fan-out: input bucket → S3 event notification → SNS topic → three SQS queues (each with
 * its dead-letter queue and a filter policy on the object key) → three functions → output bucket.
 * Added straight into `scope`, so logical ids stay stable.
 */
export class ImageFanout extends Construct {
  readonly inputBucket: s3.Bucket;
  readonly outputBucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  /** Where SNS puts a message it could not deliver to a queue (a subscription's redrive policy). */
  readonly deliveryFailures: sqs.Queue;
  readonly jobs: Record<JobName, ImageJobResources>;
  readonly flags: FeatureFlags;

  constructor(scope: Construct, id: string, props: ImageFanoutProps) {
    super(scope, id);
    const { options, resourceName, stage } = props;

    // Server access logs of the input and output buckets: who uploaded and read what, kept 90 days.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Uploads and results hold users' data: both buckets stay when the stack is deleted.
    const bucketProps = (prefix: string): s3.BucketProps => ({
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: prefix,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.inputBucket = new s3.Bucket(this, 'Input', bucketProps('input/'));
    // Results go to a bucket of their own: written back into the input bucket, each result would
    // be an upload again, and the pipeline would process its own output in a loop.
    this.outputBucket = new s3.Bucket(this, 'Output', bucketProps('output/'));

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the upload events of ${resourceName} (${stage}) in its SNS topic`,
      enableKeyRotation: true,
      // Messages live in the topic only while SNS delivers them: nothing stays encrypted with this key after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new sns.Topic(this, 'Uploads', {
      displayName: `${resourceName} ${stage} uploads`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.inputBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new PublishToTopic(this.topic, this.topicKey));
    // aws-cdk-lib writes the notification configuration with a custom resource, whose handler is one
    // function per stack (it merges with notifications the bucket may already have).
    const notificationsHandler = Stack.of(this).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "aws-cdk-lib's bucket notifications handler writes its CloudWatch logs with the AWS managed basic execution policy; it runs only while the stack deploys, to put the input bucket's notification configuration.",
      });
    }

    this.deliveryFailures = this.queue('DeliveryFailures', DLQ_RETENTION);
    Validations.of(this.deliveryFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the redrive policy of the three SNS subscriptions, holding the events SNS could not deliver to a job queue.',
    });

    this.flags = new FeatureFlags(this, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });

    const timeout = Duration.seconds(options.consumerTimeoutSeconds);
    const environments: Record<JobName, Record<string, string>> = {
      resize: { RESIZE_WIDTH: String(options.resizeWidth), OUTPUT_FORMAT: options.outputFormat },
      thumbnail: { THUMBNAIL_SIZE: String(options.thumbnailSize), OUTPUT_FORMAT: options.outputFormat },
      metadata: {},
    };
    const jobs = {} as Record<JobName, ImageJobResources>;
    for (const name of Object.keys(JOBS) as JobName[]) {
      jobs[name] = this.addJob(name, { resourceName, timeout, environment: environments[name] });
    }
    this.jobs = jobs;
    // Only the metadata function evaluates the sample flag, metadata-include-location.
    this.flags.grantRead(jobs.metadata.handler.function);
  }

  private queue(id: string, retentionPeriod: Duration, props: Partial<sqs.QueueProps> = {}): sqs.Queue {
    return new sqs.Queue(this, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod, ...props });
  }

  private addJob(name: JobName, { resourceName, timeout, environment }: { resourceName: string; timeout: Duration; environment: Record<string, string> }): ImageJobResources {
    const job = JOBS[name];
    const deadLetterQueue = this.queue(`${job.id}DeadLetters`, DLQ_RETENTION);
    const queue = this.queue(`${job.id}Queue`, Duration.days(4), {
      // Lambda's rule: at least 6 × the function timeout, so a batch that is retried after a
      // throttle is not delivered to a second invocation while the first still works on it.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // Raw delivery: the queue receives the S3 event itself, not the SNS envelope around it.
    // The filter applies to the message body (S3 sets no message attributes), on every record's
    // object key: only the image formats the functions decode reach the queue, and the S3 test
    // event (which has no Records) never does. SNS compares case-sensitively, hence both cases.
    const subscription = new SqsSubscription(queue, {
      rawMessageDelivery: true,
      deadLetterQueue: this.deliveryFailures,
      filterPolicyWithMessageBody: {
        Records: sns.FilterOrPolicy.policy({
          s3: sns.FilterOrPolicy.policy({
            object: sns.FilterOrPolicy.policy({
              key: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ matchSuffixes: filterPolicySuffixes() })),
            }),
          }),
        }),
      },
    });
    const snsSubscription = this.topic.addSubscription(subscription);

    const handler = new SproutFunction(this, job.id, {
      entry: job.entry,
      description: job.description,
      serviceName: resourceName,
      timeout,
      memorySize: MEMORY_MB,
      environment: { OUTPUT_BUCKET: this.outputBucket.bucketName, ...environment },
    });
    // The mapping lets Lambda poll the queue and delete what succeeded (grantConsumeMessages on
    // the role); failed messages come back in batchItemFailures and are retried alone.
    handler.function.addEventSource(new SqsEventSource(queue, { batchSize: BATCH_SIZE, reportBatchItemFailures: true }));

    // Least privilege: read the uploads, write under its own prefix of the output bucket, nothing else.
    handler.allow(['s3:GetObject'], [this.inputBucket.arnForObjects('*')]);
    // Without ListBucket, S3 answers a read of a deleted upload with 403 instead of 404, and the
    // function could not tell "deleted since the event" (skip) from a permission problem (fail).
    handler.allow(['s3:ListBucket'], [this.inputBucket.bucketArn]);
    handler.allow(['s3:PutObject'], [this.outputBucket.arnForObjects(`${job.prefix}*`)]);
    // One call per acknowledgement: each silences exactly one wildcard resource.
    Validations.of(handler.role).acknowledge({
      id: wildcardResourceFinding(this, this.inputBucket.arnForObjects('*')),
      reason: `The ${name} function reads whichever object was uploaded, so it may read every key of the input bucket (s3:GetObject only, no write or delete).`,
    });
    Validations.of(handler.role).acknowledge({
      id: wildcardResourceFinding(this, this.outputBucket.arnForObjects(`${job.prefix}*`)),
      reason: `The ${name} function writes one result per upload, named after the upload's key, only under the ${job.prefix} prefix of the output bucket (s3:PutObject only).`,
    });

    new cloudwatch.Alarm(this, `${job.id}DeadLettersAlarm`, {
      alarmDescription: `Messages the ${name} function failed ${MAX_RECEIVE_COUNT} times are waiting in its dead-letter queue`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    return { queue, deadLetterQueue, subscription: snsSubscription, handler };
  }
}

/**
 * The id cdk-nag gives the AwsSolutions-IAM5 finding for one wildcard resource: the ARN as the
 * template spells it, with each reference written `<Ref>` or `<LogicalId.Attribute>`. An
 * acknowledgement must name it exactly, so it silences that one wildcard and no other.
 */
function wildcardResourceFinding(scope: Construct, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const intrinsic = node as Record<string, unknown>;
    const join = intrinsic['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flatten).join(join[0]);
    const getAtt = intrinsic['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
    return JSON.stringify(node);
  };
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}
