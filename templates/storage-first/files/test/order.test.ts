import { describe, expect, it } from 'vitest';
import { InvalidOrderError, ORDER_LIMITS, parseOrder, totalUnits } from '../src/lib/order.js';

const valid = { orderId: 'order-1', customerId: 'customer_1', items: [{ sku: 'LAMP-01', quantity: 2 }, { sku: 'DESK-02', quantity: 1 }] };

describe('parseOrder (the consumer\'s check, the same rules as the API model)', () => {
  it('accepts a valid order, with or without a note, and counts its units', () => {
    expect(parseOrder(JSON.stringify(valid))).toEqual(valid);
    expect(parseOrder(JSON.stringify({ ...valid, note: 'ring twice' })).note).toBe('ring twice');
    expect(totalUnits(parseOrder(JSON.stringify(valid)))).toBe(3);
  });

  it.each<[string, unknown, RegExp]>([
    ['a body that is not JSON', '{"orderId":', /not JSON/],
    ['an array', [valid], /must be a JSON object/],
    ['an unknown field', { ...valid, price: 3 }, /Unknown fields: price/],
    ['an orderId with a space', { ...valid, orderId: 'order 1' }, /orderId must be/],
    ['a 65-character orderId', { ...valid, orderId: 'x'.repeat(65) }, /orderId must be/],
    ['no customerId', { ...valid, customerId: undefined }, /customerId must be/],
    ['no items', { ...valid, items: [] }, /items must be a list of 1 to 100/],
    ['too many items', { ...valid, items: Array.from({ length: ORDER_LIMITS.maxItems + 1 }, () => valid.items[0]) }, /items must be a list/],
    ['a lower-case SKU', { ...valid, items: [{ sku: 'lamp', quantity: 1 }] }, /items\[0\]\.sku/],
    ['an extra field in a line', { ...valid, items: [{ sku: 'LAMP-01', quantity: 1, price: 2 }] }, /items\[0\]\.sku/],
    ['a fractional quantity', { ...valid, items: [{ sku: 'LAMP-01', quantity: 1.5 }] }, /items\[0\]\.quantity/],
    ['a quantity over 1000', { ...valid, items: [{ sku: 'LAMP-01', quantity: 1001 }] }, /items\[0\]\.quantity must be an integer from 1 to 1000/],
    ['a long note', { ...valid, note: 'x'.repeat(1001) }, /note must be/],
  ])('refuses %s as a poison message', (_, value, message) => {
    const body = typeof value === 'string' ? value : JSON.stringify(value);
    expect(() => parseOrder(body)).toThrow(InvalidOrderError);
    expect(() => parseOrder(body)).toThrow(message);
  });
});
