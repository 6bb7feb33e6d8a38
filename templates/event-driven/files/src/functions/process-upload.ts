import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { requiredEnv } from '../lib/env.js';
import { dropClockSkew } from '../lib/flag-client.js';
import { type Outcome, processObject } from '../lib/process-object.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { createdObjects, isTestEvent } from '../lib/s3-event.js';

// The endpoint comes from the SDK's own configuration, so tests point it at s3rver with
// AWS_ENDPOINT_URL_S3 and production uses the regional one.
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const outputBucket = requiredEnv('OUTPUT_BUCKET');
// Empty strings are valid (the whole bucket, any file): read them without requiredEnv.
const inputPrefix = process.env.INPUT_PREFIX ?? '';
const inputSuffix = process.env.INPUT_SUFFIX ?? '';

/**
 * Invoked asynchronously by the input bucket's ObjectCreated notification. Every object of the
 * event is processed at most once per key and ETag (src/lib/process-object.ts), so a re-delivered
 * event, a retry after a failure and two concurrent deliveries all leave one result. An error
 * fails the invocation: Lambda retries it (retryAttempts in sprout.json), then sends the event to
 * the failed-events queue. The return value is for logs and tests; S3 does not read it.
 */
export const handler = async (event: unknown, context: Context): Promise<{ outcomes: Outcome[] }> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    if (isTestEvent(event)) {
      logger.info('Ignored the s3:TestEvent S3 sends when a notification is configured');
      return { outcomes: [] };
    }
    const { objects, ignored } = createdObjects(event);
    for (const record of ignored) logger.warn('Ignored a record', record);
    const outcomes: Outcome[] = [];
    for (const object of objects) {
      logger.appendKeys({ bucket: object.bucket, key: object.key, eTag: object.eTag });
      const outcome = await processObject(object, { s3, outputBucket, inputPrefix, inputSuffix, dropClockSkew: (key) => dropClockSkew(key, inputPrefix) });
      record(outcome);
      outcomes.push(outcome);
      logger.removeKeys(['bucket', 'key', 'eTag']);
    }
    return { outcomes };
  } catch (error) {
    logger.error('Processing failed; Lambda will retry the event, then send it to the failed-events queue', error as Error);
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};

function record(outcome: Outcome): void {
  switch (outcome.status) {
    case 'processed':
      logger.info('Processed', { readingsKey: outcome.readingsKey, summaryKey: outcome.summaryKey, accepted: outcome.counts.accepted, dropped: outcome.counts.dropped, droppedByReason: outcome.counts.droppedByReason });
      metrics.addMetric('ObjectsProcessed', MetricUnit.Count, 1);
      metrics.addMetric('ReadingsAccepted', MetricUnit.Count, outcome.counts.accepted);
      metrics.addMetric('ReadingsDropped', MetricUnit.Count, outcome.counts.dropped);
      break;
    case 'duplicate':
      logger.info('Already processed: skipped a duplicate delivery', { summaryKey: outcome.summaryKey, detectedBy: outcome.detectedBy });
      metrics.addMetric('DuplicateEventsSkipped', MetricUnit.Count, 1);
      break;
    case 'superseded':
      logger.warn('The object changed after this event (its ETag no longer matches); the newer upload has its own event');
      metrics.addMetric('SupersededEventsSkipped', MetricUnit.Count, 1);
      break;
    case 'gone':
      logger.warn('The object was deleted before it could be processed');
      metrics.addMetric('DeletedObjectsSkipped', MetricUnit.Count, 1);
      break;
    case 'ignored':
      logger.warn('Ignored an object outside the configured prefix and suffix', { reason: outcome.reason });
      break;
  }
}
