import type { KinesisStreamRecord } from 'aws-lambda';
import { decodeMetric, InvalidMetricError } from './metric.js';
import { addValue, newSketch, type Sketch } from './sketch.js';

/**
 * The tumbling-window state: what Lambda carries from one invocation of a window to the next, for
 * one shard. The handler returns it as `state`; Lambda passes it back in the next invocation of the
 * same window, and drops it after the final one. A failed invocation returns nothing, so Lambda
 * retries the batch with the state from before it: records are folded in exactly once per
 * successful invocation. The sequence guard below covers the rarer redelivery of records the
 * state has already seen.
 */
export interface WindowState {
  v: 1;
  /** The shard, from the first record's eventID (the final invocation may have no records). */
  shard?: string;
  /** Sequence numbers of the first and the last record folded in (decimal strings, up to 129 digits). */
  first?: string;
  last?: string;
  /** Records that are not metrics (set aside, never retried: retrying cannot fix them). */
  rejected: number;
  /** Records whose partition key is not their metric key (counted; see README, "Partition key"). */
  mismatched: number;
  /** Records of new keys refused because the state reached STATE_BUDGET_BYTES. */
  dropped: number;
  /** Records counted into an existing bucket for the same reason (their key's p95 may be less accurate). */
  squeezed: number;
  keys: Record<string, Sketch>;
}

/**
 * Lambda keeps at most 1 MB of state per shard and ends the window early past that. The handler
 * stays well below: it admits a new key (or a new sketch bucket) only while an upper bound of the
 * state's JSON size stays under this budget. Past it, new keys' records are dropped and counted
 * (`dropped`, the RecordsDroppedOverStateBudget metric and its alarm), and existing keys keep
 * exact counts, sums, minimums and maximums. Roughly 1,000 to 5,000 keys fit per shard and window,
 * depending on how spread each key's values are; more keys need more shards (or Managed Flink).
 */
export const STATE_BUDGET_BYTES = 900_000;

// Upper bounds of the JSON each part of the state takes (see stateSizeBound; a test checks them).
// Counts stay under 10^7: a shard takes at most 1,000 records a second, 900,000 in a 900 s window.
/** `"<key>":{"n":<7 digits>,"s":<24>,"lo":<24>,"hi":<24>,"z":<7>,"p":{},"m":{}},` minus the key itself. */
export const KEY_BYTES = 130;
/** `"-35489":<7 digits>,`: bucket indexes run from about -1,040 (1e-9) to 35,490 (Number.MAX_VALUE). */
export const BUCKET_BYTES = 17;
/** The fixed fields: v, shard id, two sequence numbers of up to 129 digits, four counters. */
export const FIXED_BYTES = 500;

export function newState(): WindowState {
  return { v: 1, rejected: 0, mismatched: 0, dropped: 0, squeezed: 0, keys: {} };
}

/** Lambda's `state`: `{}` (or nothing) at the start of a window, otherwise what the handler returned. */
export function readState(state: Record<string, unknown> | undefined): WindowState {
  if (!state || state.v !== 1 || typeof state.keys !== 'object' || state.keys === null) return newState();
  return state as unknown as WindowState;
}

const keyBytes = (key: string) => Buffer.byteLength(JSON.stringify(key)) + KEY_BYTES;

/** An upper bound of Buffer.byteLength(JSON.stringify(state)). */
export function stateSizeBound(state: WindowState): number {
  let bytes = FIXED_BYTES;
  for (const [key, sketch] of Object.entries(state.keys)) {
    bytes += keyBytes(key) + (Object.keys(sketch.p).length + Object.keys(sketch.m).length) * BUCKET_BYTES;
  }
  return bytes;
}

export interface FoldResult {
  folded: number;
  /** Records at or below the last sequence number already in the state. */
  duplicates: number;
  rejected: Array<{ sequenceNumber: string; reason: string }>;
  /** Keys refused in this batch because of the budget (a sample of at most 10, for the log). */
  droppedKeys: string[];
  dropped: number;
  squeezed: number;
}

const after = (a: string, b: string | undefined) => b === undefined || BigInt(a) > BigInt(b);

/** `shardId-000000000006:4959…` → `shardId-000000000006`. */
export function shardOfEventId(eventId: string): string {
  const separator = eventId.lastIndexOf(':');
  return separator > 0 ? eventId.slice(0, separator) : eventId;
}

/** Folds a batch (records of one shard, oldest first) into the state, in place. */
export function foldRecords(state: WindowState, records: readonly KinesisStreamRecord[], budget = STATE_BUDGET_BYTES): FoldResult {
  const result: FoldResult = { folded: 0, duplicates: 0, rejected: [], droppedKeys: [], dropped: 0, squeezed: 0 };
  let bound = stateSizeBound(state);
  for (const record of records) {
    const { sequenceNumber, partitionKey } = record.kinesis;
    if (!after(sequenceNumber, state.last)) {
      result.duplicates += 1;
      continue;
    }
    state.shard ??= shardOfEventId(record.eventID);
    state.first ??= sequenceNumber;
    state.last = sequenceNumber;
    let metric;
    try {
      metric = decodeMetric(record);
    } catch (error) {
      if (!(error instanceof InvalidMetricError)) throw error;
      state.rejected += 1;
      result.rejected.push({ sequenceNumber, reason: error.message });
      continue;
    }
    if (partitionKey !== metric.key) state.mismatched += 1;
    // Own properties only: a metric may well be called "constructor" or "__proto__".
    let sketch = Object.hasOwn(state.keys, metric.key) ? state.keys[metric.key] : undefined;
    if (!sketch) {
      const cost = keyBytes(metric.key) + BUCKET_BYTES;
      if (bound + cost > budget) {
        state.dropped += 1;
        result.dropped += 1;
        if (result.droppedKeys.length < 10 && !result.droppedKeys.includes(metric.key)) result.droppedKeys.push(metric.key);
        continue;
      }
      sketch = newSketch();
      Object.defineProperty(state.keys, metric.key, { value: sketch, enumerable: true, writable: true, configurable: true });
      bound += keyBytes(metric.key);
    }
    const added = addValue(sketch, metric.value, bound + BUCKET_BYTES <= budget);
    if (added.newBucket) bound += BUCKET_BYTES;
    if (added.squeezed) {
      state.squeezed += 1;
      result.squeezed += 1;
    }
    result.folded += 1;
  }
  return result;
}
