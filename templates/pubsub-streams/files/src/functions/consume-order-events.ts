import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { skipInvalidRecords } from '../lib/flag-client.js';
import { processInKeyOrder } from '../lib/key-ordered-batch.js';
import { InvalidRecordError, parseOrderEvent } from '../lib/order-events.js';
import { applyOrderEvent, type RecordPosition, rejectRecord } from '../lib/orders-table.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { shardOfEventId } from '../lib/sequence.js';

const tableName = process.env.ORDERS_TABLE_NAME ?? '';
const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));

/** Applies one record to its order; throws to fail it (and hold back the rest of its order). */
async function processRecord(record: KinesisStreamRecord): Promise<'applied' | 'duplicate' | 'rejected'> {
  const { partitionKey, sequenceNumber, data } = record.kinesis;
  const position: RecordPosition = { shardId: shardOfEventId(record.eventID), sequenceNumber };
  try {
    return await applyOrderEvent(db, tableName, position, parseOrderEvent(data, partitionKey));
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error; // transient (throttling, network): retried by Lambda
    if (!(await skipInvalidRecords(partitionKey))) throw error;
    logger.warn('Invalid record set aside (skip-invalid-records is on)', { partitionKey, sequenceNumber, reason: error.message });
    return rejectRecord(db, tableName, position, partitionKey, error.message);
  }
}

/**
 * The stream's consumer. Lambda invokes it with a batch of records from one shard (or, with a
 * parallelization factor above 1, from one slice of a shard's partition keys), oldest first.
 * Records of one order are applied strictly in order; a failure holds back the rest of its order and
 * is reported to Lambda, which retries from there (src/lib/key-ordered-batch.ts).
 */
export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const { response, results } = await processInKeyOrder(event.Records, processRecord);
    const count = (predicate: (result: (typeof results)[number]) => boolean) => results.filter(predicate).length;
    metrics.addMetric('RecordsApplied', MetricUnit.Count, count((r) => r.status === 'done' && r.outcome === 'applied'));
    metrics.addMetric('RecordsDuplicate', MetricUnit.Count, count((r) => r.status === 'done' && r.outcome === 'duplicate'));
    metrics.addMetric('RecordsRejected', MetricUnit.Count, count((r) => r.status === 'done' && r.outcome === 'rejected'));
    metrics.addMetric('RecordsFailed', MetricUnit.Count, count((r) => r.status === 'failed'));
    for (const result of results) {
      if (result.status !== 'failed') continue;
      const { partitionKey, sequenceNumber } = result.record.kinesis;
      const error = result.error as Error;
      logger.error('Record failed; its order waits for the retry', { partitionKey, sequenceNumber, shardId: shardOfEventId(result.record.eventID), error });
    }
    if (response.batchItemFailures.length > 0) {
      logger.info('Reporting batch item failures', { records: event.Records.length, failures: response.batchItemFailures.length, retryFrom: response.batchItemFailures[0]?.itemIdentifier });
    }
    return response;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
