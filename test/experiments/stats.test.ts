import jStatModule from 'jstat';
import { describe, expect, it } from 'vitest';

import { chiSquareGoodnessOfFit, chiSquareIndependence, chiSquareUpperP, liftOver, normalTwoSidedP, twoProportionZTest, wilsonInterval, zCritical } from '../../src/experiments/stats.js';

/** Every number in a value, however deep: none may be NaN. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('wilsonInterval', () => {
  // Published: R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17 (1998) 857–872, Table I, method 3 (score interval without
  // continuity correction), 95%: 81/263 → 0.2553–0.3662, 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611,
  // 1/29 → 0.0061–0.1718. Printed to 4 decimals; toBeCloseTo(…, 4) holds each end to ±0.00005.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('matches Newcombe (1998) Table I for %i/%i', (k, n, low, high) => {
    const [lo, hi] = wilsonInterval(k, n)!;
    expect(lo).toBeCloseTo(low, 4);
    expect(hi).toBeCloseTo(high, 4);
  });

  it('is exact at the ends: 0 successes start at 0, n successes end at 1, and the interval is never a point', () => {
    expect(wilsonInterval(0, 20)![0]).toBe(0);
    const [lo, hi] = wilsonInterval(20, 20)!;
    expect(hi).toBe(1);
    // By hand: 1 − 0.1611 by symmetry with 0/20.
    expect(lo).toBeCloseTo(1 - 0.1611, 4);
  });

  it('widens with confidence and narrows with trials', () => {
    const [lo95, hi95] = wilsonInterval(50, 500, 0.95)!;
    const [lo99, hi99] = wilsonInterval(50, 500, 0.99)!;
    expect(lo99).toBeLessThan(lo95);
    expect(hi99).toBeGreaterThan(hi95);
    const [lo5k, hi5k] = wilsonInterval(500, 5000)!;
    expect(hi5k - lo5k).toBeLessThan(hi95 - lo95);
  });

  it('is null out of zero trials and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(RangeError);
  });
});

describe('twoProportionZTest', () => {
  // Published: B. Illowsky and S. Dean, Collaborative Statistics (OpenStax CNX m17043, "Comparing Two
  // Independent Population Proportions"), the hives example: 20 of 200 adults on medication A and 12 of
  // 200 on B still had hives; two-tailed, pooled proportion 0.08; "p-value = 0.1404".
  // The statistic is not printed there; by hand: SE = √(0.08 · 0.92 · (1/200 + 1/200)) = √0.000736
  // = 0.0271293, z = (0.10 − 0.06) / 0.0271293 = 1.4744.
  it('matches the OpenStax hives example: z = 1.4744, p = 0.1404', () => {
    const { z, pValue } = twoProportionZTest(20, 200, 12, 200);
    expect(z).toBeCloseTo(1.4744, 4);
    expect(pValue).toBeCloseTo(0.1404, 4);
  });

  it('is antisymmetric in its samples and agrees with the 2×2 chi-square (z² = χ², same p)', () => {
    const ab = twoProportionZTest(20, 200, 12, 200);
    const ba = twoProportionZTest(12, 200, 20, 200);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
    const chi = chiSquareIndependence([
      [20, 180],
      [12, 188],
    ]);
    expect(chi.statistic).toBeCloseTo(ab.z ** 2, 10);
    expect(chi.pValue).toBeCloseTo(ab.pValue, 10);
  });

  it('gives p-values in [0, 1] even beyond double precision (|z| ≈ 17.7 here: p is 0, not NaN or negative)', () => {
    const { z, pValue } = twoProportionZTest(1200, 10000, 500, 10000);
    expect(z).toBeGreaterThan(17);
    expect(pValue).toBe(0);
    // Still accurate where it matters: 2·Φ(−3) = 0.0026998.
    expect(normalTwoSidedP(3)).toBeCloseTo(0.0026998, 7);
    expect(normalTwoSidedP(-3)).toBe(normalTwoSidedP(3));
  });

  it('gives z = 0, p = 1 when nobody (or everybody) converted, and refuses empty samples', () => {
    expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(100, 100, 50, 50)).toEqual({ z: 0, pValue: 1 });
    expect(() => twoProportionZTest(0, 0, 1, 10)).toThrow(RangeError);
  });
});

describe('chiSquareIndependence', () => {
  // Published: Fleiss (1981), Statistical Methods for Rates and Proportions, p. 139, as used in R's
  // prop.test examples: smokers 83/86, 90/93, 129/136, 70/82. R's output (shown e.g. in the matstat.org
  // R course, proptest.html) is "X-squared = 12.6, df = 3, p-value = 0.005585" — the statistic to 1
  // decimal only. By hand: 372 smokers and 25 non-smokers among 397; expected smokers 80.5844, 87.1436,
  // 127.4358, 76.8363 and non-smokers 5.4156, 5.8564, 8.5642, 5.1637; Σ(O − E)²/E = 12.6004.
  it('matches the Fleiss smokers table: χ² = 12.6004 (published 12.6), 3 df, p = 0.005585', () => {
    const smokers = [83, 90, 129, 70];
    const patients = [86, 93, 136, 82];
    const result = chiSquareIndependence(smokers.map((s, i) => [s, patients[i]! - s]));
    expect(result.statistic).toBeCloseTo(12.6004, 4);
    expect(result.statistic.toFixed(1)).toBe('12.6');
    expect(result.df).toBe(3);
    expect(result.pValue).toBeCloseTo(0.005585, 6);
  });

  it('leaves out empty rows and columns rather than dividing by zero', () => {
    expect(
      chiSquareIndependence([
        [0, 100],
        [0, 100],
        [0, 100],
      ]),
    ).toEqual({ statistic: 0, df: 0, pValue: 1 });
    const withEmptyRow = chiSquareIndependence([
      [20, 180],
      [0, 0],
      [12, 188],
    ]);
    expect(withEmptyRow.df).toBe(1);
    expect(withEmptyRow.statistic).toBeCloseTo(twoProportionZTest(20, 200, 12, 200).z ** 2, 10);
  });

  it('refuses ragged tables and bad counts', () => {
    expect(() => chiSquareIndependence([[1, 2], [3]])).toThrow(RangeError);
    expect(() => chiSquareIndependence([[1, -2], [3, 4]])).toThrow(RangeError);
    expect(() => chiSquareIndependence([])).toThrow(RangeError);
  });
});

describe('chiSquareGoodnessOfFit', () => {
  // Published: Mendel's dihybrid cross, 315 round-yellow, 108 round-green, 101 wrinkled-yellow and
  // 32 wrinkled-green against 9:3:3:1; P. McClean, NDSU PLSC 431 "Mendel's First Law: Chi-Square Test"
  // (ndsu.edu/pubweb/~mcclean/plsc431/mendel/mendel4.htm): "Chi-square value = 0.47", df = 3, P > 0.90.
  // By hand: expected 312.75, 104.25, 104.25, 34.75; 5.0625/312.75 + 14.0625/104.25 + 10.5625/104.25
  // + 7.5625/34.75 = 0.016187 + 0.134892 + 0.101319 + 0.217626 = 0.4700.
  it("matches Mendel's 9:3:3:1 peas: χ² = 0.4700 (published 0.47), 3 df, p > 0.90", () => {
    const result = chiSquareGoodnessOfFit([315, 108, 101, 32], [9, 3, 3, 1]);
    expect(result.statistic).toBeCloseTo(0.47, 4);
    expect(result.df).toBe(3);
    expect(result.pValue).toBeGreaterThan(0.9);
    // With 3 df the upper tail has a closed form: erfc(√(x/2)) + √(2x/π)·e^(−x/2); jstat's incomplete
    // gamma must agree with it.
    const x = result.statistic;
    const closed = jStatModule.jStat.erfc(Math.sqrt(x / 2)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
    expect(result.pValue).toBeCloseTo(closed, 10);
    expect(result.pValue).toBeCloseTo(0.9254, 4);
  });

  it('takes weights on any scale (percent or shares)', () => {
    expect(chiSquareGoodnessOfFit([10400, 9600], [50, 50])).toEqual(chiSquareGoodnessOfFit([10400, 9600], [0.5, 0.5]));
    // By hand: 2 · 400² / 10,000 = 32.
    expect(chiSquareGoodnessOfFit([10400, 9600], [50, 50]).statistic).toBeCloseTo(32, 10);
  });

  it('treats observations in a category with no expected share as impossible, and no observations as no evidence', () => {
    expect(chiSquareGoodnessOfFit([10, 5], [100, 0])).toMatchObject({ statistic: Number.POSITIVE_INFINITY, pValue: 0 });
    expect(chiSquareGoodnessOfFit([10, 0], [100, 0])).toMatchObject({ statistic: 0, pValue: 1 });
    expect(chiSquareGoodnessOfFit([0, 0], [50, 50])).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('refuses mismatched lengths, a single category and all-zero shares', () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [1])).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1], [1])).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1, 2], [0, 0])).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1, 2], [-1, 2])).toThrow(RangeError);
  });
});

describe('chiSquareUpperP', () => {
  it('gives the textbook critical values: 3.841 with 1 df and 7.815 with 3 df sit at p = 0.05', () => {
    expect(chiSquareUpperP(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareUpperP(7.814728, 3)).toBeCloseTo(0.05, 6);
    expect(zCritical(0.95)).toBeCloseTo(1.959964, 6);
  });
});

describe('liftOver', () => {
  // Derived by hand (Katz log interval): 500/10,000 vs 600/10,000: RR = 1.2; SE(ln RR) =
  // √(1/600 − 1/10,000 + 1/500 − 1/10,000) = √0.00346667 = 0.0588784; 1.959964 · SE = 0.1153994;
  // exp(ln 1.2 ∓ 0.1153994) = 1.069212 and 1.346786, so the lift is +20% (+6.92% to +34.68%).
  it('gives the relative lift with Katz’s log interval', () => {
    const lift = liftOver(500, 10000, 600, 10000);
    expect(lift.relative).toBeCloseTo(0.2, 10);
    expect(lift.relativeInterval![0]).toBeCloseTo(0.069212, 5);
    expect(lift.relativeInterval![1]).toBeCloseTo(0.346786, 5);
  });

  // The example is (a) of Newcombe, "Interval estimation for the difference between independent
  // proportions: comparison of eleven methods", Statistics in Medicine 17 (1998) 873–890, Table II, whose
  // method 1 is this Wald interval; the limits below are derived by hand: 56/70 − 48/80 = 0.2,
  // SE = √(0.8·0.2/70 + 0.6·0.4/80) = √0.00528571 = 0.0727029, ± 1.959964 · SE = ± 0.142495.
  it('gives the absolute difference with the unpooled Wald interval: 56/70 vs 48/80 → 0.2000 (0.0575 to 0.3425)', () => {
    const lift = liftOver(48, 80, 56, 70);
    expect(lift.absolute).toBeCloseTo(0.2, 10);
    expect(lift.absoluteInterval[0]).toBeCloseTo(0.0575, 4);
    expect(lift.absoluteInterval[1]).toBeCloseTo(0.3425, 4);
  });

  it('returns null where zero counts leave a quantity undefined, and never NaN', () => {
    const noneConverted = liftOver(0, 1000, 0, 1000);
    expect(noneConverted).toEqual({ relative: null, relativeInterval: null, absolute: 0, absoluteInterval: [0, 0] });
    const variantZero = liftOver(10, 1000, 0, 1000);
    expect(variantZero.relative).toBeCloseTo(-1, 12);
    expect(variantZero.relativeInterval).toBeNull();
    const controlZero = liftOver(0, 1000, 10, 1000);
    expect(controlZero.relative).toBeNull();
    expect(controlZero.relativeInterval).toBeNull();
    expect(controlZero.absolute).toBeCloseTo(0.01, 12);
    const everybody = liftOver(100, 100, 50, 50);
    expect(everybody.relativeInterval).toEqual([0, 0]);
    for (const lift of [noneConverted, variantZero, controlZero, everybody]) {
      expect(numbersIn(lift).every((n) => !Number.isNaN(n))).toBe(true);
    }
  });

  it('refuses empty samples', () => {
    expect(() => liftOver(0, 0, 1, 10)).toThrow(RangeError);
  });
});
