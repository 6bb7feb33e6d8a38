import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { Job, JobResult } from './job.js';
import { tracer } from './powertools.js';

/** Attribute names are the Powertools idempotency defaults; the stack and the tests use the same. */
export const idempotencyTable = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;

/** A job id seen again within this window returns the first result instead of running again. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/**
 * Wraps `work` so each job id is processed once: Lambda may deliver an asynchronous event more than
 * once, and an SQS message or Kinesis record comes again when its batch is retried. The record
 * starts IN_PROGRESS (another delivery meanwhile fails with IdempotencyAlreadyInProgressError and
 * is retried), becomes COMPLETED with the result, and is deleted when `work` throws, so a retry runs
 * the job again. `registerLambdaContext` before each call lets an IN_PROGRESS record of a timed-out
 * invocation expire with that invocation instead of blocking the retries for the whole window.
 */
export function idempotent(work: (job: Job, context: Context) => Promise<JobResult>) {
  // The endpoint comes from the SDK's configuration: AWS_ENDPOINT_URL_DYNAMODB points tests at dynalite.
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: requiredEnv('IDEMPOTENCY_TABLE_NAME'),
    awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})),
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS });
  const once = makeIdempotent(work, { persistenceStore, config });
  return (job: Job, context: Context) => {
    config.registerLambdaContext(context);
    // The key comes from the first argument (the job's id); the context rides along untouched.
    return once(job, context);
  };
}
