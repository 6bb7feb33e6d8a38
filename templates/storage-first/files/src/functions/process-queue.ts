import type { SQSRecord } from 'aws-lambda';
import { batchHandler } from '../lib/consumer.js';
import { processOrder } from '../lib/process-order.js';

/**
 * Drains the orders queue: one SQS batch per invocation, reported back with
 * ReportBatchItemFailures so that only the failed messages become visible again. A standard queue
 * has no order to keep, so the records of a batch are processed in parallel.
 */
export const handler = batchHandler<SQSRecord>(
  'SQS',
  (record) => processOrder(record.body, { id: record.messageId, receivedAt: new Date(Number(record.attributes.SentTimestamp)).toISOString() }),
  { inParallel: true },
);
