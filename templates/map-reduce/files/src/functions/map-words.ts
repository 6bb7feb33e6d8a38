import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { requiredEnv } from '../lib/env.js';
import type { MapItem, MapResult } from '../lib/job.js';
import { mapObject } from '../lib/map-object.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { taskHandler } from '../lib/task.js';

// The endpoint comes from the SDK's own configuration, so tests point it at s3rver with
// AWS_ENDPOINT_URL_S3 and production uses the regional one.
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const inputBucket = requiredEnv('INPUT_BUCKET');
const resultsBucket = requiredEnv('RESULTS_BUCKET');
// Empty is valid (the whole bucket): read it without requiredEnv.
const inputPrefix = process.env.INPUT_PREFIX ?? '';

/**
 * The mapper: the task of each Distributed Map child workflow, one per input object. Counts the
 * object's words into partials/<key>/<ETag>.json in the results bucket and returns a pointer to
 * them (src/lib/map-object.ts). The bucket is the stack's input bucket, never one from the event.
 */
export const handler = taskHandler<MapItem, MapResult>('map-words', async (item) => {
  logger.appendKeys({ key: item.key, eTag: item.eTag });
  const result = await mapObject(item, { s3, inputBucket, inputPrefix, resultsBucket });
  if (result.status === 'counted') {
    logger.info(result.reused ? 'Already counted: reused the partial result' : 'Counted', { partialKey: result.partialKey, words: result.words, distinctWords: result.distinctWords });
    metrics.addMetric(result.reused ? 'ObjectsReused' : 'ObjectsCounted', MetricUnit.Count, 1);
    if (!result.reused) metrics.addMetric('WordsCounted', MetricUnit.Count, result.words);
  } else {
    logger.info('Skipped', { reason: result.reason });
    metrics.addMetric('ObjectsSkipped', MetricUnit.Count, 1);
  }
  return result;
});
