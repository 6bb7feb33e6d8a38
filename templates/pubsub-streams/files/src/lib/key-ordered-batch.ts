import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { compareSequence } from './sequence.js';

/** How each record of a batch ended. */
export type RecordResult<T> =
  | { record: KinesisStreamRecord; status: 'done'; outcome: T }
  | { record: KinesisStreamRecord; status: 'failed'; error: unknown }
  /** Not tried: an earlier record of the same partition key failed in this batch. */
  | { record: KinesisStreamRecord; status: 'held back' };

export interface KeyOrderedBatch<T> {
  /** What the handler returns to Lambda (the event source mapping has ReportBatchItemFailures on). */
  response: KinesisStreamBatchResponse;
  /** One result per record, in the batch's order. */
  results: Array<RecordResult<T>>;
}

export interface KeyOrderedOptions {
  /** Partition keys processed at the same time (each key's records are always one after another). */
  concurrency?: number;
}

/**
 * Processes a Kinesis batch so that records of one partition key are handled strictly in order,
 * while different keys go in parallel.
 *
 * When a record fails, the rest of its key is held back, and the failed record and every held-back
 * record are reported as batch item failures. Other keys carry on. Lambda then checkpoints at the
 * lowest reported sequence number and delivers everything from there again (bisecting the batch at
 * that point): the failed key resumes at its failed record, in order, and the records of other keys
 * that were already processed come back too, which is why processing must be idempotent.
 *
 * Why not Powertools' BatchProcessor: it processes every record and reports each failure, so a
 * later record of a key can succeed while an earlier one of the same key failed and waits for a
 * retry: the key's records would take effect out of order. Stopping the whole batch at the first
 * failure would also keep the order, but holds up every other key of the shard for no reason.
 */
export async function processInKeyOrder<T>(
  records: KinesisStreamRecord[],
  processRecord: (record: KinesisStreamRecord) => Promise<T>,
  options: KeyOrderedOptions = {},
): Promise<KeyOrderedBatch<T>> {
  const byKey = new Map<string, number[]>();
  records.forEach((record, index) => {
    const key = record.kinesis.partitionKey;
    byKey.set(key, [...(byKey.get(key) ?? []), index]);
  });
  const results: Array<RecordResult<T>> = records.map((record) => ({ record, status: 'held back' }));

  const processKey = async (indexes: number[]) => {
    for (const index of indexes) {
      const record = records[index] as KinesisStreamRecord;
      try {
        results[index] = { record, status: 'done', outcome: await processRecord(record) };
      } catch (error) {
        results[index] = { record, status: 'failed', error };
        return; // the rest of this key stays 'held back'
      }
    }
  };

  const keys = [...byKey.values()];
  const workers = Math.max(1, Math.min(options.concurrency ?? 10, keys.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < keys.length) await processKey(keys[next++] as number[]);
    }),
  );

  const batchItemFailures = results
    .filter((result) => result.status !== 'done')
    .map((result) => result.record.kinesis.sequenceNumber)
    .sort(compareSequence)
    .map((itemIdentifier) => ({ itemIdentifier }));
  return { response: { batchItemFailures }, results };
}
