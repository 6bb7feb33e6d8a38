/**
 * A bounded quantile sketch (the log-bucketed "DDSketch" idea): each value goes into the bucket
 * i = ceil(log_γ |x|) with γ = (1 + α) / (1 − α), and a bucket is reported as 2γ^i / (γ + 1). Every
 * value of a bucket is then within a relative error α of that report, so any quantile the sketch
 * returns is within α of the true value of the same rank (as long as its bucket was not collapsed,
 * below). The state holds one small map of counts per key instead of every value.
 *
 * - α = 1 %: a p95 of 200 ms is reported between 198 and 202 ms.
 * - |x| below MIN_INDEXABLE counts as zero (reported as 0: an absolute error under 1e-9).
 * - At most MAX_BUCKETS buckets per sign: past that the lowest buckets are merged upwards, which
 *   keeps the high quantiles exact to α (what a p95 needs) while the range covered stays a factor
 *   γ^256 ≈ 165 below the largest value; a p95 more than 165 times below the window's maximum loses
 *   the guarantee (it is then reported too high, never too low).
 *
 * The sketch lives in the tumbling-window state that Lambda carries between invocations, so its
 * JSON is kept short: one-letter fields, bucket indexes as object keys.
 */
export const RELATIVE_ACCURACY = 0.01;
export const MAX_BUCKETS = 256;
export const MIN_INDEXABLE = 1e-9;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

export interface Sketch {
  /** Count, sum, minimum and maximum: exact. */
  n: number;
  s: number;
  lo: number;
  hi: number;
  /** Values that count as zero. */
  z: number;
  /** Positive values: bucket index → count. */
  p: Record<string, number>;
  /** Negative values, by the bucket of |x|: index → count. */
  m: Record<string, number>;
}

export function newSketch(): Sketch {
  return { n: 0, s: 0, lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY, z: 0, p: {}, m: {} };
}

export function bucketIndex(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LOG_GAMMA);
}

export function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

/** Where a value goes: the zero counter, or a bucket of one sign. */
export function bucketOf(value: number): { sign: 'p' | 'm'; index: number } | 'zero' {
  const magnitude = Math.abs(value);
  if (magnitude < MIN_INDEXABLE) return 'zero';
  return { sign: value > 0 ? 'p' : 'm', index: bucketIndex(magnitude) };
}

export function bucketCount(sketch: Sketch): number {
  return Object.keys(sketch.p).length + Object.keys(sketch.m).length;
}

/**
 * Adds one value. `allowNewBucket: false` (the state is at its size budget, see window-state.ts)
 * counts a value that would open a bucket into the nearest existing bucket of its sign instead:
 * count, sum, min and max stay exact, only the p95 may lose accuracy. Returns whether it did.
 */
export function addValue(sketch: Sketch, value: number, allowNewBucket = true): { newBucket: boolean; squeezed: boolean } {
  sketch.n += 1;
  sketch.s += value;
  if (value < sketch.lo) sketch.lo = value;
  if (value > sketch.hi) sketch.hi = value;
  const bucket = bucketOf(value);
  if (bucket === 'zero') {
    sketch.z += 1;
    return { newBucket: false, squeezed: false };
  }
  const buckets = sketch[bucket.sign];
  const key = String(bucket.index);
  if (buckets[key] !== undefined) {
    buckets[key] += 1;
    return { newBucket: false, squeezed: false };
  }
  const existing = Object.keys(buckets);
  if (!allowNewBucket && existing.length > 0) {
    const nearest = existing.reduce((best, candidate) => (Math.abs(Number(candidate) - bucket.index) < Math.abs(Number(best) - bucket.index) ? candidate : best));
    buckets[nearest] = (buckets[nearest] ?? 0) + 1;
    return { newBucket: false, squeezed: true };
  }
  buckets[key] = 1;
  if (existing.length + 1 > MAX_BUCKETS) collapseLowest(sketch, bucket.sign);
  return { newBucket: existing.length + 1 <= MAX_BUCKETS, squeezed: false };
}

/** Merges the lowest-valued bucket of one sign into its neighbour towards larger values. */
function collapseLowest(sketch: Sketch, sign: 'p' | 'm'): void {
  const buckets = sketch[sign];
  // Positive: the smallest index is the smallest value. Negative: the largest |x| is the smallest value.
  const indexes = Object.keys(buckets).map(Number).sort((a, b) => (sign === 'p' ? a - b : b - a));
  const [lowest, next] = indexes;
  if (lowest === undefined || next === undefined) return;
  buckets[String(next)] = (buckets[String(next)] ?? 0) + (buckets[String(lowest)] ?? 0);
  delete buckets[String(lowest)];
}

/**
 * The value of rank ⌊q·(n − 1)⌋ (0-based) in sorted order, within the relative accuracy α, and
 * clamped to [min, max]. `undefined` for an empty sketch.
 */
export function quantile(sketch: Sketch, q: number): number | undefined {
  if (sketch.n === 0) return undefined;
  const rank = q * (sketch.n - 1);
  let seen = 0;
  const clamp = (value: number) => Math.min(sketch.hi, Math.max(sketch.lo, value));
  // Negative values, most negative first (largest |x| bucket first).
  for (const index of Object.keys(sketch.m).map(Number).sort((a, b) => b - a)) {
    seen += sketch.m[String(index)] ?? 0;
    if (seen > rank) return clamp(-bucketValue(index));
  }
  seen += sketch.z;
  if (seen > rank) return clamp(0);
  for (const index of Object.keys(sketch.p).map(Number).sort((a, b) => a - b)) {
    seen += sketch.p[String(index)] ?? 0;
    if (seen > rank) return clamp(bucketValue(index));
  }
  return sketch.hi;
}

/** The exact value the sketch approximates: rank ⌊q·(n − 1)⌋ of the sorted values. */
export function exactQuantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}
