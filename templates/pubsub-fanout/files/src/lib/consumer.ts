import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isImageKey } from './image-types.js';
import { logger, metrics, tracer } from './powertools.js';
import { type CreatedObject, parseNotification } from './s3-event.js';
import { readSource } from './storage.js';

/** What a job did with one uploaded object. */
export type Outcome = { written: string } | { skipped: string };

/** One of the three subscribers: turns an uploaded image into its result in the output bucket. */
export interface ImageJob {
  /** resize, thumbnail or metadata: in logs, metrics and traces. */
  name: string;
  /** Builds and writes the result for `source` (the bytes of `object`), and returns its key. */
  run(object: CreatedObject, source: Buffer): Promise<string>;
}

/**
 * Handles one SQS message: the S3 test event and non-image keys are acknowledged and skipped,
 * every created image goes through the job. An error fails this message only (partial batch
 * response): SQS makes it visible again after the visibility timeout, and after maxReceiveCount
 * receives moves it to the queue's dead-letter queue.
 */
export async function handleMessage(job: ImageJob, record: SQSRecord): Promise<Outcome[]> {
  const notification = parseNotification(record.body);
  if (notification.kind === 'test') {
    logger.info('S3 test event acknowledged', { bucket: notification.bucket });
    return [{ skipped: 's3:TestEvent' }];
  }
  const outcomes: Outcome[] = [];
  for (const object of notification.objects) {
    if (!isImageKey(object.key)) {
      logger.info('Not an image this pipeline handles: skipped', { key: object.key });
      outcomes.push({ skipped: 'not an image' });
      continue;
    }
    const source = await readSource(object);
    if ('skipped' in source) {
      logger.info(`Source ${source.skipped}: skipped`, { key: object.key, eTag: object.eTag });
      metrics.addMetric(`${job.name}Skipped`, 'Count', 1);
      outcomes.push({ skipped: source.skipped });
      continue;
    }
    const written = await job.run(object, source.body);
    logger.info('Result written', { key: object.key, eTag: object.eTag, result: written });
    metrics.addMetric(`${job.name}Written`, 'Count', 1);
    outcomes.push({ written });
  }
  return outcomes;
}

/**
 * The Lambda handler of one job: Powertools' batch processor reports each failed message in
 * batchItemFailures (the event source mapping has ReportBatchItemFailures), so the messages that
 * succeeded are deleted and only the failed ones are retried. Records are processed one after
 * the other: a decoded image takes width × height × 4 bytes of memory, and one at a time keeps
 * the function's memory predictable.
 */
export function sqsImageHandler(job: ImageJob): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ job: job.name });
    metrics.captureColdStartMetric();
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await processPartialResponse(event, (record: SQSRecord) => handleMessage(job, record), processor, {
        context,
        processInParallel: false,
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
