import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { requiredEnv } from '../lib/env.js';
import { redactUserIds } from '../lib/flag-client.js';
import type { CuratedFormat } from '../lib/layout.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { createdObjects, isTestEvent } from '../lib/s3-event.js';
import { type TransformOutcome, transformObject } from '../lib/transform.js';

const s3 = tracer.captureAWSv3Client(new S3Client({}));
const curatedBucket = requiredEnv('CURATED_BUCKET');
const format = requiredEnv('CURATED_FORMAT') as CuratedFormat;
if (format !== 'parquet' && format !== 'jsonl-gzip') throw new Error(`CURATED_FORMAT must be parquet or jsonl-gzip (got ${format})`);

/**
 * Invoked asynchronously by the raw zone's ObjectCreated notification (events/*.jsonl). Every raw
 * object of the event becomes its curated copy (src/lib/transform.ts). An error fails the
 * invocation: Lambda retries it, then sends the event to the failed-events queue. The return value
 * is for logs and tests; S3 does not read it.
 */
export const handler = async (event: unknown, context: Context): Promise<{ outcomes: TransformOutcome[] }> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    if (isTestEvent(event)) {
      logger.info('Ignored the s3:TestEvent S3 sends when a notification is configured');
      return { outcomes: [] };
    }
    const { objects, ignored } = createdObjects(event);
    for (const record of ignored) logger.warn('Ignored a record', record);
    const outcomes: TransformOutcome[] = [];
    for (const object of objects) {
      logger.appendKeys({ rawKey: object.key });
      const outcome = await transformObject(object, { s3, curatedBucket, format, redactUserIds });
      if (outcome.status === 'transformed') {
        logger.info('Transformed', { curatedKey: outcome.curatedKey, rows: outcome.rows, redactedTypes: outcome.redactedTypes });
        metrics.addMetric('ObjectsTransformed', MetricUnit.Count, 1);
        metrics.addMetric('RowsWritten', MetricUnit.Count, outcome.rows);
      } else {
        logger.warn(outcome.status === 'gone' ? 'The raw object was deleted before it could be read' : 'Ignored a key the ingestion function does not write', { outcome });
      }
      outcomes.push(outcome);
      logger.removeKeys(['rawKey']);
    }
    return { outcomes };
  } catch (error) {
    logger.error('Transform failed; Lambda will retry the event, then send it to the failed-events queue', error as Error);
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
