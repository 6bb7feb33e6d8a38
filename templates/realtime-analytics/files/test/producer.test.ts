import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMetric } from '../src/lib/metric.js';
import { putMetrics } from '../src/lib/producer.js';
import { foldRecords, newState } from '../src/lib/window-state.js';
import { createStream, type Kinesis, readShard, startKinesis } from './helpers/emulators.js';
import { fromKinesis } from './helpers/tumbling.js';

// The producer side against kinesalite: what `npm run produce` (src/lib/producer.ts) puts is what
// the aggregator's decoder reads back, each metric key on one shard.

const STREAM = 'metrics';
let emulator: Kinesis;
let shardIds: string[];

beforeAll(async () => {
  emulator = await startKinesis();
  shardIds = await createStream(emulator.kinesis, STREAM, 3);
});
afterAll(() => emulator?.stop());

describe('the producer', () => {
  it('puts records (partition key = metric key) that the aggregator decodes back, each key on a single shard', async () => {
    const metrics = Array.from({ length: 1_200 }, (_, i) => ({ key: `api-${i % 20}.latency_ms`, value: Number((i * 1.37).toFixed(2)) }));
    const results = await putMetrics(emulator.kinesis, STREAM, metrics);
    expect(results).toHaveLength(metrics.length); // three PutRecords requests of at most 500

    const byShard = new Map<string, ReturnType<typeof fromKinesis>[]>();
    for (const shardId of shardIds) byShard.set(shardId, (await readShard(emulator.kinesis, STREAM, shardId)).map((record) => fromKinesis(record, shardId)));
    const records = [...byShard.values()].flat();
    expect(records.map((record) => decodeMetric(record)).sort((a, b) => a.value - b.value)).toEqual(metrics);
    for (const record of records) expect(record.kinesis.partitionKey).toBe(decodeMetric(record).key);
    expect([...byShard.values()].filter((shard) => shard.length > 0).length).toBeGreaterThan(1);
    for (let k = 0; k < 20; k++) {
      const shards = [...byShard.entries()].filter(([, shard]) => shard.some((record) => record.kinesis.partitionKey === `api-${k}.latency_ms`));
      expect(shards, `api-${k}`).toHaveLength(1);
    }

    // Folded shard by shard, as Lambda's windows would: every record counted once, none rejected or mismatched.
    const states = [...byShard.values()].map((shard) => {
      const state = newState();
      foldRecords(state, shard);
      return state;
    });
    expect(states.reduce((n, state) => n + Object.values(state.keys).reduce((m, sketch) => m + sketch.n, 0), 0)).toBe(metrics.length);
    expect(states.every((state) => state.rejected === 0 && state.mismatched === 0)).toBe(true);
    const api0 = states.find((state) => state.keys['api-0.latency_ms'])?.keys['api-0.latency_ms'];
    const expected = metrics.filter((m) => m.key === 'api-0.latency_ms').map((m) => m.value);
    expect(api0).toMatchObject({ n: expected.length, lo: Math.min(...expected), hi: Math.max(...expected) });
    expect(api0!.s).toBeCloseTo(expected.reduce((a, b) => a + b, 0), 6);
  });
});
