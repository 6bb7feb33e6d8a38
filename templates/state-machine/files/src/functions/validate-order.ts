import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ValidationError } from '../lib/errors.js';
import { type Order, parseOrder } from '../lib/order.js';
import { metrics } from '../lib/powertools.js';
import { taskHandler } from '../lib/task.js';

/**
 * Task "Validate": the execution's input in, the normalized Order out. An input that can never
 * succeed throws ValidationError, which the state machine catches and turns into a "rejected"
 * result instead of a failed execution. Side-effect free (it only reads its input, and a metric
 * is a count), so a retry or an Express re-run is harmless.
 */
export const handler = taskHandler<unknown, Order>('validate-order', async (input) => {
  try {
    return parseOrder(input);
  } catch (error) {
    if (error instanceof ValidationError) metrics.addMetric('OrdersRejected', MetricUnit.Count, 1);
    throw error;
  }
});
