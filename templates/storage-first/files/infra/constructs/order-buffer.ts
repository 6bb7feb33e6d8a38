import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { visibilityTimeoutSeconds, type Options } from '../config.js';

/** A queue for messages that failed: encrypted, TLS only, kept 14 days (SQS's maximum) so there is time to look. */
function setAsideQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * The SQS buffer: a standard queue the API sends each order to, its dead-letter queue, and the
 * event source mapping that feeds the consumer.
 */
export class QueueBuffer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, options: Options) {
    super(scope, id);
    // Longer than the source queue's retention: a message's age counts from when it was first
    // sent, so a DLQ that kept messages no longer than its source could drop them on arrival.
    this.deadLetterQueue = setAsideQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(options)),
      // A message that fails maxReceiveCount deliveries is moved aside instead of blocking retries
      // of the others until it expires. Retrying at all covers transient failures (throttled
      // table, a cold AppConfig); 3 by default, AWS suggests at least 5 when failures are common.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: options.maxReceiveCount },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Feeds `consumer` in batches; only the messages it reports as failed become visible again. */
  connect(consumer: lambda.Function, options: Options): void {
    consumer.addEventSource(
      new sources.SqsEventSource(this.queue, {
        batchSize: options.batchSize,
        maxBatchingWindow: Duration.seconds(options.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );
  }
}

/**
 * The Kinesis buffer: an on-demand stream the API puts each order into, and a queue that receives
 * a pointer to every batch the consumer gave up on (Lambda's on-failure destination).
 */
export class StreamBuffer extends Construct {
  readonly stream: kinesis.Stream;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.failures = setAsideQueue(this, 'Failures');
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the Kinesis event source mapping (the stream consumer\'s dead-letter queue); a dead-letter queue of its own would only move the same pointers one step further.',
    });
  }

  /**
   * Feeds `consumer` from the oldest record still in the stream. A failing batch is split in two
   * (bisect) until the bad record is alone, retried maxReceiveCount − 1 times, then skipped, and a
   * record of where it was goes to the failures queue: one bad order cannot hold up its shard for
   * the stream's whole 24-hour retention.
   */
  connect(consumer: lambda.Function, options: Options): void {
    consumer.addEventSource(
      new sources.KinesisEventSource(this.stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: options.batchSize,
        maxBatchingWindow: Duration.seconds(options.maxBatchingWindowSeconds),
        bisectBatchOnError: true,
        retryAttempts: options.maxReceiveCount - 1,
        reportBatchItemFailures: true,
        onFailure: new sources.SqsDlq(this.failures),
      }),
    );
  }
}
