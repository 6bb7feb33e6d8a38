import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { requiredEnv } from '../lib/env.js';
import { excludeStopWords } from '../lib/flag-client.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { reduce, type ReduceInput, type ReduceResult } from '../lib/reduce.js';
import { taskHandler } from '../lib/task.js';

const s3 = tracer.captureAWSv3Client(new S3Client({}));
const resultsBucket = requiredEnv('RESULTS_BUCKET');

/**
 * The reducer: the state after the Distributed Map. Reads the map run's manifest and result
 * files, sums the partial counts and writes output/<job>/word-counts.json (src/lib/reduce.ts).
 */
export const handler = taskHandler<ReduceInput, ReduceResult>('reduce-counts', async (input) => {
  logger.appendKeys({ job: input.job, mapRunArn: input.mapRunArn });
  const result = await reduce(input, { s3, resultsBucket, excludeStopWords });
  const level = result.complete ? 'info' : 'warn';
  logger[level](result.complete ? 'Reduced every object' : 'Reduced, with objects missing (see "missing" in the output object)', { ...result });
  metrics.addMetric('ObjectsReduced', MetricUnit.Count, result.objects.counted);
  metrics.addMetric('ObjectsMissing', MetricUnit.Count, result.objects.missing);
  return result;
});
