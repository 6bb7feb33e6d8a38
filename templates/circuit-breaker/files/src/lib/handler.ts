import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { HttpError, errorResponse } from './http.js';
import { logger, metrics, tracer } from './powertools.js';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a function with what every handler needs: Lambda context in the logs, an X-Ray
 * subsegment with the cold-start annotation, metrics flushed once per invocation, and every error
 * turned into the API's JSON error shape.
 */
export function httpHandler(operation: string, run: HttpHandler): HttpHandler {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ operation });
    metrics.captureColdStartMetric();
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${operation}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await run(event, context);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) {
        logger.info('Request rejected', { statusCode: error.statusCode, code: error.code, reason: error.message });
      } else {
        logger.error('Request failed', error as Error);
        tracer.addErrorAsMetadata(error as Error);
      }
      return errorResponse(error);
    } finally {
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
      // Only flush when something was recorded: an empty flush logs a warning every time.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
