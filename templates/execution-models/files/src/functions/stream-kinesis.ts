import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { instrumented, processJob } from '../lib/handler.js';
import { idempotent } from '../lib/idempotency.js';
import { parseJobText } from '../lib/job.js';

const processor = new BatchProcessor(EventType.KinesisDataStreams);
const processOnce = idempotent((job, context) => processJob('stream', job, context));

/**
 * Stream-based (poll) model, Kinesis: an event source mapping reads each shard in order and invokes
 * this function with batches. Records are processed one after the other (order matters in a shard);
 * failed records are reported as batch item failures, and Lambda checkpoints before the earliest one
 * and retries from there (records after it that had succeeded come again, and are answered from
 * their idempotency records). The mapping bisects a failing batch, retries a finite number of
 * times, then sends a description of the skipped records to the on-failure queue and moves on.
 */
export const handler = instrumented('stream', (event: KinesisStreamEvent, context) =>
  processPartialResponse(
    event,
    (record: KinesisStreamRecord) => processOnce(parseJobText(Buffer.from(record.kinesis.data, 'base64').toString('utf8')), context),
    processor,
    { context, processInParallel: false },
  ),
);
