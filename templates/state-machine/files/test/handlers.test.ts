import { describe, expect, it } from 'vitest';
import { handler as assessRisk } from '../src/functions/assess-risk.js';
import { handler as buildQuote } from '../src/functions/build-quote.js';
import { handler as priceLine } from '../src/functions/price-line.js';
import { handler as validateOrder } from '../src/functions/validate-order.js';
import { TransientError, ValidationError } from '../src/lib/errors.js';
import type { Order, PricedLine, RiskAssessment } from '../src/lib/order.js';
import { taskHandler } from '../src/lib/task.js';
import { lambdaContext } from './helpers/lambda.js';
import { businessOrder, retailOrder, riskyOrder } from './helpers/orders.js';

// The task functions on their own, called as Lambda calls them. test/workflow.test.ts runs them
// inside the state machine.

const context = lambdaContext();

describe('validate-order', () => {
  it('returns the order with only the known fields, and standard delivery by default', async () => {
    const { delivery: _, ...withoutDelivery } = retailOrder;
    const input = { ...withoutDelivery, note: 'ignored', customer: { ...retailOrder.customer, email: 'x@example.com' } };
    expect(await validateOrder(input, context)).toEqual(retailOrder);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'order-1', 'the input must be a JSON object'],
    ['no customer', { ...retailOrder, customer: undefined }, 'customer must be an object with id and tier'],
    ['an unknown delivery', { ...retailOrder, delivery: 'drone' }, 'delivery must be one of pickup, standard, express'],
    ['too many lines', { ...retailOrder, items: Array.from({ length: 101 }, () => retailOrder.items[0]) }, 'items must be a list of 1 to 100 order lines'],
    ['a fractional quantity', { ...retailOrder, items: [{ sku: 'A', quantity: 1.5, unitPriceCents: 100 }] }, 'items[0].quantity must be an integer from 1 to 1000'],
    ['a price in euros', { ...retailOrder, items: [{ sku: 'A', quantity: 1, unitPriceCents: 19.99 }] }, 'items[0].unitPriceCents must be an integer from 1 to 10000000 (euro cents)'],
    ['a line that is not an object', { ...retailOrder, items: [null] }, 'items[0] must be an object'],
  ])('throws ValidationError for %s', async (_, input, problem) => {
    const error = await validateOrder(input, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    // The Lambda runtime reports error.name as the errorType the state machine's Catch matches.
    expect((error as Error).name).toBe('ValidationError');
    expect((error as ValidationError).problems).toContain(problem);
  });

  it('lists every problem at once', async () => {
    const error = (await validateOrder({ orderId: '', items: [{ sku: '', quantity: 0, unitPriceCents: 0 }] }, context).catch((e: unknown) => e)) as ValidationError;
    expect(error.problems).toHaveLength(5);
  });
});

describe('price-line', () => {
  it('prices a retail line at list price', async () => {
    expect(await priceLine({ customerId: 'c', tier: 'retail', item: { sku: 'A', quantity: 3, unitPriceCents: 333 } }, context)).toEqual({
      sku: 'A',
      quantity: 3,
      unitPriceCents: 333,
      discountPercent: 0,
      totalCents: 999,
    });
  });

  it('takes 10% off for business customers, rounded to the cent', async () => {
    const line = await priceLine({ customerId: 'c', tier: 'business', item: { sku: 'A', quantity: 3, unitPriceCents: 333 } }, context);
    expect(line).toMatchObject({ discountPercent: 10, totalCents: 899 });
  });

  it('gives no volume discount while the flag is off (as the stack first writes it)', async () => {
    const line = await priceLine({ customerId: 'c', tier: 'retail', item: { sku: 'A', quantity: 500, unitPriceCents: 100 } }, context);
    expect(line.discountPercent).toBe(0);
  });
});

describe('assess-risk', () => {
  it.each<[string, Order, Pick<RiskAssessment, 'level' | 'score'>]>([
    ['a small retail order', retailOrder, { level: 'low', score: 0 }],
    ['a business order (never below 0)', businessOrder, { level: 'low', score: 0 }],
    ['a large retail order', { ...retailOrder, items: [{ sku: 'A', quantity: 1, unitPriceCents: 200_001 }] }, { level: 'medium', score: 50 }],
    ['a large, bulk, express retail order', riskyOrder, { level: 'high', score: 100 }],
    ['the same from a business customer (no express surcharge, 20 off)', { ...riskyOrder, customer: { id: 'b', tier: 'business' } }, { level: 'high', score: 60 }],
  ])('scores %s', async (_, order, expected) => {
    expect(await assessRisk(order, context)).toMatchObject(expected);
  });
});

describe('build-quote', () => {
  const line = (totalCents: number): PricedLine => ({ sku: 'A', quantity: 1, unitPriceCents: totalCents, discountPercent: 0, totalCents });
  const quote = (delivery: Order['delivery'], totals: number[]) =>
    buildQuote({ ...retailOrder, delivery, pricing: { lines: totals.map(line), risk: { level: 'low', score: 0, reasons: [] } } }, context);

  it.each<[Order['delivery'], number[], number, number]>([
    ['standard', [4_999], 495, 5_494],
    ['standard', [2_500, 2_500], 0, 5_000],
    ['express', [10_000], 1_295, 11_295],
    ['pickup', [100], 0, 100],
  ])('%s delivery of %j: shipping %i, total %i', async (delivery, totals, shippingCents, totalCents) => {
    expect(await quote(delivery, totals)).toMatchObject({ status: 'quoted', shippingCents, totalCents, subtotalCents: totalCents - shippingCents });
  });
});

describe('taskHandler', () => {
  it('rethrows errors unchanged, so their name reaches Step Functions as the errorType', async () => {
    const transient = new TransientError('try again');
    const failing = taskHandler('test', async () => {
      throw transient;
    });
    await expect(failing({}, context)).rejects.toBe(transient);
    expect(transient.name).toBe('TransientError');
  });
});
