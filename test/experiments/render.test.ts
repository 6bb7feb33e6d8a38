import { describe, expect, it } from 'vitest';

import { analyze, type VariantCounts } from '../../src/experiments/analysis.js';
import { chartAxis, columnOf, renderAnalysis } from '../../src/experiments/render.js';

const v = (name: string, weight: number, exposures: number, conversions: number): VariantCounts => ({ name, weight, exposures, conversions });
const analysisOf = (variants: VariantCounts[], minSample = 5000) => analyze({ variants, minSample, confidence: 0.95 });

/** The chart's bar lines: one per variant, after its name, holding the ● marker. */
function barLines(text: string, names: string[]): Map<string, string> {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Conversion rate'));
  return new Map(names.map((name) => [name, lines.slice(start + 1).find((l) => l.startsWith(`${name} `) || l === name)!]));
}

describe('renderAnalysis', () => {
  const analysis = analysisOf([v('control', 50, 10000, 500), v('treatment', 50, 10000, 600)]);
  const text = renderAnalysis(analysis);
  const lines = text.split('\n');

  it('prints the table rows: weight, exposures, conversions, rate and interval, then lift and p against the control', () => {
    // Wilson 95% for 500/10,000 is 4.59%–5.44% and for 600/10,000 5.55%–6.48% (formula in stats.ts).
    expect(lines).toContainEqual(expect.stringMatching(/^control\s+50%\s+10,000\s+500\s+5\.00%\s+4\.59–5\.44%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^treatment\s+50%\s+10,000\s+600\s+6\.00%\s+5\.55–6\.48%$/));
    const p = analysis.variants[1]!.pValue!.toFixed(4);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^treatment\\s+\\+20\\.0% \\(\\+6\\.9% to \\+34\\.7%\\)\\s+\\+1\\.00 pts \\(\\+0\\.37 to \\+1\\.63\\)\\s+${p}$`)));
    expect(text).toContain('vs control');
  });

  it('draws one chart line per variant, with the markers where the numbers put them', () => {
    const bars = barLines(text, ['control', 'treatment']);
    const label = 'vs control'.length + 2;
    const columns = 80 - label;
    const axis = chartAxis(analysis, columns);
    // By hand: the intervals run from 4.59% to 6.48%, so with 0.5% steps the axis is 4.5%–6.5% over 68
    // columns; 5% lands at round(0.25 · 67) = 17, 6% at round(0.75 · 67) = 50, control's interval
    // (0.045898 to 0.054447) at round(0.0449 · 67) = 3 and round(0.4724 · 67) = 32.
    expect(axis).toMatchObject({ min: 0.045, step: 0.005, columns: 68 });
    expect(axis.max).toBeCloseTo(0.065, 12);
    const control = bars.get('control')!;
    expect(control.indexOf('●') - label).toBe(17);
    expect(control.indexOf('├') - label).toBe(3);
    expect(control.indexOf('┤') - label).toBe(32);
    expect(bars.get('treatment')!.indexOf('●') - label).toBe(50);
    for (const variant of analysis.variants) {
      const line = bars.get(variant.name)!;
      expect(line.indexOf('●') - label).toBe(columnOf(axis, variant.rate!));
      expect(line.indexOf('├') - label).toBe(columnOf(axis, variant.interval![0]));
      expect(line.indexOf('┤') - label).toBe(columnOf(axis, variant.interval![1]));
      expect(line.split('●')).toHaveLength(2);
    }
    // The scale is printed under the bars, its ends on the axis' ends.
    const scale = lines[lines.findIndex((l) => l.includes('└')) + 1]!;
    expect(scale.trim().startsWith('4.5%')).toBe(true);
    expect(scale.trim().endsWith('6.5%')).toBe(true);
    expect(lines.find((l) => l.includes('└'))!.indexOf('└')).toBe(label);
  });

  it('stays within 80 columns, and within a narrower width when asked', () => {
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const four = analysisOf([v('control', 25, 2500, 250), v('variant-b', 25, 2500, 262), v('variant-c', 25, 2500, 240), v('variant-d', 25, 2500, 310)], 1000);
    for (const line of renderAnalysis(four).split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const narrow = renderAnalysis(analysis, { width: 60 }).split('\n');
    const chartLines = narrow.slice(narrow.findIndex((l) => l.startsWith('Conversion rate')));
    for (const line of chartLines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('ends with the split check and the verdict', () => {
    expect(text).toContain('Split: 50.0% / 50.0% of exposures for 50.0% / 50.0% asked');
    expect(text).toContain('as asked');
    expect(text).toMatch(/Verdict: winner \(treatment\)\. treatment wins/);
    expect(text.replace(/\s+/g, ' ')).toContain('stopping at the first significant look inflates false positives');
  });

  it('shouts a sample ratio mismatch', () => {
    const mismatch = renderAnalysis(analysisOf([v('control', 50, 10400, 520), v('treatment', 50, 9600, 480)]));
    expect(mismatch).toContain('SAMPLE RATIO MISMATCH');
    expect(mismatch).toContain('Verdict: untrustworthy.');
  });

  it('marks the Bonferroni-adjusted p column with more than two variants', () => {
    const three = renderAnalysis(analysisOf([v('control', 34, 3400, 170), v('b', 33, 3300, 200), v('c', 33, 3300, 160)], 1000));
    expect(three).toMatch(/p \(×2\)/);
    expect(three).toContain('chi-square test of independence');
  });

  it('handles variants without exposures or conversions', () => {
    const empty = renderAnalysis(analysisOf([v('control', 50, 0, 0), v('treatment', 50, 0, 0)]));
    expect(barLines(empty, ['control', 'treatment']).get('control')).toContain('no exposures yet');
    expect(empty).not.toContain('NaN');
    const zero = renderAnalysis(analysisOf([v('control', 50, 3000, 0), v('treatment', 50, 3000, 9)], 1000));
    expect(zero).toContain('control converted nobody');
    expect(zero).not.toContain('NaN');
    // A zero rate sits at the axis' origin, and its interval starts there too.
    const bar = barLines(zero, ['control']).get('control')!;
    expect(bar.indexOf('●')).toBe('vs control'.length + 2);
  });
});
