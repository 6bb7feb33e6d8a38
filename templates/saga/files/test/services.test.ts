import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../src/lib/payment-provider.js';
import { parseOrder } from '../src/lib/saga.js';
import { createTables, item, type LocalDynamoDb, startDynalite, stock, useEmulatorEnvironment } from './helpers/dynalite.js';
import { order, refusals } from './helpers/orders.js';

// The three services against dynalite: each step is safe to repeat, and each compensation is a
// no-op when repeated or when there is nothing to undo. This is what lets the saga retry anything.

const tables = { inventory: 'svc-inventory', payments: 'svc-payments', shipments: 'svc-shipments' };
let db: LocalDynamoDb;
let inventory: typeof import('../src/lib/inventory.js');
let payments: typeof import('../src/lib/payments.js');
let shipping: typeof import('../src/lib/shipping.js');

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables);
  await createTables(db, tables);
  inventory = await import('../src/lib/inventory.js');
  payments = await import('../src/lib/payments.js');
  shipping = await import('../src/lib/shipping.js');
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  await stock(db, tables.inventory, 'LAMP-1', 10);
  await stock(db, tables.inventory, 'BOOK-7', 5);
});

const available = async (sku: string) => (await item(db, tables.inventory, { pk: `sku#${sku}` }))?.available;

describe('inventory', () => {
  it('reserving twice holds once and returns the same reservation', async () => {
    const input = order();
    const first = await inventory.reserveInventory(input);
    const second = await inventory.reserveInventory(input);
    expect(second).toEqual(first);
    expect(await available('LAMP-1')).toBe(8);
    expect(await item(db, tables.inventory, { pk: 'sku#LAMP-1' })).toMatchObject({ [`hold#${input.orderId}`]: 2 });
  });

  it('resuming a reservation whose function died half-way holds each SKU once', async () => {
    const input = order();
    await inventory.reserveInventory(input);
    // As if the first attempt died after its holds, before marking the reservation RESERVED.
    await db.client.send(new UpdateCommand({ TableName: tables.inventory, Key: { pk: `reservation#${input.orderId}` }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'RESERVING' } }));
    await inventory.reserveInventory(input);
    expect(await available('LAMP-1')).toBe(8);
    expect(await available('BOOK-7')).toBe(4);
    expect(await item(db, tables.inventory, { pk: `reservation#${input.orderId}` })).toMatchObject({ status: 'RESERVED' });
  });

  it('releasing gives the stock back once: a second release is a no-op', async () => {
    const input = order();
    await inventory.reserveInventory(input);
    expect(await inventory.releaseInventory(input.orderId)).toEqual({ outcome: 'undone' });
    expect(await inventory.releaseInventory(input.orderId)).toEqual({ outcome: 'no-op', reason: 'already released' });
    expect(await available('LAMP-1')).toBe(10);
    expect(await available('BOOK-7')).toBe(5);
    expect(await item(db, tables.inventory, { pk: 'sku#LAMP-1' })).not.toHaveProperty(`hold#${input.orderId}`);
  });

  it('releasing what was never reserved is a no-op that leaves a tombstone, so a late reservation is refused', async () => {
    const input = order();
    expect(await inventory.releaseInventory(input.orderId)).toEqual({ outcome: 'no-op', reason: 'nothing was reserved for this order' });
    await expect(inventory.reserveInventory(input)).rejects.toMatchObject({ name: 'InventoryUnavailable', message: expect.stringMatching(/released already/) });
    expect(await available('LAMP-1')).toBe(10);
  });

  it('refuses an order it cannot fill completely, giving back the SKUs it already held', async () => {
    const input = order({ items: [{ sku: 'LAMP-1', quantity: 3 }, { sku: 'BOOK-7', quantity: 6 }] });
    await expect(inventory.reserveInventory(input)).rejects.toMatchObject({ name: 'InventoryUnavailable', message: 'Not enough stock: BOOK-7: 5 available, 6 ordered' });
    expect(await available('LAMP-1')).toBe(10);
    expect(await item(db, tables.inventory, { pk: `reservation#${input.orderId}` })).toMatchObject({ status: 'REJECTED' });
    expect(await inventory.releaseInventory(input.orderId)).toEqual({ outcome: 'no-op', reason: 'the order held no stock' });
  });

  it('refuses a SKU nobody stocked', async () => {
    await expect(inventory.reserveInventory(order({ items: [{ sku: 'GHOST-0', quantity: 1 }] }))).rejects.toMatchObject({
      name: 'InventoryUnavailable',
      message: 'Not enough stock: GHOST-0 is not stocked',
    });
  });

  it('never oversells: two orders racing for the last lamps, one wins', async () => {
    await stock(db, tables.inventory, 'LAMP-1', 3);
    const results = await Promise.allSettled([order({ items: [{ sku: 'LAMP-1', quantity: 2 }] }), order({ items: [{ sku: 'LAMP-1', quantity: 2 }] })].map((o) => inventory.reserveInventory(o)));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await available('LAMP-1')).toBe(1);
  });
});

describe('payments', () => {
  const recordingProvider = () => {
    const calls: string[] = [];
    const provider: PaymentProvider = {
      charge: async ({ idempotencyKey }) => (calls.push(`charge ${idempotencyKey}`), { chargeId: `ch_${idempotencyKey}` }),
      refund: async ({ idempotencyKey }) => (calls.push(`refund ${idempotencyKey}`), { refundId: `re_${idempotencyKey}` }),
    };
    return { calls, provider };
  };

  it('charging twice charges once (same idempotency key, one record)', async () => {
    const input = order();
    const { calls, provider } = recordingProvider();
    const first = await payments.chargePayment(input, provider);
    const second = await payments.chargePayment(input, provider);
    expect(second).toEqual(first);
    expect(calls).toEqual([`charge order-${input.orderId}`]);
    expect(await item(db, tables.payments, { orderId: input.orderId })).toMatchObject({ status: 'CHARGED', amount: 12_900, chargeId: first.chargeId });
  });

  it('a declined card leaves a DECLINED record and nothing to refund', async () => {
    const input = order(refusals.ChargePayment);
    await expect(payments.chargePayment(input)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(await payments.refundPayment(input.orderId)).toEqual({ outcome: 'no-op', reason: 'the charge was declined' });
  });

  it('refunding twice refunds once', async () => {
    const input = order();
    const { calls, provider } = recordingProvider();
    await payments.chargePayment(input, provider);
    expect(await payments.refundPayment(input.orderId, provider)).toEqual({ outcome: 'undone' });
    expect(await payments.refundPayment(input.orderId, provider)).toEqual({ outcome: 'no-op', reason: 'already refunded' });
    expect(calls).toEqual([`charge order-${input.orderId}`, `refund order-${input.orderId}`]);
  });

  it('refunding a payment never charged is a no-op, and a late charge is then refused', async () => {
    const input = order();
    const { calls, provider } = recordingProvider();
    expect(await payments.refundPayment(input.orderId, provider)).toEqual({ outcome: 'no-op', reason: 'nothing was charged for this order' });
    await expect(payments.chargePayment(input, provider)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(calls).toEqual([]);
  });

  it('refunds through the provider when the function died between recording and charging (PENDING)', async () => {
    const input = order();
    const { calls, provider } = recordingProvider();
    const dies: PaymentProvider = { ...provider, charge: async () => Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })) };
    await expect(payments.chargePayment(input, dies)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(await item(db, tables.payments, { orderId: input.orderId })).toMatchObject({ status: 'PENDING' });
    expect(await payments.refundPayment(input.orderId, provider)).toEqual({ outcome: 'undone' });
    expect(calls).toEqual([`refund order-${input.orderId}`]);
  });
});

describe('shipping', () => {
  it('arranging twice books once; cancelling twice cancels once', async () => {
    const input = order();
    const first = await shipping.arrangeShipping(input, 'standard');
    expect(await shipping.arrangeShipping(input, 'standard')).toEqual(first);
    expect(await shipping.cancelShipment(input.orderId)).toEqual({ outcome: 'undone' });
    expect(await shipping.cancelShipment(input.orderId)).toEqual({ outcome: 'no-op', reason: 'already cancelled' });
    await expect(shipping.arrangeShipping(input, 'standard')).rejects.toMatchObject({ name: 'ShippingUnavailable' });
  });

  it('cancelling what was never arranged is a no-op that blocks a late booking', async () => {
    const input = order();
    expect(await shipping.cancelShipment(input.orderId)).toEqual({ outcome: 'no-op', reason: 'nothing was arranged for this order' });
    await expect(shipping.arrangeShipping(input, 'standard')).rejects.toMatchObject({ name: 'ShippingUnavailable' });
  });

  it('refuses a country the carrier does not deliver to', async () => {
    await expect(shipping.arrangeShipping(order(refusals.ArrangeShipping), 'standard')).rejects.toMatchObject({ name: 'ShippingUnavailable', message: 'The carrier does not deliver to AQ' });
  });
});

describe('the order a saga starts with', () => {
  it('is taken as given when valid', () => {
    const input = order();
    expect(parseOrder({ ...input, extra: 'ignored' })).toEqual(input);
  });

  it.each([
    [{ orderId: 'has spaces' }, /orderId/],
    [{ items: [] }, /items must list 1 to 50 items/],
    [{ items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] }, /appears twice/],
    [{ items: [{ sku: 'A', quantity: 0 }] }, /quantity must be an integer from 1 to 1000/],
    [{ amount: 12.5 }, /amount must be a positive integer/],
    [{ currency: 'euro' }, /currency/],
    [{ shipTo: { name: 'x', line1: 'y', city: 'z', postalCode: '1', country: 'Germany' } }, /shipTo.country/],
  ])('refuses %j with InvalidOrder', (change, message) => {
    expect(() => parseOrder({ ...order(), ...change })).toThrow(message);
    try {
      parseOrder({ ...order(), ...change });
    } catch (error) {
      expect((error as Error).name).toBe('InvalidOrder');
    }
  });
});
