import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { KinesisEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { idempotencyTable } from '../../src/lib/idempotency.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction, type SproutFunctionProps } from '../sprout/sprout-function.js';
import { ModelsApi } from './models-api.js';

/** Longer than API Gateway's 29 s on purpose: an asynchronous invocation may run up to Lambda's 900 s. */
export const ASYNC_TIMEOUT_SECONDS = 120;
/** The polling consumer's timeout; its queue's visibility timeout is 6 times this. */
export const STREAM_TIMEOUT_SECONDS = 60;
/** Lambda's advice for an SQS event source: a visibility timeout of at least 6 × the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/**
 * Receives before a message moves to the dead-letter queue: one bad message is tried 5 times (a
 * timeout or a throttled batch also counts as a receive, so fewer would dead-letter good messages
 * during a burst), then set aside without blocking anything else.
 */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Kinesis mapping: a failing batch is halved (bisect) on each retry, so 3 retries isolate a bad
 * record in a batch of up to 8 before the records are skipped to the on-failure queue; never
 * "until the record expires" (the default, -1), which would stall the shard for the stream's whole
 * retention.
 */
export const KINESIS_RETRY_ATTEMPTS = 3;
export const KINESIS_MAX_RECORD_AGE = Duration.hours(1);
export const STREAM_BATCH_SIZE = { sqs: 10, kinesis: 100 } as const;
/** SQS keeps a message at most 14 days: the destinations and dead letters stay that long. */
const RETENTION = Duration.days(14);

export interface ExecutionModelsProps {
  resourceName: string;
  stage: string;
  options: Options;
  /** The custom domain `sprout deploy` planned for the API, if any. */
  domain?: DeploymentDomain;
}

export interface ExecutionModels {
  api: ModelsApi;
  flags: FeatureFlags;
  idempotency: dynamodb.Table;
  functions: Record<'sync' | 'async' | 'stream', SproutFunction>;
  /** The asynchronous model's destinations. */
  onSuccess: sqs.Queue;
  onFailure: sqs.Queue;
  /** The polled source and where its failures go: a dead-letter queue (SQS) or an on-failure queue (Kinesis). */
  stream: { queue: sqs.Queue; deadLetters: sqs.Queue } | { stream: kinesis.Stream; failures: sqs.Queue };
  domain?: ApiServiceDomain;
}

/** A queue as every queue here is: encrypted by SQS, TLS only, 14 days of retention. */
function queue(scope: Construct, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: RETENTION, ...props });
}

/** Queues at the end of the line (destinations, dead letters): people read them, nothing consumes them. */
function acknowledgeEndOfLine(target: sqs.Queue, what: string) {
  Validations.of(target).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `${what}: nothing consumes it automatically, so a message in it is never received again and cannot need a dead-letter queue of its own; you read it (aws sqs receive-message) and redrive or delete what you find.`,
  });
}

/** The three execution models side by side, with the API that triggers them and the flag store. */
export function addExecutionModels(scope: Construct, props: ExecutionModelsProps): ExecutionModels {
  const { options, resourceName, stage, domain } = props;

  const idempotency = new dynamodb.Table(scope, 'Idempotency', {
    partitionKey: { name: idempotencyTable.partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: idempotencyTable.timeToLiveAttribute,
    // Only short-lived records of processed job ids live here; nothing to keep once the stack is gone.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(idempotency).acknowledge({
    id: 'AwsSolutions-DDB3',
    reason:
      'The idempotency table holds only records of processed job ids that expire after 24 hours (TTL); restoring it to an earlier point would bring back nothing of value, so point-in-time recovery would be cost without benefit.',
  });

  const fn = (id: string, entry: string, description: string, timeoutSeconds: number, functionProps: SproutFunctionProps['functionProps'] = {}) =>
    new SproutFunction(scope, id, { entry, description, serviceName: resourceName, timeout: Duration.seconds(timeoutSeconds), functionProps });

  // Synchronous: API Gateway waits for it. Its timeout is the syncTimeoutSeconds option.
  const sync = fn('SyncFunction', 'sync', 'Synchronous model: POST /sync, API Gateway waits for the answer', options.syncTimeoutSeconds);

  // Asynchronous: Lambda's own queue, retries and destinations (an EventInvokeConfig).
  const onSuccess = queue(scope, 'AsyncOnSuccess');
  const onFailure = queue(scope, 'AsyncOnFailure');
  acknowledgeEndOfLine(onSuccess, 'The on-success destination of the asynchronous function (one invocation record per successful job)');
  acknowledgeEndOfLine(onFailure, 'The on-failure destination of the asynchronous function (one invocation record per job that failed every attempt or grew too old)');
  const asyncFn = fn('AsyncFunction', 'async', 'Asynchronous model: Event invocation, retries, on-success and on-failure destinations', ASYNC_TIMEOUT_SECONDS, {
    // Two retries (the default, the most Lambda allows) ride out a transient failure; the option can lower
    // them for work that must not run three times. Events older than the option's age are not run at all.
    retryAttempts: options.asyncRetryAttempts,
    maxEventAge: Duration.seconds(options.asyncMaxEventAgeSeconds),
    onSuccess: new SqsDestination(onSuccess),
    onFailure: new SqsDestination(onFailure),
  });

  // Stream-based: an event source mapping polls the queue or stream and invokes with batches.
  const streamEntry = options.streamSource === 'sqs' ? 'stream-sqs' : 'stream-kinesis';
  const streamFn = fn('StreamFunction', streamEntry, `Stream-based model: batches polled from ${options.streamSource === 'sqs' ? 'an SQS queue' : 'a Kinesis data stream'}`, STREAM_TIMEOUT_SECONDS);
  let stream: ExecutionModels['stream'];
  if (options.streamSource === 'sqs') {
    const deadLetters = queue(scope, 'StreamDeadLetters');
    // cdk-nag knows a dead-letter queue needs none of its own: no acknowledgement here.
    const jobs = queue(scope, 'StreamQueue', {
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * STREAM_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    streamFn.function.addEventSource(new SqsEventSource(jobs, { batchSize: STREAM_BATCH_SIZE.sqs, reportBatchItemFailures: true }));
    stream = { queue: jobs, deadLetters };
  } else {
    const failures = queue(scope, 'StreamFailures');
    acknowledgeEndOfLine(failures, 'The on-failure destination of the Kinesis mapping (one record per batch skipped after its retries)');
    // One provisioned shard: the cheapest stream (an on-demand stream bills per stream-hour, several times more).
    const jobs = new kinesis.Stream(scope, 'JobStream', {
      shardCount: 1,
      streamMode: kinesis.StreamMode.PROVISIONED,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    streamFn.function.addEventSource(
      new KinesisEventSource(jobs, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_BATCH_SIZE.kinesis,
        bisectBatchOnError: true,
        retryAttempts: KINESIS_RETRY_ATTEMPTS,
        maxRecordAge: KINESIS_MAX_RECORD_AGE,
        reportBatchItemFailures: true,
        // One batch per shard at a time: records of a partition key are processed in order.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(failures),
      }),
    );
    stream = { stream: jobs, failures };
  }

  // Least privilege: only the functions that dedupe jobs touch the idempotency table, with the four
  // calls Powertools makes (get, put, update and, after a failure, delete its record).
  const idempotencyActions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
  for (const consumer of [asyncFn, streamFn]) {
    consumer.function.addEnvironment('IDEMPOTENCY_TABLE_NAME', idempotency.tableName);
    consumer.allow(idempotencyActions, [idempotency.tableArn]);
  }

  // The flag store `sprout flags --stage <stage>` manages, with simulated-failures (on) written once.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  for (const reader of [sync, asyncFn, streamFn]) flags.grantRead(reader.function);

  const api = new ModelsApi(scope, 'Api', {
    name: `${resourceName}-${stage}`,
    stageName: stage,
    syncFunction: sync.function,
    asyncFunction: asyncFn.function,
    streamTarget: 'queue' in stream ? { kind: 'sqs', queue: stream.queue } : { kind: 'kinesis', stream: stream.stream },
  });

  // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
  const serviceDomain = domain ? new ApiServiceDomain(scope, 'Domain', { api: api.api, stage: api.api.deploymentStage, domain }) : undefined;

  return {
    api,
    flags,
    idempotency,
    functions: { sync, async: asyncFn, stream: streamFn },
    onSuccess,
    onFailure,
    stream,
    ...(serviceDomain ? { domain: serviceDomain } : {}),
  };
}
