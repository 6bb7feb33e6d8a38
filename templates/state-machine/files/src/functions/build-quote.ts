import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Delivery, Order, Pricing, Quote } from '../lib/order.js';
import { metrics } from '../lib/powertools.js';
import { taskHandler } from '../lib/task.js';

/** Shipping in cents; standard delivery is free from FREE_SHIPPING_FROM_CENTS (after discounts). */
export const SHIPPING_CENTS: Record<Delivery, number> = { pickup: 0, standard: 495, express: 1_295 };
export const FREE_SHIPPING_FROM_CENTS = 5_000;

/**
 * Task "Quote", after the Choice state let the order through: the priced lines, shipping and the
 * total. A pure function of its input, so a retry or a re-run gives the same quote.
 */
export const handler = taskHandler<Order & { pricing: Pricing }, Quote>('build-quote', async ({ orderId, delivery, pricing }) => {
  const subtotalCents = pricing.lines.reduce((sum, line) => sum + line.totalCents, 0);
  const freeShipping = delivery === 'standard' && subtotalCents >= FREE_SHIPPING_FROM_CENTS;
  const shippingCents = freeShipping ? 0 : SHIPPING_CENTS[delivery];
  metrics.addMetric('OrdersQuoted', MetricUnit.Count, 1);
  return {
    orderId,
    status: 'quoted',
    currency: 'EUR',
    lines: pricing.lines,
    subtotalCents,
    shippingCents,
    totalCents: subtotalCents + shippingCents,
    risk: pricing.risk.level,
  };
});
