import jStatModule from 'jstat';

/**
 * The statistics behind `sprout experiment results`: confidence intervals for a conversion rate, the
 * tests that compare rates, and the goodness-of-fit test that catches a broken traffic split. Pure
 * functions over counts; the distributions come from jstat. Bad counts throw a RangeError (the
 * analysis turns those into errors for people); a quantity that the data cannot define (a rate out of
 * zero trials, a ratio over a zero rate) is null rather than NaN, so `--json` never prints NaN.
 */

const { jStat } = jStatModule;

/** [low, high]. */
export type Interval = [low: number, high: number];

export interface ZTestResult {
  z: number;
  /** Two-sided. */
  pValue: number;
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

/** The two-sided critical value: 1.959964… for 0.95. */
export function zCritical(confidence: number): number {
  checkConfidence(confidence);
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/**
 * Two-sided p-value of a standard normal statistic. jstat computes erfc as 1 − erf, so the result is
 * accurate to about 1e-15 in absolute terms: a p-value smaller than that (|z| beyond about 8) comes out
 * as 0. Nothing here needs more, since everything is judged against thresholds like 0.05 and 0.001.
 */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('z is NaN');
  return clamp01(jStat.erfc(Math.abs(z) / Math.SQRT2));
}

/** Upper tail of the chi-square distribution: P(X ≥ statistic). With 1 df it is exactly the normal's two-sided tail of √statistic. */
export function chiSquareUpperP(statistic: number, df: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (Number.isNaN(statistic) || statistic < 0) throw new RangeError(`a chi-square statistic is never negative, got ${statistic}`);
  if (statistic === Number.POSITIVE_INFINITY) return 0;
  if (statistic === 0) return 1;
  if (df === 1) return normalTwoSidedP(Math.sqrt(statistic));
  return clamp01(1 - jStat.chisquare.cdf(statistic, df));
}

/**
 * The Wilson score interval for successes out of trials, without continuity correction (Wilson 1927;
 * method 3 of Newcombe 1998). Unlike the textbook Wald interval it stays inside [0, 1] and does not
 * collapse to a point at 0 or 100%, which is where a new variant's conversion rate often starts.
 * Null when there are no trials: any rate is then possible.
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval | null {
  checkCount(successes, trials);
  if (trials === 0) return null;
  const z = zCritical(confidence);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  // At 0 or n successes one end is exactly 0 or 1; rounding can leave it a hair outside.
  return [successes === 0 ? 0 : clamp01(centre - half), successes === trials ? 1 : clamp01(centre + half)];
}

/**
 * The two-proportion z-test of p1 = p2, with the pooled standard error (the rates are equal under the
 * null hypothesis, so their common rate estimates the variance), two-sided. z > 0 when sample 1
 * converts more. When the pooled rate is 0 or 1 (nobody or everybody converted) the samples are
 * identical: z = 0, p = 1.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult {
  checkCount(x1, n1);
  checkCount(x2, n2);
  if (n1 === 0 || n2 === 0) throw new RangeError('each sample needs at least one trial');
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: normalTwoSidedP(z) };
}

/**
 * Pearson's chi-square test of independence on an r×c table of counts (for an experiment: one row per
 * variant, columns conversions and non-conversions), without Yates' continuity correction. Empty rows
 * and columns carry no information and are left out, as if the table had never had them (a variant with
 * no exposures; nobody converted anywhere); when fewer than two rows or columns remain there is nothing
 * to test: statistic 0, df 0, p 1.
 */
export function chiSquareIndependence(table: number[][]): ChiSquareResult {
  if (table.length === 0) throw new RangeError('the table has no rows');
  const columns = table[0]!.length;
  for (const row of table) {
    if (row.length !== columns) throw new RangeError('every row of the table needs the same number of columns');
    for (const cell of row) checkCount(cell);
  }
  const rowSums = table.map((row) => sum(row));
  const colSums = Array.from({ length: columns }, (_, j) => sum(table.map((row) => row[j]!)));
  const rows = table.map((_, i) => i).filter((i) => rowSums[i]! > 0);
  const cols = colSums.map((_, j) => j).filter((j) => colSums[j]! > 0);
  if (rows.length < 2 || cols.length < 2) return { statistic: 0, df: 0, pValue: 1 };
  const total = sum(rowSums);
  let statistic = 0;
  for (const i of rows) {
    for (const j of cols) {
      const expected = (rowSums[i]! * colSums[j]!) / total;
      statistic += (table[i]![j]! - expected) ** 2 / expected;
    }
  }
  const df = (rows.length - 1) * (cols.length - 1);
  return { statistic, df, pValue: chiSquareUpperP(statistic, df) };
}

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected shares (any positive
 * scale: weights in percent work as they are). A category with no expected share and no observations
 * is left out; one with no expected share but observations is impossible under the hypothesis, so the
 * statistic is infinite and p is 0. With no observations at all there is no evidence: statistic 0, p 1.
 */
export function chiSquareGoodnessOfFit(observed: number[], expectedShares: number[]): ChiSquareResult {
  if (observed.length !== expectedShares.length) throw new RangeError('one expected share per observed count');
  if (observed.length < 2) throw new RangeError('a goodness-of-fit test needs at least two categories');
  for (const count of observed) checkCount(count);
  for (const share of expectedShares) {
    if (!Number.isFinite(share) || share < 0) throw new RangeError(`expected shares must be finite and not negative, got ${share}`);
  }
  const shareTotal = sum(expectedShares);
  if (shareTotal === 0) throw new RangeError('the expected shares are all 0');
  const kept = observed.map((_, i) => i).filter((i) => expectedShares[i]! > 0 || observed[i]! > 0);
  const df = Math.max(1, kept.length - 1);
  const total = sum(observed);
  if (total === 0) return { statistic: 0, df, pValue: 1 };
  let statistic = 0;
  for (const i of kept) {
    const expected = (total * expectedShares[i]!) / shareTotal;
    if (expected === 0) return { statistic: Number.POSITIVE_INFINITY, df, pValue: 0 };
    statistic += (observed[i]! - expected) ** 2 / expected;
  }
  return { statistic, df, pValue: chiSquareUpperP(statistic, df) };
}

export interface Lift {
  /**
   * (pB − pA) / pA. Null when the control converted nobody (no rate to be relative to).
   */
  relative: number | null;
  /**
   * Katz's interval (Katz et al. 1978): the delta method on the log of the risk ratio pB/pA, with
   * SE(ln RR) = √(1/xB − 1/nB + 1/xA − 1/nA), mapped back to a lift as exp(ln RR ± z·SE) − 1. It is
   * asymmetric, as a ratio's interval should be. Null when either side has no conversions (the log of 0
   * is undefined).
   */
  relativeInterval: Interval | null;
  /** pB − pA, in rate units (0.01 is one percentage point). */
  absolute: number;
  /**
   * The unpooled (Wald) interval: pB − pA ± z·√(pA(1−pA)/nA + pB(1−pB)/nB). Unpooled because it
   * estimates a difference rather than testing for none. Degenerate (zero width) when both rates are
   * 0 or 1: the Wald interval's known weakness at the edges, left visible rather than patched.
   */
  absoluteInterval: Interval;
}

/** The lift of B (a variant) over A (the control): relative with Katz's log interval, absolute with the Wald interval. */
export function liftOver(xA: number, nA: number, xB: number, nB: number, confidence = 0.95): Lift {
  checkCount(xA, nA);
  checkCount(xB, nB);
  if (nA === 0 || nB === 0) throw new RangeError('each sample needs at least one trial');
  const z = zCritical(confidence);
  const pA = xA / nA;
  const pB = xB / nB;
  const absolute = pB - pA;
  const seDiff = Math.sqrt((pA * (1 - pA)) / nA + (pB * (1 - pB)) / nB);
  const relative = xA === 0 ? null : pB / pA - 1;
  let relativeInterval: Interval | null = null;
  if (xA > 0 && xB > 0) {
    const logRatio = Math.log(pB / pA);
    // max(0, …): the terms cancel exactly when both sides converted everybody; rounding must not make it negative.
    const seLog = Math.sqrt(Math.max(0, 1 / xB - 1 / nB + 1 / xA - 1 / nA));
    relativeInterval = [Math.exp(logRatio - z * seLog) - 1, Math.exp(logRatio + z * seLog) - 1];
  }
  return { relative, relativeInterval, absolute, absoluteInterval: [absolute - z * seDiff, absolute + z * seDiff] };
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1 (e.g. 0.95), got ${confidence}`);
}

/** A count is a non-negative integer; with trials, successes cannot exceed them. */
function checkCount(count: number, trials?: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`counts must be whole numbers, not negative, got ${count}`);
  if (trials !== undefined) {
    if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`counts must be whole numbers, not negative, got ${trials}`);
    if (count > trials) throw new RangeError(`${count} successes out of ${trials} trials`);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
