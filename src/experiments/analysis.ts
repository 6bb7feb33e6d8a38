import { SproutError, UsageError } from '../core/errors.js';
import { chiSquareGoodnessOfFit, chiSquareIndependence, type Interval, type Lift, liftOver, twoProportionZTest, wilsonInterval } from './stats.js';

/**
 * From counts to a verdict: what `sprout experiment results` decides, as a pure function. The order of
 * the questions matters. First, is the split what was asked (a sample ratio mismatch makes every other
 * number suspect)? Then, has every variant seen the minimum sample (an early p-value is not a result)?
 * Only then, does the best variant differ from the control?
 */

export interface VariantCounts {
  name: string;
  /** Percent of traffic. */
  weight: number;
  exposures: number;
  conversions: number;
}

export interface AnalysisInput {
  /** The first is the control. */
  variants: VariantCounts[];
  /** Exposures each variant needs before a winner can be called. */
  minSample: number;
  /** e.g. 0.95. */
  confidence: number;
}

export interface VariantResult {
  name: string;
  weight: number;
  exposures: number;
  conversions: number;
  control: boolean;
  /** conversions / exposures; null before the first exposure. */
  rate: number | null;
  /** Wilson score interval at the analysis' confidence; null before the first exposure. */
  interval: Interval | null;
  /** Exposures still missing to reach minSample (0 once reached). */
  exposuresNeeded: number;
  /** Against the control; null for the control itself and while either side has no exposures. */
  lift: Lift | null;
  /** Two-proportion z-test against the control (z > 0: converts more); null as for lift. */
  z: number | null;
  pValue: number | null;
  /** pValue × the number of comparisons, at most 1 (Bonferroni); equal to pValue with one variant. */
  adjustedPValue: number | null;
  /** adjustedPValue < 1 − confidence. */
  significant: boolean;
}

export interface OmnibusTest {
  /** Two variants: the two-proportion z-test; more: Pearson's chi-square test of independence. */
  test: 'two-proportion z-test' | 'chi-square test of independence';
  /** z, or the chi-square statistic. */
  statistic: number;
  /** Degrees of freedom of the chi-square test; null for the z-test. */
  df: number | null;
  pValue: number;
}

export interface SampleRatioCheck {
  /** Chi-square goodness of fit of the exposures against the weights. */
  statistic: number;
  df: number;
  pValue: number;
  /** Flagged below this p-value. */
  threshold: number;
  flagged: boolean;
  /** Each variant's share of the exposures, 0–1, in variant order. */
  observedShares: number[];
  /** Each variant's share of the weights, 0–1. */
  expectedShares: number[];
}

export type VerdictKind = 'untrustworthy' | 'collecting' | 'winner' | 'no-difference';

export interface ExperimentVerdict {
  kind: VerdictKind;
  /** The winning variant's name (may be the control); null unless kind is winner. */
  winner: string | null;
  /** The smallest (Bonferroni-adjusted) p-value of a variant against the control, null when none could be computed. */
  smallestPValue: number | null;
  /** One paragraph for people. */
  text: string;
}

export interface ExperimentAnalysis {
  confidence: number;
  /** 1 − confidence. */
  alpha: number;
  minSample: number;
  variants: VariantResult[];
  /** How the comparisons against the control are corrected for their number. */
  comparisons: { count: number; correction: 'none' | 'bonferroni'; alphaPerComparison: number };
  /** Does any variant differ? Null while fewer than two variants have exposures. */
  omnibus: OmnibusTest | null;
  sampleRatio: SampleRatioCheck;
  verdict: ExperimentVerdict;
}

/** Statsig's line for a sample ratio mismatch, also LaunchDarkly's and GrowthBook's default. */
export const SRM_THRESHOLD = 0.001;

export const PEEKING_WARNING =
  'Checking results repeatedly and stopping at the first significant look inflates false positives: decide the sample size up front and judge once it is reached.';

export function analyze(input: AnalysisInput): ExperimentAnalysis {
  validate(input);
  const { confidence, minSample } = input;
  // Rounded so that 0.95 gives 0.05, not 0.050000000000000044, in --json.
  const alpha = Number((1 - confidence).toFixed(12));
  const [control, ...others] = input.variants as [VariantCounts, ...VariantCounts[]];
  const count = others.length;
  const comparisons = { count, correction: count > 1 ? ('bonferroni' as const) : ('none' as const), alphaPerComparison: alpha / count };
  const variants = input.variants.map((variant, index): VariantResult => {
    const base = {
      name: variant.name,
      weight: variant.weight,
      exposures: variant.exposures,
      conversions: variant.conversions,
      control: index === 0,
      rate: variant.exposures === 0 ? null : variant.conversions / variant.exposures,
      interval: wilsonInterval(variant.conversions, variant.exposures, confidence),
      exposuresNeeded: Math.max(0, Math.ceil(minSample) - variant.exposures),
    };
    if (index === 0 || variant.exposures === 0 || control.exposures === 0) {
      return { ...base, lift: null, z: null, pValue: null, adjustedPValue: null, significant: false };
    }
    const { z, pValue } = twoProportionZTest(variant.conversions, variant.exposures, control.conversions, control.exposures);
    const adjustedPValue = Math.min(1, pValue * count);
    return {
      ...base,
      lift: liftOver(control.conversions, control.exposures, variant.conversions, variant.exposures, confidence),
      z,
      pValue,
      adjustedPValue,
      significant: adjustedPValue < alpha,
    };
  });
  const sampleRatio = sampleRatioCheck(input.variants);
  const omnibus = omnibusTest(input.variants);
  const analysis = { confidence, alpha, minSample, variants, comparisons, omnibus, sampleRatio };
  return { ...analysis, verdict: verdictOf(analysis) };
}

function sampleRatioCheck(variants: VariantCounts[]): SampleRatioCheck {
  const exposures = variants.map((v) => v.exposures);
  const weights = variants.map((v) => v.weight);
  const { statistic, df, pValue } = chiSquareGoodnessOfFit(exposures, weights);
  const total = exposures.reduce((a, b) => a + b, 0);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  return {
    statistic,
    df,
    pValue,
    threshold: SRM_THRESHOLD,
    flagged: pValue < SRM_THRESHOLD,
    observedShares: exposures.map((e) => (total === 0 ? 0 : e / total)),
    expectedShares: weights.map((w) => w / weightTotal),
  };
}

function omnibusTest(variants: VariantCounts[]): OmnibusTest | null {
  const seen = variants.filter((v) => v.exposures > 0);
  if (seen.length < 2) return null;
  if (variants.length === 2) {
    const [a, b] = variants as [VariantCounts, VariantCounts];
    const { z, pValue } = twoProportionZTest(b.conversions, b.exposures, a.conversions, a.exposures);
    return { test: 'two-proportion z-test', statistic: z, df: null, pValue };
  }
  const { statistic, df, pValue } = chiSquareIndependence(variants.map((v) => [v.conversions, v.exposures - v.conversions]));
  return { test: 'chi-square test of independence', statistic, df, pValue };
}

type Judged = Omit<ExperimentAnalysis, 'verdict'>;

function verdictOf(analysis: Judged): ExperimentVerdict {
  const compared = analysis.variants.filter((v) => v.adjustedPValue !== null);
  const smallest = compared.length ? compared.reduce((a, b) => (b.adjustedPValue! < a.adjustedPValue! ? b : a)) : undefined;
  const smallestPValue = smallest?.adjustedPValue ?? null;
  const verdict = (kind: VerdictKind, winner: string | null, sentences: string[]): ExperimentVerdict => ({
    kind,
    winner,
    smallestPValue,
    text: [...sentences, PEEKING_WARNING].join(' '),
  });

  if (analysis.sampleRatio.flagged) return verdict('untrustworthy', null, srmSentences(analysis));

  // No exposures at all is never enough, even with a minimum sample of 0: there is no rate to compare.
  const short = analysis.variants.filter((v) => v.exposuresNeeded > 0 || v.exposures === 0);
  if (short.length) {
    const needs = short.map((v) => `${v.name} needs ${Math.max(v.exposuresNeeded, 1).toLocaleString('en-US')} more`).join(', ');
    const sentences = [
      `Still collecting: no winner is called before every variant has ${plural(Math.max(analysis.minSample, 1), 'exposure')}; ${needs}.`,
    ];
    if (smallest && smallest.significant) {
      sentences.push(
        `${smallest.name} already looks different from ${controlName(analysis)} (${formatP(smallest.adjustedPValue!)}), but an early p-value is not a result: small samples swing, and a difference seen before the planned sample often shrinks or vanishes.`,
      );
    }
    return verdict('collecting', null, sentences);
  }

  const control = analysis.variants[0]!;
  const others = analysis.variants.slice(1);
  const best = analysis.variants.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
  const correction = bonferroniSentence(analysis);
  const worse = others.filter((v) => v.significant && (v.z ?? 0) < 0);

  if (!best.control && best.significant && (best.z ?? 0) > 0) {
    const lift = best.lift!;
    const relative =
      lift.relative === null
        ? ''
        : `, a relative lift of ${formatSignedPercent(lift.relative)}${lift.relativeInterval ? ` (${pct(analysis.confidence)} interval ${formatSignedPercent(lift.relativeInterval[0])} to ${formatSignedPercent(lift.relativeInterval[1])})` : ''}`;
    return verdict('winner', best.name, [
      `${best.name} wins: it converts at ${formatPercent(best.rate!)} against ${control.name}'s ${formatPercent(control.rate!)}${relative}, ${formatP(best.adjustedPValue!)}, below ${formatNumber(analysis.alpha)}.`,
      ...correction,
    ]);
  }
  if (best.control && others.length && others.every((v) => v.significant && (v.z ?? 0) < 0)) {
    const largest = Math.max(...others.map((v) => v.adjustedPValue!));
    return verdict('winner', control.name, [
      `${control.name} wins: ${others.length === 1 ? `${others[0]!.name} converts` : 'every other variant converts'} less (${others.map((v) => `${v.name} ${formatPercent(v.rate!)}`).join(', ')} against ${formatPercent(control.rate!)}), and ${others.length === 1 ? 'the difference is' : 'each difference is'} significant (${others.length === 1 ? formatP(largest) : `largest ${formatP(largest)}`}, below ${formatNumber(analysis.alpha)}). Keep ${control.name}.`,
      ...correction,
    ]);
  }

  const differing = others.filter((v) => v.significant);
  const sentences: string[] = [];
  if (!differing.length) {
    sentences.push(
      smallest
        ? `No difference detected: the smallest p-value against ${control.name} is ${formatNumber(smallest.adjustedPValue!)} (${smallest.name}), not below ${formatNumber(analysis.alpha)}.`
        : 'No difference detected.',
      'Either the variants perform alike, or the difference is smaller than this many exposures can detect.',
    );
  } else {
    sentences.push(`No single winner: the smallest p-value against ${control.name} is ${formatNumber(smallest!.adjustedPValue!)} (${smallest!.name}).`);
    const beating = differing.filter((v) => (v.z ?? 0) > 0);
    const notSignificant = others.filter((v) => !v.significant).map((v) => v.name);
    if (beating.length) {
      sentences.push(
        `${names(beating)} ${beating.length === 1 ? 'beats' : 'beat'} ${control.name}, but ${best.name} converts more still without a significant difference from ${control.name}, so which variant is best is not settled.`,
      );
    } else if (best.control) {
      sentences.push(`${control.name} converts more than every other variant, but not significantly more than ${notSignificant.join(' and ')}.`);
    } else {
      sentences.push(`${best.name} converts more than ${control.name}, but not significantly.`);
    }
    if (worse.length) sentences.push(`${names(worse)} ${worse.length === 1 ? 'converts' : 'convert'} significantly less than ${control.name}.`);
  }
  return verdict('no-difference', null, [...sentences, ...correction]);
}

function srmSentences(analysis: Judged): string[] {
  const { sampleRatio } = analysis;
  const asked = sampleRatio.expectedShares.map((s) => formatShare(s)).join(' / ');
  const got = sampleRatio.observedShares.map((s) => formatShare(s)).join(' / ');
  return [
    `Sample ratio mismatch: the split asked for is ${asked}, but the exposures came in ${got} (chi-square ${sampleRatio.statistic.toFixed(2)}, ${formatP(sampleRatio.pValue)}, flagged below ${sampleRatio.threshold}).`,
    'A split this far off is not chance: something between assignment and measurement is broken (the assignment itself, caching that pins visitors to one variant, bots that reach one variant more than the other, or exposures lost before they were counted), so the visitors in each variant are no longer comparable and no winner can be called.',
    'Find and fix the cause, then restart the experiment.',
  ];
}

function bonferroniSentence(analysis: Judged): string[] {
  const { count, alphaPerComparison } = analysis.comparisons;
  if (count < 2) return [];
  return [
    `With ${count} variants compared against ${controlName(analysis)}, each comparison is judged at ${formatNumber(analysis.alpha)} / ${count} = ${formatNumber(alphaPerComparison)} (Bonferroni; the p-values shown are multiplied by ${count}), so that the chance of any false winner stays at ${formatPercent(analysis.alpha, 0)}.`,
  ];
}

function names(variants: VariantResult[]): string {
  return variants.map((v) => v.name).join(' and ');
}

function controlName(analysis: Judged): string {
  return analysis.variants[0]!.name;
}

function validate(input: AnalysisInput): void {
  const { variants, minSample, confidence } = input;
  if (!Array.isArray(variants) || variants.length < 2) {
    throw new UsageError('EXPERIMENT_TOO_FEW_VARIANTS', `An experiment needs a control and at least one other variant; got ${variants?.length ?? 0}.`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new UsageError('EXPERIMENT_BAD_CONFIDENCE', `The confidence must be between 0 and 1 (0.95 for 95%); got ${confidence}.`);
  }
  if (!Number.isFinite(minSample) || minSample < 0) {
    throw new UsageError('EXPERIMENT_BAD_MIN_SAMPLE', `The minimum sample must be a number of exposures, 0 or more; got ${minSample}.`);
  }
  const names = new Set<string>();
  for (const v of variants) {
    if (!v.name) throw new UsageError('EXPERIMENT_BAD_VARIANT', 'Every variant needs a name.');
    if (names.has(v.name)) throw new UsageError('EXPERIMENT_BAD_VARIANT', `Variant ${v.name} appears twice.`);
    names.add(v.name);
    if (!Number.isFinite(v.weight) || v.weight < 0) throw new UsageError('EXPERIMENT_BAD_VARIANT', `Variant ${v.name} has weight ${v.weight}; weights are percentages, 0 or more.`);
    for (const [what, value] of [['exposures', v.exposures], ['conversions', v.conversions]] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new SproutError('EXPERIMENT_BAD_COUNTS', `Variant ${v.name} has ${value} ${what}; counts are whole numbers, 0 or more.`);
      }
    }
    if (v.conversions > v.exposures) {
      throw new SproutError(
        'EXPERIMENT_BAD_COUNTS',
        `Variant ${v.name} has ${v.conversions.toLocaleString('en-US')} conversions but only ${v.exposures.toLocaleString('en-US')} exposures; a conversion is counted only after an exposure.`,
        { suggestions: ['Check that the conversion metric counts each visitor once and that exposures are not being lost.'] },
      );
    }
  }
  if (variants.every((v) => v.weight === 0)) throw new UsageError('EXPERIMENT_BAD_VARIANT', 'The weights are all 0; at least one variant must get traffic.');
}

// Formatting, shared with render.ts.

/** 0.0123 → "1.23%". */
export function formatPercent(rate: number, digits = 2): string {
  return `${(rate * 100).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}%`;
}

/** 0.2 → "+20.0%", −0.05 → "−5.0%". */
export function formatSignedPercent(rate: number, digits = 1): string {
  const text = formatPercent(Math.abs(rate), digits);
  return rate > 0 && text !== formatPercent(0, digits) ? `+${text}` : rate < 0 && text !== formatPercent(0, digits) ? `−${text}` : text;
}

/** "p = 0.0123", "p < 0.0001". */
export function formatP(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${formatNumber(p)}`;
}

/** Up to 4 decimals, without trailing zeros: 0.05 → "0.05", 0.016666 → "0.0167". */
export function formatNumber(value: number): string {
  return String(Number(value.toFixed(4)));
}

function formatShare(share: number): string {
  return formatPercent(share, 1);
}

function pct(confidence: number): string {
  return `${Number((confidence * 100).toFixed(2))}%`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
