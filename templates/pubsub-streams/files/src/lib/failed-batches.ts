import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { compareSequence, isSequenceNumber } from './sequence.js';

/**
 * What Lambda sends to the on-failure destination when it gives up on a batch (retries exhausted,
 * or records older than the maximum record age): metadata only, never the records themselves.
 */
export interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export interface FailedBatch {
  /** Why Lambda gave up, e.g. `RetryAttemptsExhausted` or `RecordAgeExceeded`. */
  condition: string;
  /** The function's error for the last attempt (`Unhandled` for a thrown error), if it was invoked. */
  functionError?: string;
  approximateInvokeCount?: number;
  batch: KinesisBatchInfo;
}

/** Reads one SQS message body from the on-failure queue. */
export function parseFailedBatch(body: string): FailedBatch {
  const message = JSON.parse(body) as {
    requestContext?: { condition?: string; approximateInvokeCount?: number };
    responseContext?: { functionError?: string };
    KinesisBatchInfo?: Partial<KinesisBatchInfo>;
  };
  const batch = message.KinesisBatchInfo;
  if (!batch || typeof batch.shardId !== 'string' || !isSequenceNumber(batch.startSequenceNumber) || !isSequenceNumber(batch.endSequenceNumber) || typeof batch.streamArn !== 'string') {
    throw new Error('not a Kinesis on-failure record: KinesisBatchInfo with shardId, startSequenceNumber, endSequenceNumber and streamArn expected');
  }
  return {
    condition: message.requestContext?.condition ?? 'unknown',
    ...(message.responseContext?.functionError ? { functionError: message.responseContext.functionError } : {}),
    ...(message.requestContext?.approximateInvokeCount !== undefined ? { approximateInvokeCount: message.requestContext.approximateInvokeCount } : {}),
    batch: batch as KinesisBatchInfo,
  };
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` → `<name>`. */
export function streamNameOf(streamArn: string): string {
  const name = /:stream\/([A-Za-z0-9_.-]+)$/.exec(streamArn)?.[1];
  if (!name) throw new Error(`not a Kinesis stream ARN: ${streamArn}`);
  return name;
}

/**
 * Reads the records of a failed batch back from the stream: from startSequenceNumber
 * (AT_SEQUENCE_NUMBER) to endSequenceNumber, both included. Works only while the records are
 * still in the stream (24 hours by default): read the on-failure queue well before that.
 */
export async function readFailedRecords(client: KinesisClient, batch: KinesisBatchInfo, options: { maxCalls?: number } = {}): Promise<_Record[]> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({
      StreamName: streamNameOf(batch.streamArn),
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: batch.startSequenceNumber,
    }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  // GetRecords can return nothing while records exist further on, so keep going until past the end,
  // caught up with the shard (MillisBehindLatest 0), or out of calls.
  for (let call = 0; iterator && call < (options.maxCalls ?? 100); call++) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const record of page.Records ?? []) {
      if (compareSequence(record.SequenceNumber ?? '0', batch.endSequenceNumber) > 0) return records;
      records.push(record);
    }
    if (page.MillisBehindLatest === 0 && (page.Records ?? []).length === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}
