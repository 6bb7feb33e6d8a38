import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { simulatedFailures } from './flag-client.js';
import { type Job, type JobResult, type Model, runJob } from './job.js';
import { logger, metrics, tracer } from './powertools.js';

/**
 * Runs one job the way every model does: the flag decides whether `fail` and `sleepSeconds` are
 * obeyed, the outcome is logged and counted (JobSucceeded / JobFailed, by model), and a failure is
 * rethrown so that Lambda (or API Gateway) handles it the way the model does.
 */
export async function processJob(model: Model, job: Job, context: Context): Promise<JobResult> {
  const simulate = await simulatedFailures(model, job);
  try {
    const result = await runJob(job, { model, simulate, requestId: context.awsRequestId });
    logger.info('Job done', { model, jobId: job.id, sleptSeconds: result.sleptSeconds });
    metrics.addMetric('JobSucceeded', MetricUnit.Count, 1);
    return result;
  } catch (error) {
    logger.error('Job failed', { model, jobId: job.id, error: error as Error });
    metrics.addMetric('JobFailed', MetricUnit.Count, 1);
    throw error;
  }
}

/** Lambda context in the logs, the model as a metric dimension, metrics flushed once per invocation. */
export function instrumented<E, R>(model: Model, run: (event: E, context: Context) => Promise<R>) {
  return async (event: E, context: Context): Promise<R> => {
    logger.addContext(context);
    logger.appendKeys({ model });
    metrics.addDimension('model', model);
    metrics.captureColdStartMetric();
    tracer.annotateColdStart();
    try {
      return await run(event, context);
    } finally {
      // Only flush when something was recorded: an empty flush logs a warning every time.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      metrics.clearDimensions();
      logger.resetKeys();
    }
  };
}
