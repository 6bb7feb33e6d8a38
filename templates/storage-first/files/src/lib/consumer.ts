import { BatchProcessor, type EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context } from 'aws-lambda';
import { idempotencyConfig } from './process-order.js';
import { logger, metrics, tracer } from './powertools.js';

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/**
 * The consumer's handler around a per-record function: Lambda context in the logs and for the
 * idempotency records' in-progress expiry, metrics flushed once per batch, and Powertools' batch
 * processor turning each record's exception into a batch item failure. When every record of a
 * batch fails, the processor throws (FullBatchFailureError): Lambda then counts an invocation
 * error and backs off polling, which is what you want when the table is down.
 */
export function batchHandler<TRecord>(
  eventType: keyof typeof EventType,
  processRecord: (record: TRecord) => Promise<unknown>,
  { inParallel }: { inParallel: boolean },
) {
  const processor = new BatchProcessor(eventType);
  return async (event: { Records: TRecord[] }, context: Context): Promise<BatchResponse> => {
    logger.addContext(context);
    idempotencyConfig.registerLambdaContext(context);
    metrics.captureColdStartMetric();
    tracer.annotateColdStart();
    try {
      const response = await processPartialResponse(event as never, processRecord, processor, { context, processInParallel: inParallel });
      if (response.batchItemFailures.length > 0) {
        logger.warn('Some records failed and will be retried', { failed: response.batchItemFailures.length, of: event.Records.length });
      }
      return response as BatchResponse;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
