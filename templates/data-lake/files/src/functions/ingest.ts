import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { requiredEnv } from '../lib/env.js';
import { BadRequestError, ingest, type IngestResult } from '../lib/ingest.js';
import { logger, metrics, tracer } from '../lib/powertools.js';

// The endpoint comes from the SDK's own configuration, so tests point it at s3rver with
// AWS_ENDPOINT_URL_S3 and production uses the regional one.
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const rawBucket = requiredEnv('RAW_BUCKET');

/**
 * Invoked directly (lambda:InvokeFunction, synchronous) by producers with `{ "events": [ … ] }`.
 * Returns `{ accepted, rejected: [{ index, id, errors }], objects: [{ key, events }] }`: the
 * valid events are stored even when others are refused. A request that is not a batch at all, or a
 * failed write, fails the invocation (FunctionError "Unhandled" with the message), and the producer
 * retries it: the same events land on the same keys, so a retry does not duplicate them.
 */
export const handler = async (event: unknown, context: Context): Promise<IngestResult> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const result = await ingest(event, { s3, rawBucket });
    logger.info('Ingested', { accepted: result.accepted, rejected: result.rejected.length, objects: result.objects });
    if (result.rejected.length > 0) logger.warn('Refused events', { rejected: result.rejected.slice(0, 20) });
    metrics.addMetric('EventsAccepted', MetricUnit.Count, result.accepted);
    metrics.addMetric('EventsRejected', MetricUnit.Count, result.rejected.length);
    metrics.addMetric('RawObjectsWritten', MetricUnit.Count, result.objects.length);
    return result;
  } catch (error) {
    if (error instanceof BadRequestError) logger.warn('Refused a request that is not a batch', { message: error.message });
    else logger.error('Ingestion failed; nothing in this batch is reported stored', error as Error);
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
