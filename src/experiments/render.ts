import { type ExperimentAnalysis, formatNumber, formatP, formatPercent, formatSignedPercent, type VariantResult } from './analysis.js';

/**
 * `sprout experiment results` for people: the counts and rates, each variant against the control, a
 * chart of the rates' intervals on one axis (overlap at a glance), the split check and the verdict.
 * Plain text, no colours, laid out for an 80-column terminal: the tables are split in two so that no
 * line is wider than that, and the chart and the verdict fill the given width.
 */

export interface RenderOptions {
  /** Terminal columns; 80 unless given. */
  width?: number;
}

const GAP = '  ';
const MIN_CHART = 20;

export function renderAnalysis(analysis: ExperimentAnalysis, options: RenderOptions = {}): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const level = `${Number((analysis.confidence * 100).toFixed(2))}%`;
  const control = analysis.variants[0]!;
  const others = analysis.variants.slice(1);
  const label = labelWidth(analysis);
  const lines: string[] = [];

  lines.push(
    ...table(
      ['variant', 'weight', 'exposures', 'conversions', 'rate', `${level} interval`],
      analysis.variants.map((v) => [v.name, `${formatNumber(v.weight)}%`, count(v.exposures), count(v.conversions), v.rate === null ? '—' : formatPercent(v.rate), interval(v)]),
      label,
    ),
    '',
  );

  const pHeader = analysis.comparisons.correction === 'bonferroni' ? `p (×${analysis.comparisons.count})` : 'p';
  lines.push(
    ...table(
      [`vs ${control.name}`, `lift (${level} interval)`, `difference (${level} interval)`, pHeader],
      others.map((v) => [v.name, liftText(v), differenceText(v), v.adjustedPValue === null ? '—' : pText(v.adjustedPValue)]),
      label,
    ),
    '',
  );

  lines.push(...chart(analysis, width, label), '');

  const srm = analysis.sampleRatio;
  lines.push(
    ...wrap(
      `Split: ${srm.observedShares.map((s) => formatPercent(s, 1)).join(' / ')} of exposures for ${srm.expectedShares.map((s) => formatPercent(s, 1)).join(' / ')} asked (chi-square ${srm.statistic.toFixed(2)}, ${formatP(srm.pValue)}): ${srm.flagged ? `SAMPLE RATIO MISMATCH (p below ${srm.threshold})` : 'as asked'}.`,
      width,
    ),
  );
  if (analysis.omnibus) {
    const o = analysis.omnibus;
    const statistic = o.df === null ? `z = ${o.statistic.toFixed(2)}` : `chi-square ${o.statistic.toFixed(2)} (${o.df} df)`;
    lines.push(...wrap(`Any difference between the variants (${o.test}): ${statistic}, ${formatP(o.pValue)}.`, width));
  }
  lines.push('', ...wrap(`Verdict: ${analysis.verdict.kind}${analysis.verdict.winner ? ` (${analysis.verdict.winner})` : ''}. ${analysis.verdict.text}`, width));
  return lines.join('\n');
}

/** The chart's scale: where a rate lands among `columns` character cells. */
export interface ChartAxis {
  min: number;
  max: number;
  step: number;
  columns: number;
}

/** A "nice" axis (steps of 1, 2, 2.5 or 5 × 10ⁿ) around every variant's interval, within [0, 1]. */
export function chartAxis(analysis: ExperimentAnalysis, columns: number): ChartAxis {
  const intervals = analysis.variants.flatMap((v) => (v.interval ? [v.interval] : []));
  let low = intervals.length ? Math.min(...intervals.map((i) => i[0])) : 0;
  let high = intervals.length ? Math.max(...intervals.map((i) => i[1])) : 1;
  if (high - low < 1e-6) {
    low = Math.max(0, low - 0.005);
    high = Math.min(1, high + 0.005);
  }
  // At most one tick per 8 columns, so that labels like "12.5%" never touch.
  const maxSteps = Math.max(2, Math.min(6, Math.floor((columns - 1) / 8)));
  let step = 1;
  for (const candidate of niceSteps()) {
    if ((Math.ceil(high / candidate - 1e-9) - Math.floor(low / candidate + 1e-9)) <= maxSteps) {
      step = candidate;
      break;
    }
  }
  const min = Math.max(0, Math.floor(low / step + 1e-9) * step);
  const max = Math.min(1, Math.ceil(high / step - 1e-9) * step);
  return { min, max: max > min ? max : Math.min(1, min + step), step, columns };
}

/** The character cell of a value on the axis, 0-based. */
export function columnOf(axis: ChartAxis, value: number): number {
  const fraction = (value - axis.min) / (axis.max - axis.min);
  return Math.min(axis.columns - 1, Math.max(0, Math.round(fraction * (axis.columns - 1))));
}

function chart(analysis: ExperimentAnalysis, width: number, label: number): string[] {
  const columns = Math.max(MIN_CHART, width - label);
  const axis = chartAxis(analysis, columns);
  const level = `${Number((analysis.confidence * 100).toFixed(2))}%`;
  const lines = [`Conversion rate, ● with its ${level} interval ├─┤:`];
  for (const v of analysis.variants) {
    lines.push(`${v.name.padEnd(label)}${v.interval && v.rate !== null ? bar(axis, v.interval, v.rate) : 'no exposures yet'}`.trimEnd());
  }
  const ticks: number[] = [];
  for (let t = axis.min; t <= axis.max + axis.step / 1e6; t += axis.step) ticks.push(Math.min(t, axis.max));
  const rule = Array.from({ length: columns }, () => '─');
  for (const t of ticks) rule[columnOf(axis, t)] = '┴';
  rule[0] = '└';
  rule[columns - 1] = '┘';
  lines.push(`${' '.repeat(label)}${rule.join('')}`);
  const digits = tickDigits(ticks);
  const labels = Array.from({ length: columns + 8 }, () => ' ');
  for (const t of ticks) {
    const text = formatPercent(t, digits);
    // Centred under its tick, kept inside the chart.
    const start = Math.min(columns - text.length, Math.max(0, columnOf(axis, t) - Math.floor(text.length / 2)));
    for (let i = 0; i < text.length; i++) labels[start + i] = text[i]!;
  }
  lines.push(`${' '.repeat(label)}${labels.join('')}`.trimEnd());
  return lines;
}

function bar(axis: ChartAxis, [low, high]: [number, number], rate: number): string {
  const cells = Array.from({ length: axis.columns }, () => ' ');
  const from = columnOf(axis, low);
  const to = columnOf(axis, high);
  for (let i = from; i <= to; i++) cells[i] = '─';
  if (to > from) {
    cells[from] = '├';
    cells[to] = '┤';
  }
  cells[columnOf(axis, rate)] = '●';
  return cells.join('').trimEnd();
}

function* niceSteps(): Generator<number> {
  for (let exponent = -5; exponent <= 0; exponent++) {
    for (const mantissa of [1, 2, 2.5, 5]) yield mantissa * 10 ** exponent;
  }
}

/** The fewest decimals (in percent) that print every tick exactly: 0.05 → 0, 0.025 → 1. */
function tickDigits(ticks: number[]): number {
  for (let digits = 0; digits < 4; digits++) {
    if (ticks.every((t) => Math.abs(Number((t * 100).toFixed(digits)) - t * 100) < 1e-7)) return digits;
  }
  return 4;
}

function table(header: string[], rows: string[][], first: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  widths[0] = Math.max(widths[0]!, first - GAP.length);
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join(GAP).trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The width of the variant-name column (with its gap), shared by the tables and the chart so they line up. */
function labelWidth(analysis: ExperimentAnalysis): number {
  return Math.max(...analysis.variants.map((v) => v.name.length), `vs ${analysis.variants[0]!.name}`.length, 'variant'.length) + GAP.length;
}

function interval(v: VariantResult): string {
  if (!v.interval) return '—';
  return `${formatPercent(v.interval[0]).replace('%', '')}–${formatPercent(v.interval[1])}`;
}

function liftText(v: VariantResult): string {
  const lift = v.lift;
  if (!lift) return '—';
  if (lift.relative === null) return '— (control converted nobody)';
  const range = lift.relativeInterval ? ` (${formatSignedPercent(lift.relativeInterval[0])} to ${formatSignedPercent(lift.relativeInterval[1])})` : ' (no interval: no conversions)';
  return `${formatSignedPercent(lift.relative)}${range}`;
}

/** In percentage points: 0.01 → "+1.00 pts". */
function differenceText(v: VariantResult): string {
  const lift = v.lift;
  if (!lift) return '—';
  const points = (value: number) => {
    const text = (Math.abs(value) * 100).toFixed(2);
    return Number(text) === 0 ? text : `${value > 0 ? '+' : '−'}${text}`;
  };
  return `${points(lift.absolute)} pts (${points(lift.absoluteInterval[0])} to ${points(lift.absoluteInterval[1])})`;
}

function pText(p: number): string {
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Greedy word wrap. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
