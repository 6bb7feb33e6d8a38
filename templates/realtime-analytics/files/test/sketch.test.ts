import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addValue, bucketCount, exactQuantile, MAX_BUCKETS, newSketch, quantile, RELATIVE_ACCURACY } from '../src/lib/sketch.js';

const sketchOf = (values: readonly number[]) => {
  const sketch = newSketch();
  for (const value of values) addValue(sketch, value);
  return sketch;
};

/** |estimate − exact| ≤ α·|exact| (plus the zero band, 1e-9). */
const withinBound = (estimate: number, exact: number) => Math.abs(estimate - exact) <= RELATIVE_ACCURACY * Math.abs(exact) + 1e-9;

describe('the p95 sketch', () => {
  it('keeps count, sum, min and max exact, and the p95 within 1 % of the exact p95 (values spread over a factor 100)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 1, maxLength: 2000 }), (values) => {
        const sketch = sketchOf(values);
        expect(sketch.n).toBe(values.length);
        expect(sketch.s).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
        expect(sketch.lo).toBe(Math.min(...values));
        expect(sketch.hi).toBe(Math.max(...values));
        const [estimate, exact] = [quantile(sketch, 0.95) as number, exactQuantile(values, 0.95) as number];
        expect(withinBound(estimate, exact), `p95 ${estimate} vs exact ${exact}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('holds the bound for negative values and zeros too, at every quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(0)), { minLength: 1, maxLength: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const [estimate, exact] = [quantile(sketchOf(values), q) as number, exactQuantile(values, q) as number];
          expect(withinBound(estimate, exact), `q${q}: ${estimate} vs ${exact}`).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays bounded: values over a factor 10^12 use at most MAX_BUCKETS buckets, and the p95 is still within 1 %', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => 10 ** (-3 + (12 * i) / 20_000));
    const sketch = sketchOf(values);
    expect(bucketCount(sketch)).toBe(MAX_BUCKETS);
    expect(sketch.n).toBe(values.length);
    expect(withinBound(quantile(sketch, 0.95) as number, exactQuantile(values, 0.95) as number)).toBe(true);
    // The collapsed low end is reported too high, never too low.
    expect(quantile(sketch, 0.01) as number).toBeGreaterThanOrEqual(exactQuantile(values, 0.01) as number);
  });

  it('is tested against an exact p95 on a realistic latency distribution (log-normal, 50,000 values)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = Array.from({ length: 50_000 }, () => Math.exp(4 + 0.6 * Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random())));
    const sketch = sketchOf(values);
    const [estimate, exact] = [quantile(sketch, 0.95) as number, exactQuantile(values, 0.95) as number];
    expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(bucketCount(sketch)).toBeLessThan(MAX_BUCKETS);
    expect(JSON.stringify(sketch).length).toBeLessThan(3000);
  });
});
