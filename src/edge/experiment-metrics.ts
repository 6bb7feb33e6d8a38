import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';

import type { Experiment } from '../runtime/edge-router/release-document.js';
import { EDGE_METRICS } from '../runtime/edge-router/metrics.js';
import { EXPERIMENT_METRICS } from '../runtime/experiments/conversions.js';

/**
 * An experiment's counts per variant: exposures from the edge router (Sprout/Edge
 * ExperimentExposures), conversions from the application (Sprout/Experiments, the experiment's
 * metric), both with the dimensions Stage, Experiment and Variant.
 */
export type ExperimentCounts = Map<string, { exposures: number; conversions: number }>;

export interface Window {
  from: Date;
  to: Date;
}

/** Zero for every variant. */
export function emptyCounts(experiment: Experiment): ExperimentCounts {
  return new Map(experiment.variants.map((v) => [v.name, { exposures: 0, conversions: 0 }]));
}

/** The two series of one variant, as a metric identity: namespace, name and the exact dimension set. */
function seriesOf(stage: string, experiment: Experiment, variant: string) {
  const dimensions = { [EDGE_METRICS.dimensions.stage]: stage, [EDGE_METRICS.experimentDimensions.experiment]: experiment.name, [EDGE_METRICS.experimentDimensions.variant]: variant };
  return {
    exposures: { namespace: EDGE_METRICS.namespace, name: EDGE_METRICS.experimentExposures, dimensions },
    conversions: { namespace: EXPERIMENT_METRICS.namespace, name: experiment.metric, dimensions },
  };
}

/**
 * Sums from embedded-metric-format lines (the local stage's .sprout/local/edge-metrics.jsonl, where
 * the router and the conversion helper write them): a line counts when one of its directives names
 * the namespace, the metric and exactly the dimension set, its values match, and its timestamp is
 * in the window. Lines cut short by a crash are skipped.
 */
export function countsFromEmf(text: string, stage: string, experiment: Experiment, window: Window): ExperimentCounts {
  const counts = emptyCounts(experiment);
  const wanted = experiment.variants.flatMap((v) => {
    const series = seriesOf(stage, experiment, v.name);
    return [
      { variant: v.name, field: 'exposures' as const, ...series.exposures },
      { variant: v.name, field: 'conversions' as const, ...series.conversions },
    ].map((wanted) => ({ ...wanted, dimensionSet: Object.keys(wanted.dimensions).sort().join(',') }));
  });
  for (const record of emfRecords(text)) {
    const aws = record._aws as { Timestamp?: number; CloudWatchMetrics?: Array<{ Namespace?: string; Dimensions?: string[][]; Metrics?: Array<{ Name?: string }> }> } | undefined;
    const at = aws?.Timestamp ?? 0;
    if (at < window.from.getTime() || at > window.to.getTime()) continue;
    for (const directive of Array.isArray(aws?.CloudWatchMetrics) ? aws.CloudWatchMetrics : []) {
      if (typeof directive !== 'object' || directive === null) continue;
      for (const series of wanted) {
        if (directive.Namespace !== series.namespace || !(Array.isArray(directive.Metrics) && directive.Metrics.some((m) => m?.Name === series.name))) continue;
        if (!(Array.isArray(directive.Dimensions) && directive.Dimensions.some((set) => Array.isArray(set) && [...set].sort().join(',') === series.dimensionSet))) continue;
        if (!Object.entries(series.dimensions).every(([k, v]) => record[k] === v)) continue;
        counts.get(series.variant)![series.field] += sumOf(record[series.name]);
      }
    }
  }
  return counts;
}

/**
 * The JSON objects of EMF lines: a line cut short by a crash, or valid JSON that is no object
 * (`null`, a number, a list), is skipped.
 */
export function* emfRecords(text: string): Generator<Record<string, unknown>> {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof record === 'object' && record !== null && !Array.isArray(record)) yield record as Record<string, unknown>;
  }
}

/** An EMF value: a number, or a list of them (Powertools writes lists when a metric is added twice). */
function sumOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + sumOf(v), 0);
  return 0;
}

/**
 * One region's sums over the window from CloudWatch, two queries per variant in one
 * GetMetricData call (its limit is 500 queries; an experiment has at most 10 variants).
 */
export async function countsFromCloudWatch(client: CloudWatchClient, stage: string, experiment: Experiment, window: Window, now: Date): Promise<ExperimentCounts> {
  const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const period = periodFor(window, now);
  const queries: MetricDataQuery[] = [];
  const ids = new Map<string, { variant: string; field: 'exposures' | 'conversions' }>();
  experiment.variants.forEach((variant, i) => {
    const series = seriesOf(stage, experiment, variant.name);
    for (const [field, metric] of [['exposures', series.exposures], ['conversions', series.conversions]] as const) {
      const Id = `${field === 'exposures' ? 'e' : 'c'}${i}`;
      ids.set(Id, { variant: variant.name, field });
      queries.push({
        Id,
        MetricStat: {
          Metric: { Namespace: metric.namespace, MetricName: metric.name, Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: period,
          Stat: 'Sum',
        },
        ReturnData: true,
      });
    }
  });
  const counts = emptyCounts(experiment);
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.from, EndTime: window.to, NextToken }));
    for (const result of page.MetricDataResults ?? []) {
      const target = result.Id ? ids.get(result.Id) : undefined;
      if (target) counts.get(target.variant)![target.field] += (result.Values ?? []).reduce((a, b) => a + b, 0);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return counts;
}

/**
 * One period covering the whole window. CloudWatch keeps 1-minute data 15 days, 5-minute data 63
 * days and hourly data 455 days, and wants a period that is a multiple of 60, 300 or 3600 seconds
 * for a start time that far back.
 */
export function periodFor(window: Window, now: Date = window.to): number {
  const seconds = Math.max(60, Math.ceil((window.to.getTime() - window.from.getTime()) / 1000));
  const age = (now.getTime() - window.from.getTime()) / 86_400_000;
  const step = age > 63 ? 3600 : age > 15 ? 300 : 60;
  return Math.ceil(seconds / step) * step;
}

export function addCounts(a: ExperimentCounts, b: ExperimentCounts): ExperimentCounts {
  const sum: ExperimentCounts = new Map();
  for (const [variant, counts] of a) {
    const other = b.get(variant) ?? { exposures: 0, conversions: 0 };
    sum.set(variant, { exposures: counts.exposures + other.exposures, conversions: counts.conversions + other.conversions });
  }
  return sum;
}
