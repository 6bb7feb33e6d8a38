import { describe, expect, it } from 'vitest';
import { baselineOf, criticalZ, erfc, judge, MIN_BASELINE_WINDOWS, studentTUpperQuantile } from '../src/lib/baseline.js';

describe('the statistics', () => {
  it.each([
    // Student-t critical values from standard tables: [upper tail, degrees of freedom, t].
    [0.025, 2, 4.303],
    [0.025, 10, 2.228],
    [0.005, 5, 4.032],
    [0.05, 1, 6.314],
    [0.025, 30, 2.042],
    [0.0005, 20, 3.85],
  ])('t quantile: P(T > t) = %f with %i degrees of freedom gives %f', (tail, nu, t) => {
    expect(studentTUpperQuantile(tail, nu)).toBeCloseTo(t, 2);
  });

  it('erfc matches the normal tail: P(Z > 3) = 0.00135, and stays accurate far out (P(Z > 10) = 7.62e-24)', () => {
    expect(erfc(3 / Math.SQRT2) / 2).toBeCloseTo(0.0013499, 6);
    expect(erfc(10 / Math.SQRT2) / 2 / 7.6198530241605e-24).toBeCloseTo(1, 5);
  });

  it('widens the threshold for short baselines and tends to it for long ones', () => {
    expect(criticalZ(3, 3)).toBeGreaterThan(20);
    expect(criticalZ(3, 10)).toBeCloseTo(4.29, 2);
    expect(criticalZ(3, 30)).toBeCloseTo(3.33, 2);
    expect(criticalZ(3, 1000)).toBeCloseTo(3.01, 2);
    expect(criticalZ(10, 1000)).toBeGreaterThan(10);
  });

  it('uses the sample standard deviation of the previous window means', () => {
    expect(baselineOf([1, 2, 3, 4])).toEqual({ windows: 4, mean: 2.5, stdDev: Math.sqrt(5 / 3) });
  });
});

describe('the verdict', () => {
  const flat = Array.from({ length: 30 }, (_, i) => 100 + (i % 2 ? 1 : -1)); // mean 100, sd ≈ 1.017

  it(`judges nothing before ${MIN_BASELINE_WINDOWS} previous windows, however far off the mean is`, () => {
    expect(judge(1e9, [100, 101], 3)).toEqual({ judged: false, reason: 'warming-up', baseline: { windows: 2, mean: 100.5, stdDev: Math.SQRT1_2 } });
    expect(judge(1e9, [], 3)).toEqual({ judged: false, reason: 'warming-up' });
  });

  it('flags a mean beyond the critical z, above or below, and not one within it', () => {
    expect(judge(104, flat, 3)).toMatchObject({ judged: true, anomaly: true });
    expect(judge(96, flat, 3)).toMatchObject({ judged: true, anomaly: true });
    expect(judge(103, flat, 3)).toMatchObject({ judged: true, anomaly: false });
    expect(judge(103, flat, 2)).toMatchObject({ judged: true, anomaly: true });
    const verdict = judge(104, flat, 3);
    expect(verdict.judged && verdict.zScore).toBeCloseTo(4 / baselineOf(flat)!.stdDev, 9);
  });

  it('treats any change of a perfectly flat baseline as an anomaly, with a finite z', () => {
    const verdict = judge(100.5, [100, 100, 100, 100], 3);
    expect(verdict).toMatchObject({ judged: true, anomaly: true });
    expect(verdict.judged && Number.isFinite(verdict.zScore)).toBe(true);
    expect(judge(100, [100, 100, 100], 3)).toMatchObject({ anomaly: false });
  });
});
