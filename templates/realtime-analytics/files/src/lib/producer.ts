import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { encodeMetric, type Metric } from './metric.js';

export interface PutResult {
  metric: Metric;
  shardId: string;
  sequenceNumber: string;
}

/** PutRecords takes at most 500 records (and 5 MB) per request. */
export const PUT_RECORDS_LIMIT = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Puts metrics with PutRecords, the metric key as the partition key (so each key stays on one
 * shard and in one window state). PutRecords can store some records of a request and refuse
 * others (FailedRecordCount, e.g. ProvisionedThroughputExceededException on a hot shard): the
 * refused ones are put again, with backoff, up to `attempts` times. Order within a key does not
 * matter to the aggregates, so retried records may land after later ones.
 */
export async function putMetrics(client: KinesisClient, streamName: string, metrics: readonly Metric[], attempts = 5): Promise<PutResult[]> {
  const results: PutResult[] = [];
  for (let offset = 0; offset < metrics.length; offset += PUT_RECORDS_LIMIT) {
    let pending = metrics.slice(offset, offset + PUT_RECORDS_LIMIT);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const entries: PutRecordsRequestEntry[] = pending.map((metric) => ({ PartitionKey: metric.key, Data: encodeMetric(metric) }));
      const { Records = [] } = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
      const refused: Metric[] = [];
      Records.forEach((record, i) => {
        const metric = pending[i] as Metric;
        if (record.ShardId && record.SequenceNumber && !record.ErrorCode) results.push({ metric, shardId: record.ShardId, sequenceNumber: record.SequenceNumber });
        else refused.push(metric);
      });
      if (refused.length > 0 && attempt >= attempts) throw new Error(`${refused.length} records still refused after ${attempts} attempts (first: ${Records.find((r) => r.ErrorCode)?.ErrorCode})`);
      if (refused.length > 0) await sleep(100 * 2 ** attempt);
      pending = refused;
    }
  }
  return results;
}
