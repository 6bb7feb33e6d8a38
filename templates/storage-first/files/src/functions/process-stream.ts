import type { KinesisStreamRecord } from 'aws-lambda';
import { batchHandler } from '../lib/consumer.js';
import { processOrder } from '../lib/process-order.js';

/**
 * Reads the orders stream: one batch of a shard's records per invocation. The records are
 * processed one after the other, in the order the shard holds them (the API writes each order
 * with its orderId as partition key). A failed record is reported by its sequence number: Lambda
 * then retries from the lowest failed one, so the records after it come again, and are skipped
 * by the idempotency layer.
 */
export const handler = batchHandler<KinesisStreamRecord>(
  'KinesisDataStreams',
  (record) =>
    processOrder(Buffer.from(record.kinesis.data, 'base64').toString('utf8'), {
      id: record.kinesis.sequenceNumber,
      receivedAt: new Date(record.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
    }),
  { inParallel: false },
);
