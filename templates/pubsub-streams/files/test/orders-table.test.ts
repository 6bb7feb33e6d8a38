import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../src/lib/order-events.js';
import { InvalidRecordError } from '../src/lib/order-events.js';
import { applyOrderEvent, rejectRecord } from '../src/lib/orders-table.js';
import { createOrdersTable, type Emulators, readOrder, startEmulators } from './helpers/emulators.js';

// The conditional writes against dynalite: the idempotency guard (sequence numbers compared as
// numbers, per shard) and the status rules, each on its own.

const TABLE = 'orders-table-test';
let emulators: Emulators;

beforeAll(async () => {
  emulators = await startEmulators();
  await createOrdersTable(emulators.dynamo, TABLE);
});
afterAll(() => emulators?.stop());

const at = '2026-11-26T10:00:00.000Z';
const apply = (shardId: string, sequenceNumber: string, event: OrderEvent) => applyOrderEvent(emulators.db, TABLE, { shardId, sequenceNumber }, event);
const long = (n: number) => `49${'6'.repeat(40)}${String(n).padStart(14, '0')}`; // 56 digits, like real ones

describe('applyOrderEvent', () => {
  it('skips a record it has already applied, and says so', async () => {
    expect(await apply('shardId-000000000000', long(1), { orderId: 'o-dup', type: 'placed', at })).toBe('applied');
    expect(await apply('shardId-000000000000', long(1), { orderId: 'o-dup', type: 'placed', at })).toBe('duplicate');
    expect((await readOrder(emulators.db, TABLE, 'o-dup'))?.appliedCount).toBe(1);
  });

  it('skips an older record of the same shard even when its event would be a valid next step', async () => {
    expect(await apply('shardId-000000000000', long(500), { orderId: 'o-old', type: 'placed', at })).toBe('applied');
    expect(await apply('shardId-000000000000', long(499), { orderId: 'o-old', type: 'paid', at })).toBe('duplicate');
    expect((await readOrder(emulators.db, TABLE, 'o-old'))?.status).toBe('PLACED');
  });

  it('compares sequence numbers as numbers: 10 comes after 9, although "10" < "9" as strings', async () => {
    expect(await apply('shardId-000000000000', '9', { orderId: 'o-len', type: 'placed', at })).toBe('applied');
    expect(await apply('shardId-000000000000', '10', { orderId: 'o-len', type: 'paid', at })).toBe('applied');
    expect(await apply('shardId-000000000000', '9', { orderId: 'o-len', type: 'placed', at })).toBe('duplicate');
    const order = await readOrder(emulators.db, TABLE, 'o-len');
    expect(order).toMatchObject({ status: 'PAID', lastSequenceNumber: '10', lastSequence: '10'.padStart(129, '0') });
  });

  it('applies a record of another shard (after a reshard, an order moves to a child shard)', async () => {
    expect(await apply('shardId-000000000000', long(900), { orderId: 'o-reshard', type: 'placed', at })).toBe('applied');
    expect(await apply('shardId-000000000002', long(5), { orderId: 'o-reshard', type: 'paid', at })).toBe('applied');
    expect((await readOrder(emulators.db, TABLE, 'o-reshard'))).toMatchObject({ status: 'PAID', lastShardId: 'shardId-000000000002' });
  });

  it('refuses an event that does not follow from the status, as an invalid record', async () => {
    await expect(apply('shardId-000000000000', long(1), { orderId: 'o-never', type: 'shipped', at })).rejects.toThrow(new InvalidRecordError('"shipped" cannot follow an order that was never placed'));
    await apply('shardId-000000000000', long(2), { orderId: 'o-status', type: 'placed', at });
    await expect(apply('shardId-000000000000', long(3), { orderId: 'o-status', type: 'delivered', at })).rejects.toThrow(/"delivered" cannot follow status PLACED/);
    expect(await apply('shardId-000000000000', long(4), { orderId: 'o-status', type: 'cancelled', at })).toBe('applied');
    expect((await readOrder(emulators.db, TABLE, 'o-status'))?.history).toEqual([
      { type: 'placed', at, sequenceNumber: long(2) },
      { type: 'cancelled', at, sequenceNumber: long(4) },
    ]);
  });
});

describe('rejectRecord', () => {
  it('sets the record aside once, and moves the order past it', async () => {
    await apply('shardId-000000000001', long(10), { orderId: 'o-rej', type: 'placed', at });
    expect(await rejectRecord(emulators.db, TABLE, { shardId: 'shardId-000000000001', sequenceNumber: long(11) }, 'o-rej', 'the record data is not JSON')).toBe('rejected');
    expect(await rejectRecord(emulators.db, TABLE, { shardId: 'shardId-000000000001', sequenceNumber: long(11) }, 'o-rej', 'the record data is not JSON')).toBe('duplicate');
    expect(await apply('shardId-000000000001', long(12), { orderId: 'o-rej', type: 'paid', at })).toBe('applied');
    expect(await readOrder(emulators.db, TABLE, 'o-rej')).toMatchObject({
      status: 'PAID',
      rejectedCount: 1,
      rejected: [{ sequenceNumber: long(11), reason: 'the record data is not JSON' }],
      appliedCount: 2,
    });
  });
});
