import { describe, expect, it } from 'vitest';

import { analyze, type AnalysisInput, PEEKING_WARNING, SRM_THRESHOLD, type VariantCounts } from '../../src/experiments/analysis.js';
import { twoProportionZTest, wilsonInterval } from '../../src/experiments/stats.js';

const v = (name: string, weight: number, exposures: number, conversions: number): VariantCounts => ({ name, weight, exposures, conversions });
const input = (variants: VariantCounts[], minSample = 1000, confidence = 0.95): AnalysisInput => ({ variants, minSample, confidence });

function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('analyze: two variants', () => {
  const analysis = analyze(input([v('control', 50, 10000, 500), v('treatment', 50, 10000, 600)], 5000));

  it('reports every number per variant: rate, Wilson interval, lift and the z-test against the control', () => {
    const [control, treatment] = analysis.variants;
    expect(control).toMatchObject({ name: 'control', control: true, rate: 0.05, lift: null, pValue: null, exposuresNeeded: 0 });
    expect(control!.interval).toEqual(wilsonInterval(500, 10000));
    expect(treatment).toMatchObject({ name: 'treatment', control: false, rate: 0.06, significant: true });
    const { z, pValue } = twoProportionZTest(600, 10000, 500, 10000);
    expect(treatment!.z).toBe(z);
    expect(treatment!.pValue).toBe(pValue);
    expect(treatment!.adjustedPValue).toBe(pValue);
    expect(treatment!.lift!.relative).toBeCloseTo(0.2, 10);
    expect(treatment!.lift!.absolute).toBeCloseTo(0.01, 10);
  });

  it('uses the z-test as the omnibus test, without correction', () => {
    expect(analysis.omnibus).toMatchObject({ test: 'two-proportion z-test', df: null });
    expect(analysis.omnibus!.pValue).toBeCloseTo(analysis.variants[1]!.pValue!, 12);
    expect(analysis.comparisons).toEqual({ count: 1, correction: 'none', alphaPerComparison: 0.05 });
    expect(analysis.alpha).toBe(0.05);
  });

  it('names the winner, with its rate, lift and p-value in words', () => {
    expect(analysis.verdict).toMatchObject({ kind: 'winner', winner: 'treatment' });
    expect(analysis.verdict.text).toContain('treatment wins');
    expect(analysis.verdict.text).toContain('6.00%');
    expect(analysis.verdict.text).toContain('+20.0%');
    expect(analysis.verdict.text).not.toContain('Bonferroni');
  });

  it('names the control when it beats the other variant', () => {
    const result = analyze(input([v('control', 50, 10000, 600), v('treatment', 50, 10000, 500)]));
    expect(result.verdict).toMatchObject({ kind: 'winner', winner: 'control' });
    expect(result.verdict.text).toContain('Keep control');
  });

  it('says no-difference with the smallest p-value when the rates are close', () => {
    const result = analyze(input([v('control', 50, 10000, 500), v('treatment', 50, 10000, 510)]));
    expect(result.verdict.kind).toBe('no-difference');
    expect(result.verdict.winner).toBeNull();
    expect(result.verdict.smallestPValue).toBe(result.variants[1]!.pValue);
    expect(result.verdict.text).toContain(`${Number(result.variants[1]!.pValue!.toFixed(4))}`);
  });

  it('warns against peeking in every verdict', () => {
    for (const kind of [analysis, analyze(input([v('a', 50, 100, 5), v('b', 50, 100, 6)]))]) expect(kind.verdict.text).toContain(PEEKING_WARNING);
  });
});

describe('analyze: sample ratio mismatch', () => {
  it('flags a 52/48 split of 20,000 exposures under 50/50 weights: untrustworthy, no winner, and says why', () => {
    // A large, otherwise significant difference: the mismatch must win over it.
    const result = analyze(input([v('control', 50, 10400, 520), v('treatment', 50, 9600, 672)]));
    expect(result.sampleRatio.statistic).toBeCloseTo(32, 10);
    expect(result.sampleRatio.pValue).toBeLessThan(SRM_THRESHOLD);
    expect(result.sampleRatio).toMatchObject({ flagged: true, threshold: 0.001, df: 1, observedShares: [0.52, 0.48], expectedShares: [0.5, 0.5] });
    expect(result.variants[1]!.significant).toBe(true);
    expect(result.verdict).toMatchObject({ kind: 'untrustworthy', winner: null });
    for (const why of ['assignment', 'caching', 'bots', 'lost', 'no winner can be called', '52.0% / 48.0%']) expect(result.verdict.text).toContain(why);
  });

  it('does not flag a 50.2/49.8 split of the same 20,000', () => {
    const result = analyze(input([v('control', 50, 10040, 502), v('treatment', 50, 9960, 498)]));
    // By hand: 2 · 40² / 10,000 = 0.32, p = 0.5716.
    expect(result.sampleRatio.statistic).toBeCloseTo(0.32, 10);
    expect(result.sampleRatio.pValue).toBeCloseTo(0.5716, 4);
    expect(result.sampleRatio.flagged).toBe(false);
    expect(result.verdict.kind).toBe('no-difference');
  });

  it('checks against uneven weights too: 90/10 asked and delivered is fine, 50/50 delivered is not', () => {
    expect(analyze(input([v('control', 90, 9000, 450), v('treatment', 10, 1000, 50)])).sampleRatio.flagged).toBe(false);
    expect(analyze(input([v('control', 90, 5000, 250), v('treatment', 10, 5000, 250)])).sampleRatio.flagged).toBe(true);
  });
});

describe('analyze: the minimum-sample guard', () => {
  it('refuses to name a winner while one variant is under minSample, however small the p-value', () => {
    // 5% against 10.1%: p far below 0.05, and the split (5,000 / 4,950) is no mismatch.
    const result = analyze(input([v('control', 50, 5000, 250), v('treatment', 50, 4950, 500)], 5000));
    expect(result.sampleRatio.flagged).toBe(false);
    expect(result.variants[1]!.pValue!).toBeLessThan(1e-10);
    expect(result.verdict).toMatchObject({ kind: 'collecting', winner: null });
    expect(result.variants.map((x) => x.exposuresNeeded)).toEqual([0, 50]);
    expect(result.verdict.text).toContain('treatment needs 50 more');
    expect(result.verdict.text).not.toContain('control needs');
    expect(result.verdict.text).toContain('already looks different');
  });

  it('says what each variant still needs', () => {
    const result = analyze(input([v('control', 50, 1200, 60), v('treatment', 50, 1250, 62)], 5000));
    expect(result.verdict.kind).toBe('collecting');
    expect(result.verdict.text).toContain('5,000 exposures');
    expect(result.verdict.text).toContain('control needs 3,800 more, treatment needs 3,750 more');
    expect(result.verdict.text).not.toContain('already looks different');
  });

  it('keeps collecting while a variant has no exposures at all, even with a minimum of 0', () => {
    const result = analyze(input([v('control', 50, 0, 0), v('treatment', 50, 0, 0)], 0));
    expect(result.verdict.kind).toBe('collecting');
    expect(result.omnibus).toBeNull();
    expect(result.variants.map((x) => [x.rate, x.interval, x.pValue])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
  });
});

describe('analyze: more than two variants', () => {
  const four = (b: number) => [v('control', 25, 2500, 250), v('b', 25, 2500, b), v('c', 25, 2500, 250), v('d', 25, 2500, 250)];

  it('uses the chi-square test of independence as the omnibus test', () => {
    const result = analyze(input(four(295)));
    expect(result.omnibus).toMatchObject({ test: 'chi-square test of independence', df: 3 });
    expect(result.omnibus!.statistic).toBeGreaterThan(0);
  });

  it('Bonferroni-corrects the comparisons against the control and says so', () => {
    // b vs control: raw p ≈ 0.041, under 0.05 alone; against three comparisons it is judged at 0.05/3.
    const alone = analyze(input(four(295).slice(0, 2)));
    expect(alone.variants[1]!.pValue!).toBeLessThan(0.05);
    expect(alone.verdict).toMatchObject({ kind: 'winner', winner: 'b' });

    const result = analyze(input(four(295)));
    const b = result.variants[1]!;
    expect(result.comparisons.correction).toBe('bonferroni');
    expect(result.comparisons.alphaPerComparison).toBeCloseTo(0.05 / 3, 12);
    expect(b.pValue).toBeCloseTo(alone.variants[1]!.pValue!, 12);
    expect(b.adjustedPValue).toBeCloseTo(3 * b.pValue!, 12);
    expect(b.significant).toBe(false);
    expect(result.verdict.kind).toBe('no-difference');
    expect(result.verdict.smallestPValue).toBeCloseTo(3 * b.pValue!, 12);
    expect(result.verdict.text).toContain('Bonferroni');
    expect(result.verdict.text).toContain('0.05 / 3 = 0.0167');
  });

  it('still names a winner that clears the corrected threshold', () => {
    const result = analyze(input(four(330)));
    expect(result.variants[1]!.adjustedPValue!).toBeLessThan(0.05);
    expect(result.verdict).toMatchObject({ kind: 'winner', winner: 'b' });
    expect(result.verdict.text).toContain('Bonferroni');
  });

  it('names the control when every other variant is significantly worse, and not when only some are', () => {
    const all = analyze(input([v('control', 34, 10000, 600), v('b', 33, 9900, 470), v('c', 33, 9900, 460)]));
    expect(all.verdict).toMatchObject({ kind: 'winner', winner: 'control' });
    const some = analyze(input([v('control', 34, 10000, 600), v('b', 33, 9900, 590), v('c', 33, 9900, 460)]));
    expect(some.verdict.kind).toBe('no-difference');
    expect(some.verdict.text).toContain('c converts significantly less than control');
  });
});

describe('analyze: zero conversions', () => {
  it('gives numbers or null, never NaN', () => {
    const cases = [
      [v('control', 50, 5000, 0), v('treatment', 50, 5000, 0)],
      [v('control', 34, 5000, 0), v('b', 33, 5000, 12), v('c', 33, 5000, 0)],
      [v('control', 50, 5000, 7), v('treatment', 50, 5000, 0)],
    ];
    for (const variants of cases) {
      const result = analyze(input(variants));
      expect(numbersIn(result).some((n) => Number.isNaN(n))).toBe(false);
      expect(JSON.stringify(result)).not.toContain('NaN');
    }
    const none = analyze(input(cases[0]!));
    expect(none.variants[1]).toMatchObject({ rate: 0, pValue: 1, lift: { relative: null, relativeInterval: null, absolute: 0 } });
    expect(none.omnibus).toMatchObject({ statistic: 0, pValue: 1 });
    expect(none.verdict.kind).toBe('no-difference');
    const three = analyze(input(cases[1]!));
    expect(three.omnibus!.df).toBe(2);
  });
});

describe('analyze: bad input', () => {
  it.each<[string, AnalysisInput, string]>([
    ['one variant', input([v('control', 100, 10, 1)]), 'EXPERIMENT_TOO_FEW_VARIANTS'],
    ['no variants', input([]), 'EXPERIMENT_TOO_FEW_VARIANTS'],
    ['conversions > exposures', input([v('control', 50, 10, 11), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_COUNTS'],
    ['negative exposures', input([v('control', 50, -1, 0), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_COUNTS'],
    ['negative conversions', input([v('control', 50, 10, -1), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_COUNTS'],
    ['fractional counts', input([v('control', 50, 10.5, 1), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_COUNTS'],
    ['NaN counts', input([v('control', 50, Number.NaN, 1), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_COUNTS'],
    ['duplicate names', input([v('a', 50, 10, 1), v('a', 50, 10, 1)]), 'EXPERIMENT_BAD_VARIANT'],
    ['negative weight', input([v('a', -50, 10, 1), v('b', 50, 10, 1)]), 'EXPERIMENT_BAD_VARIANT'],
    ['all-zero weights', input([v('a', 0, 10, 1), v('b', 0, 10, 1)]), 'EXPERIMENT_BAD_VARIANT'],
    ['confidence of 95', input([v('a', 50, 10, 1), v('b', 50, 10, 1)], 100, 95), 'EXPERIMENT_BAD_CONFIDENCE'],
    ['negative minimum sample', input([v('a', 50, 10, 1), v('b', 50, 10, 1)], -1), 'EXPERIMENT_BAD_MIN_SAMPLE'],
  ])('refuses %s', (_, bad, code) => {
    expect(() => analyze(bad)).toThrow(expect.objectContaining({ code }));
  });

  it('says what is wrong in words', () => {
    expect(() => analyze(input([v('control', 50, 10, 11), v('b', 50, 10, 1)]))).toThrow(/control has 11 conversions but only 10 exposures/);
  });
});
