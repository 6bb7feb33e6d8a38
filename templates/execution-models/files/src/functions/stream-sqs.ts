import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { instrumented, processJob } from '../lib/handler.js';
import { idempotent } from '../lib/idempotency.js';
import { parseJobText } from '../lib/job.js';

const processor = new BatchProcessor(EventType.SQS);
const processOnce = idempotent((job, context) => processJob('stream', job, context));

/**
 * Stream-based (poll) model, SQS: an event source mapping polls the queue and invokes this function
 * with batches of up to 10 messages. Each message is one job; the ones that fail are reported in
 * `batchItemFailures` (ReportBatchItemFailures), so only they come back after the visibility
 * timeout, and a message received 5 times moves to the dead-letter queue. The rest of the batch is
 * deleted. One at a time, so a job's sleep counts once against the function's timeout.
 */
export const handler = instrumented('stream', (event: SQSEvent, context) =>
  processPartialResponse(event, (record: SQSRecord) => processOnce(parseJobText(record.body), context), processor, {
    context,
    processInParallel: false,
  }),
);
