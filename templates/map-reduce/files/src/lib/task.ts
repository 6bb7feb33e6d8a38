import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.js';

export type TaskHandler<Input, Output> = (input: Input, context: Context) => Promise<Output>;

/**
 * Wraps a task function with what every one needs: Lambda context in the logs, an X-Ray
 * subsegment with the cold-start annotation, metrics flushed once per invocation. Errors are
 * logged and rethrown unchanged: the Lambda runtime reports `error.name` as the errorType, and
 * that is what the state machine's Retry matches on and what the result writer's FAILED files show.
 */
export function taskHandler<Input, Output>(task: string, run: TaskHandler<Input, Output>): TaskHandler<Input, Output> {
  return async (input, context) => {
    logger.addContext(context);
    logger.appendKeys({ task });
    metrics.captureColdStartMetric();
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${task}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await run(input, context);
    } catch (error) {
      logger.error('Task failed', error as Error);
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
      // Only flush when something was recorded: an empty flush logs a warning every time.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
