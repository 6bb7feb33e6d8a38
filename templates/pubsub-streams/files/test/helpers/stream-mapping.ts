import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { KinesisBatchInfo } from '../../src/lib/failed-batches.js';
import { compareSequence, shardOfEventId } from '../../src/lib/sequence.js';

export type StreamHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

export const lambdaContext = (): Context =>
  ({
    functionName: 'orders-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-consumer',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/orders-consumer',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export interface MappingSettings {
  batchSize: number;
  maxRetryAttempts: number;
}

export interface PollResult {
  /** Every batch the handler was invoked with, in order. */
  invocations: KinesisStreamRecord[][];
  /** What Lambda would have sent to the on-failure destination. */
  failedBatches: KinesisBatchInfo[];
}

/**
 * Plays the Lambda event source mapping's part for one shard (or one slice of its partition keys),
 * as the Lambda documentation describes it for ReportBatchItemFailures with BisectBatchOnFunctionError:
 * batches of `batchSize` records, oldest first; when the handler reports failures, Lambda
 * checkpoints at the lowest reported sequence number and retries the rest of that batch from there;
 * after `maxRetryAttempts` retries, it sends the batch's range to the on-failure destination and
 * moves on. (The retry count is kept per batch; Lambda's own bookkeeping is not public.)
 */
export async function pollShard(records: KinesisStreamRecord[], handler: StreamHandler, settings: MappingSettings): Promise<PollResult> {
  const result: PollResult = { invocations: [], failedBatches: [] };
  let position = 0;
  while (position < records.length) {
    let batch = records.slice(position, position + settings.batchSize);
    for (let retries = 0; ; retries++) {
      result.invocations.push(batch);
      const { batchItemFailures } = await handler({ Records: batch }, lambdaContext());
      if (batchItemFailures.length === 0) {
        position += batch.length;
        break;
      }
      const lowest = batchItemFailures.map((failure) => failure.itemIdentifier).sort(compareSequence)[0] as string;
      const from = batch.findIndex((record) => record.kinesis.sequenceNumber === lowest);
      if (from < 0) throw new Error(`the handler reported ${lowest}, which is not in its batch`);
      position += from;
      batch = batch.slice(from);
      if (retries === settings.maxRetryAttempts) {
        result.failedBatches.push(batchInfo(batch));
        position += batch.length;
        break;
      }
    }
  }
  return result;
}

function batchInfo(batch: KinesisStreamRecord[]): KinesisBatchInfo {
  const first = batch[0] as KinesisStreamRecord;
  const last = batch.at(-1) as KinesisStreamRecord;
  return {
    shardId: shardOfEventId(first.eventID),
    startSequenceNumber: first.kinesis.sequenceNumber,
    endSequenceNumber: last.kinesis.sequenceNumber,
    approximateArrivalOfFirstRecord: new Date(first.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
    approximateArrivalOfLastRecord: new Date(last.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
    batchSize: batch.length,
    streamArn: first.eventSourceARN,
  };
}

/**
 * A parallelization factor above 1: Lambda reads a shard with that many concurrent batches, each
 * for its own share of the partition keys (so one key's records still go one batch after another).
 * Splits the shard's records by a hash of the partition key and polls the slices concurrently.
 */
export async function pollShardInParallel(records: KinesisStreamRecord[], handler: StreamHandler, settings: MappingSettings & { parallelizationFactor: number }) {
  const slices = Array.from({ length: settings.parallelizationFactor }, () => [] as KinesisStreamRecord[]);
  for (const record of records) slices[hash(record.kinesis.partitionKey) % settings.parallelizationFactor]?.push(record);
  return Promise.all(slices.filter((slice) => slice.length > 0).map((slice) => pollShard(slice, handler, settings)));
}

function hash(key: string): number {
  let h = 0;
  for (const char of key) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h;
}
