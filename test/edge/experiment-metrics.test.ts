import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cloudWatchMetricsSource, EDGE_REGIONS } from '../../src/edge/cloudwatch-metrics.js';
import { countsFromEmf, periodFor } from '../../src/edge/experiment-metrics.js';
import { localMetricsFile, localMetricsSource } from '../../src/edge/metrics.js';
import { createMetrics } from '../../src/runtime/edge-router/metrics.js';
import type { Experiment } from '../../src/runtime/edge-router/release-document.js';
import { tempDir } from '../helpers/cli.js';
import { at, B, experimentOf, T0 } from './fixtures.js';

// An experiment's counts per variant: from EMF lines (the local stage) and from CloudWatch in
// every edge region (a deployed stage).

const EXPERIMENT: Experiment = experimentOf({ metric: 'signup', minSample: 100 });
const window = { from: at(0), to: at(600) };

/** A conversion as Powertools writes it (recordConversion: a single metric, default dimensions cleared). */
function conversion(ms: number, variant: string, value: number | number[], overrides: { stage?: string; experiment?: string; namespace?: string; metric?: string; dimensions?: string[][]; extra?: Record<string, string> } = {}) {
  const metric = overrides.metric ?? 'signup';
  return JSON.stringify({
    _aws: { Timestamp: ms, CloudWatchMetrics: [{ Namespace: overrides.namespace ?? 'Sprout/Experiments', Dimensions: overrides.dimensions ?? [['Stage', 'Experiment', 'Variant']], Metrics: [{ Name: metric, Unit: 'Count' }] }] },
    Stage: overrides.stage ?? 'local',
    Experiment: overrides.experiment ?? 'checkout',
    Variant: variant,
    ...overrides.extra,
    [metric]: value,
  });
}

/** Exposures as the router writes them. */
function exposures(ms: number, stage: string, counts: Array<[string, string, number]>): string[] {
  const lines: string[] = [];
  const metrics = createMetrics({ stage, now: () => ms, emit: (line) => lines.push(line) });
  for (const [experiment, variant, n] of counts) for (let i = 0; i < n; i++) metrics.experimentExposure(experiment, variant);
  metrics.exposure(B); // a release line next to them: not an experiment's
  metrics.flush();
  return lines;
}

describe('countsFromEmf', () => {
  it('sums exposures and conversions per variant, list values included', () => {
    const text = [
      ...exposures(at(10).getTime(), 'local', [['checkout', 'control', 40], ['checkout', 'b', 38]]),
      ...exposures(at(500).getTime(), 'local', [['checkout', 'b', 2]]),
      conversion(at(20).getTime(), 'control', 1),
      conversion(at(30).getTime(), 'control', [1, 1, 1]),
      conversion(at(40).getTime(), 'b', 5),
      '',
    ].join('\n');
    expect(countsFromEmf(text, 'local', EXPERIMENT, window)).toEqual(
      new Map([
        ['control', { exposures: 40, conversions: 4 }],
        ['b', { exposures: 40, conversions: 5 }],
      ]),
    );
  });

  it('ignores another stage, experiment, namespace or metric, a superset of dimensions, lines outside the window, and broken lines', () => {
    const t = at(100).getTime();
    const text = [
      conversion(t, 'b', 1),
      ...exposures(t, 'prod', [['checkout', 'b', 7]]),
      ...exposures(t, 'local', [['checkout-2', 'b', 7]]),
      conversion(t, 'b', 100, { stage: 'prod' }),
      conversion(t, 'b', 100, { experiment: 'banner' }),
      conversion(t, 'b', 100, { namespace: 'Shop' }),
      conversion(t, 'b', 100, { metric: 'conversion' }),
      conversion(t, 'b', 100, { dimensions: [['service', 'Stage', 'Experiment', 'Variant']], extra: { service: 'api' } }),
      conversion(t, 'b', 100, { dimensions: [['Stage', 'Experiment']] }),
      conversion(t, 'c', 100),
      conversion(at(-1).getTime(), 'b', 100),
      conversion(at(601).getTime(), 'b', 100),
      ...exposures(at(601).getTime(), 'local', [['checkout', 'b', 100]]),
      JSON.stringify({ Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      JSON.stringify({ _aws: { Timestamp: t, CloudWatchMetrics: [{ Namespace: 'Sprout/Experiments', Metrics: [{ Name: 'signup' }] }] }, Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      conversion(t, 'b', 'many' as never),
      '{"_aws":{"Timestamp":',
      'null',
      '[]',
      '42',
      '"text"',
      JSON.stringify({ _aws: null, Stage: 'local' }),
      JSON.stringify({ _aws: { Timestamp: t, CloudWatchMetrics: { Namespace: 'Sprout/Experiments' } }, Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      JSON.stringify({ _aws: { Timestamp: t, CloudWatchMetrics: [null, 7] }, Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      JSON.stringify({ _aws: { Timestamp: t, CloudWatchMetrics: [{ Namespace: 'Sprout/Experiments', Dimensions: [null, 'Stage'], Metrics: [null, { Name: 'signup' }] }] }, Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      JSON.stringify({ _aws: { Timestamp: t, CloudWatchMetrics: [{ Namespace: 'Sprout/Experiments', Dimensions: 'Stage', Metrics: 'signup' }] }, Stage: 'local', Experiment: 'checkout', Variant: 'b', signup: 100 }),
      'not json',
      conversion(at(600).getTime(), 'b', 2),
    ].join('\n');
    expect(countsFromEmf(text, 'local', EXPERIMENT, window)).toEqual(
      new Map([
        ['control', { exposures: 0, conversions: 0 }],
        ['b', { exposures: 0, conversions: 3 }],
      ]),
    );
  });

  it('counts a line whose dimension set is listed in another order', () => {
    const text = conversion(at(5).getTime(), 'b', 1, { dimensions: [['Variant', 'Stage', 'Experiment']] });
    expect(countsFromEmf(text, 'local', EXPERIMENT, window).get('b')).toEqual({ exposures: 0, conversions: 1 });
  });
});

describe('periodFor', () => {
  const day = 86_400_000;
  it('covers the window with a multiple of 60, 300 or 3600 s by the age of its start', () => {
    expect(periodFor(window)).toBe(600);
    expect(periodFor({ from: at(0), to: at(10) })).toBe(60);
    expect(periodFor({ from: at(0), to: at(3601) })).toBe(3660);
    const old = (days: number, seconds: number) => periodFor({ from: at(0), to: at(seconds) }, new Date(T0.getTime() + days * day));
    expect(old(14, 601)).toBe(660);
    expect(old(20, 601)).toBe(900);
    expect(old(70, 601)).toBe(3600);
    expect(old(70, 7201)).toBe(10_800);
  });

  it('is always a valid multiple and at least the window\'s length (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), fc.integer({ min: 0, max: 200 * 86_400 }), (length, since) => {
        const from = T0;
        const to = new Date(T0.getTime() + length * 1000);
        const now = new Date(to.getTime() + since * 1000);
        const period = periodFor({ from, to }, now);
        const age = (now.getTime() - from.getTime()) / day;
        const step = age > 63 ? 3600 : age > 15 ? 300 : 60;
        expect(period % step).toBe(0);
        expect(period).toBeGreaterThanOrEqual(Math.max(60, length));
        expect(period - step).toBeLessThan(Math.max(60, length));
      }),
      { numRuns: 500 },
    );
  });
});

describe('cloudWatchMetricsSource(...).experimentCounts', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  beforeEach(() => cloudWatch.reset());
  const now = () => at(600);

  it('sums every edge region\'s answers, with the exact GetMetricData query', async () => {
    const answers: Record<string, Array<{ Id: string; Values: number[] }>> = {
      'us-east-1': [{ Id: 'e0', Values: [100, 20] }, { Id: 'c0', Values: [12] }, { Id: 'e1', Values: [110] }, { Id: 'c1', Values: [20] }],
      'eu-west-1': [{ Id: 'e0', Values: [30] }, { Id: 'e1', Values: [25] }, { Id: 'c1', Values: [4, 1] }],
      'ap-southeast-2': [{ Id: 'c0', Values: [3] }, { Id: 'zz', Values: [1000] }],
    };
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => ({ MetricDataResults: answers[await getClient().config.region()] ?? [] }));
    const regions: string[] = [];
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'eu-west-1', now, client: (region) => (regions.push(region), new CloudWatchClient({ region })) });
    expect(await source.experimentCounts(EXPERIMENT, window)).toEqual(
      new Map([
        ['control', { exposures: 150, conversions: 15 }],
        ['b', { exposures: 135, conversions: 25 }],
      ]),
    );
    expect(regions).toEqual([...EDGE_REGIONS]);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, EDGE_REGIONS.length);
    const dimensions = (variant: string) => [{ Name: 'Stage', Value: 'prod' }, { Name: 'Experiment', Value: 'checkout' }, { Name: 'Variant', Value: variant }];
    const query = (Id: string, Namespace: string, MetricName: string, variant: string) => ({ Id, ReturnData: true, MetricStat: { Metric: { Namespace, MetricName, Dimensions: dimensions(variant) }, Period: 600, Stat: 'Sum' } });
    for (const call of cloudWatch.commandCalls(GetMetricDataCommand)) {
      expect(call.args[0].input).toEqual({
        MetricDataQueries: [
          query('e0', 'Sprout/Edge', 'ExperimentExposures', 'control'),
          query('c0', 'Sprout/Experiments', 'signup', 'control'),
          query('e1', 'Sprout/Edge', 'ExperimentExposures', 'b'),
          query('c1', 'Sprout/Experiments', 'signup', 'b'),
        ],
        StartTime: window.from,
        EndTime: window.to,
        NextToken: undefined,
      });
    }
  });

  it('picks the period by the window\'s age', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'us-east-1', regions: ['us-east-1'], now: () => new Date(T0.getTime() + 20 * 86_400_000), client: (region) => new CloudWatchClient({ region }) });
    await source.experimentCounts(EXPERIMENT, { from: at(0), to: at(601) });
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.map((q) => q.MetricStat!.Period)).toEqual([900, 900, 900, 900]);
  });

  it('follows NextToken', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'e0', Values: [5] }, { Id: 'c1', Values: [1] }], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'e0', Values: [7] }, { Id: 'e1', Values: [3] }], NextToken: 'page-3' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'c0', Values: [2] }] });
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'us-east-1', regions: ['us-east-1'], now, client: (region) => new CloudWatchClient({ region }) });
    expect(await source.experimentCounts(EXPERIMENT, window)).toEqual(
      new Map([
        ['control', { exposures: 12, conversions: 2 }],
        ['b', { exposures: 3, conversions: 1 }],
      ]),
    );
    const calls = cloudWatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(calls[1]!.MetricDataQueries).toEqual(calls[0]!.MetricDataQueries);
  });

  it('skips a region failing with OptInRequired, with a warning, and fails on any other error', async () => {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => {
      if ((await getClient().config.region()) === 'ap-northeast-3') throw Object.assign(new Error('region not enabled'), { name: 'OptInRequired' });
      return { MetricDataResults: [{ Id: 'e1', Values: [1] }, { Id: 'c1', Values: [1] }] };
    });
    const warnings: string[] = [];
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'us-east-1', now, client: (region) => new CloudWatchClient({ region }), warn: (m) => warnings.push(m) });
    expect((await source.experimentCounts(EXPERIMENT, window))?.get('b')).toEqual({ exposures: EDGE_REGIONS.length - 1, conversions: EDGE_REGIONS.length - 1 });
    expect(warnings).toEqual([expect.stringContaining('Skipped ap-northeast-3 (OptInRequired)')]);

    cloudWatch.reset();
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => {
      if ((await getClient().config.region()) === 'eu-west-2') throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
      return { MetricDataResults: [] };
    });
    await expect(source.experimentCounts(EXPERIMENT, window)).rejects.toThrow('not allowed');
  });
});

describe('the local metrics source', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('has no traffic source before the router ran locally, then reads the router\'s and the conversions\' lines', async () => {
    const source = localMetricsSource(scratch.path, 'local');
    expect(await source.experimentCounts(EXPERIMENT, window)).toBeUndefined();
    const file = localMetricsFile(scratch.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, [...exposures(at(10).getTime(), 'local', [['checkout', 'b', 3], ['checkout', 'control', 2]]), conversion(at(20).getTime(), 'b', 1), 'null', '{"cut'].join('\n'));
    expect(await source.experimentCounts(EXPERIMENT, window)).toEqual(
      new Map([
        ['control', { exposures: 2, conversions: 0 }],
        ['b', { exposures: 3, conversions: 1 }],
      ]),
    );
    // The release counters read the same file, broken lines and all.
    expect(await source.releaseCounts(B, window)).toEqual({ exposures: 1, originResponses: 0, origin5xx: 0 });
  });
});
