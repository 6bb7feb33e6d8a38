import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMetric } from '../src/lib/metric.js';
import { foldRecords, newState, readState, STATE_BUDGET_BYTES, stateSizeBound } from '../src/lib/window-state.js';
import { eventRecord, metricRecords } from './helpers/tumbling.js';

/** Lambda's cap on the state it carries per shard. */
const LAMBDA_STATE_LIMIT = 1_000_000;
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const at = Date.UTC(2026, 10, 26, 10, 0, 5);

describe('the window state', () => {
  it('starts fresh from the {} Lambda passes at the start of a window, and survives the JSON round trip', () => {
    expect(readState({})).toEqual(newState());
    expect(readState(undefined)).toEqual(newState());
    const state = newState();
    foldRecords(state, metricRecords([{ key: 'a', value: 1.5, at }, { key: 'a', value: -2, at }, { key: 'b', value: 0, at }]));
    expect(readState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(state.keys.a).toMatchObject({ n: 2, s: -0.5, lo: -2, hi: 1.5 });
    expect(state.keys.b).toMatchObject({ n: 1, z: 1 });
    expect(state.shard).toBe('shardId-000000000000');
  });

  it('takes any key, even one named like an Object.prototype property', () => {
    const state = readState(JSON.parse(JSON.stringify(newState())));
    foldRecords(state, metricRecords([{ key: '__proto__', value: 1, at }, { key: 'constructor', value: 2, at }, { key: '__proto__', value: 3, at }]));
    expect(Object.keys(state.keys)).toEqual(['__proto__', 'constructor']);
    expect(state.keys.__proto__).toMatchObject({ n: 2, s: 4 });
    expect(JSON.parse(JSON.stringify(state)).keys.constructor).toMatchObject({ n: 1, s: 2 });
  });

  it('skips records it has already folded in (a redelivered batch does not count twice)', () => {
    const records = metricRecords([{ key: 'a', value: 1, at }, { key: 'a', value: 2, at }, { key: 'a', value: 3, at }]);
    const state = newState();
    expect(foldRecords(state, records.slice(0, 2))).toMatchObject({ folded: 2, duplicates: 0 });
    expect(foldRecords(state, records)).toMatchObject({ folded: 1, duplicates: 2 });
    expect(state.keys.a).toMatchObject({ n: 3, s: 6 });
    expect(state.first).toBe(records[0]!.kinesis.sequenceNumber);
    expect(state.last).toBe(records[2]!.kinesis.sequenceNumber);
  });

  it('sets aside records that are not metrics, counts partition keys that are not the metric key', () => {
    const state = newState();
    const result = foldRecords(state, [
      eventRecord('not json', 'x', '100', at),
      eventRecord(JSON.stringify({ key: 'a', value: 'fast' }), 'a', '101', at),
      eventRecord(JSON.stringify({ key: '', value: 1 }), 'a', '102', at),
      eventRecord(encodeMetric({ key: 'a', value: 1 }), 'somewhere-else', '103', at),
      eventRecord(encodeMetric({ key: 'a', value: 1e101 }), 'a', '104', at),
      eventRecord(encodeMetric({ key: 'a', value: 1e-200 }), 'a', '105', at),
    ]);
    expect(result.rejected).toEqual([
      { sequenceNumber: '100', reason: 'the record data is not JSON' },
      { sequenceNumber: '101', reason: '"value" must be a finite number' },
      { sequenceNumber: '102', reason: '"key" must be a string of 1 to 256 characters' },
      { sequenceNumber: '104', reason: '"value" must be between -1e+100 and 1e+100' },
    ]);
    // DynamoDB could not store 1e-200 (nor a sum of 1e101s): the window's write would fail on every retry.
    expect(state).toMatchObject({ rejected: 4, mismatched: 1, keys: { a: { n: 2, s: 1, lo: 0, z: 1 } } });
  });

  it('bounds its own JSON size from above (the bound the budget is enforced with)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()) }), { maxLength: 300 }),
        (metrics) => {
          const state = newState();
          foldRecords(state, metricRecords(metrics.map((metric) => ({ ...metric, at }))));
          expect(jsonBytes(state)).toBeLessThanOrEqual(stateSizeBound(state));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with more keys than fit (100,000 on one shard): stays under its budget and Lambda\'s 1 MB, drops and counts the rest', () => {
    const state = newState();
    const result = foldRecords(state, metricRecords(Array.from({ length: 100_000 }, (_, i) => ({ key: `tenant-${i}.requests`, value: 1 + (i % 97), at }))));
    const keys = Object.keys(state.keys).length;
    expect(keys).toBeGreaterThan(4000);
    expect(result.folded + result.dropped).toBe(100_000);
    expect(result.dropped).toBe(100_000 - keys);
    expect(state.dropped).toBe(result.dropped);
    expect(result.droppedKeys).toHaveLength(10);
    expect(stateSizeBound(state)).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(jsonBytes(state)).toBeLessThan(LAMBDA_STATE_LIMIT);

    // Admitted keys go on counting exactly; values needing a new bucket go into the nearest one.
    const more = foldRecords(state, metricRecords([{ key: 'tenant-0.requests', value: 5000, at }, { key: 'tenant-0.requests', value: 1, at }, { key: 'new-key', value: 1, at }]));
    expect(more).toMatchObject({ folded: 2, dropped: 1, squeezed: 1 });
    expect(state.keys['tenant-0.requests']).toMatchObject({ n: 3, s: 5002, hi: 5000 });
    expect(jsonBytes(state)).toBeLessThan(LAMBDA_STATE_LIMIT);
  });
});
