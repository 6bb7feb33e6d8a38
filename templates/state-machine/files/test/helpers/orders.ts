import type { Order } from '../../src/lib/order.js';

/** A retail order of two lines: low risk, free standard shipping (8,198 cents after no discount). */
export const retailOrder: Order = {
  orderId: 'order-1001',
  customer: { id: 'cust-42', tier: 'retail' },
  delivery: 'standard',
  items: [
    { sku: 'LAMP-01', quantity: 2, unitPriceCents: 1_999 },
    { sku: 'BULB-02', quantity: 12, unitPriceCents: 350 },
  ],
};

/** One line: the shortest path through the Map (and deterministic retries). */
export const oneLineOrder: Order = {
  orderId: 'order-1002',
  customer: { id: 'cust-7', tier: 'retail' },
  delivery: 'standard',
  items: [{ sku: 'BULB-02', quantity: 1, unitPriceCents: 350 }],
};

/** A business order: 10% off every line, express shipping. */
export const businessOrder: Order = {
  orderId: 'order-2001',
  customer: { id: 'acme-gmbh', tier: 'business' },
  delivery: 'express',
  items: [{ sku: 'LAMP-01', quantity: 20, unitPriceCents: 1_999 }],
};

/** Large, bulk and express for a retail customer: risk score 100, referred to a person. */
export const riskyOrder: Order = {
  orderId: 'order-3001',
  customer: { id: 'cust-99', tier: 'retail' },
  delivery: 'express',
  items: [{ sku: 'DESK-01', quantity: 60, unitPriceCents: 5_000 }],
};

/** Over 2,000 EUR but nothing else: risk "medium", still quoted. */
export const largeOrder: Order = {
  orderId: 'order-3002',
  customer: { id: 'cust-100', tier: 'retail' },
  delivery: 'pickup',
  items: [{ sku: 'SOFA-01', quantity: 3, unitPriceCents: 80_000 }],
};
