import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import ExperimentResults from '../../src/commands/experiment/results.js';
import ExperimentStart from '../../src/commands/experiment/start.js';
import ExperimentStop from '../../src/commands/experiment/stop.js';
import { outputsFile } from '../../src/deploy/outputs.js';
import { EDGE_REGIONS } from '../../src/edge/cloudwatch-metrics.js';
import { type Experiment, type ReleaseDocument, validateReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { DEPLOYED, recordOutputs, runOnDeployedStage, useDeployedStage } from '../helpers/deployed-stage.js';
import { A, B, experimentOf, running, T0, withReleases } from '../edge/fixtures.js';

// sprout experiment start / stop / results against a deployed stage, run in this process with the
// AWS clients mocked (as rollout-aws.test.ts): the conditional writes, the conflict path, and the
// counts of every edge region in --json.

const s3 = mockClient(S3Client);
const cloudWatch = mockClient(CloudWatchClient);
const scratch = useDeployedStage([s3, cloudWatch]);
const run = runOnDeployedStage;
const { releaseBucket: RELEASE_BUCKET, siteBucket: SITE_BUCKET, actor: ACTOR } = DEPLOYED;

function stored(document: ReleaseDocument, etag = '"v1"') {
  expect(validateReleaseDocument(document)).toEqual([]);
  s3.on(GetObjectCommand, { Bucket: RELEASE_BUCKET, Key: 'release.json' }).resolves({ Body: { transformToString: async () => JSON.stringify(document) } as never, ETag: etag });
}

/** The release document written, and the condition it was written under. */
function written(): { document: ReleaseDocument; IfMatch?: string; IfNoneMatch?: string } {
  const calls = s3.commandCalls(PutObjectCommand);
  expect(calls).toHaveLength(1);
  const { Bucket, Key, Body, IfMatch, IfNoneMatch, ExpectedBucketOwner } = calls[0]!.args[0].input;
  expect({ Bucket, Key, ExpectedBucketOwner }).toEqual({ Bucket: RELEASE_BUCKET, Key: 'release.json', ExpectedBucketOwner: '111111111111' });
  return { document: JSON.parse(Body as string), ...(IfMatch ? { IfMatch } : {}), ...(IfNoneMatch ? { IfNoneMatch } : {}) };
}

function experiment(overrides: Partial<Experiment> = {}): Experiment {
  return experimentOf({ name: 'checkout-button', paths: ['/checkout/*'], salt: '0a1b2c3d4e5f', ...overrides });
}

function withExperiment(exp: Experiment, base: ReleaseDocument = withReleases('dev')): ReleaseDocument {
  return { ...base, stage: 'dev', schema: 2, experiments: [exp] };
}

describe('sprout experiment start on a deployed stage', () => {
  it('writes the experiment conditionally on the ETag read (If-Match), as schema 2', async () => {
    stored(withReleases('dev'), '"etag-7"');
    s3.on(PutObjectCommand).resolves({ ETag: '"etag-8"' });
    const { exitCode, json } = await run(ExperimentStart, ['checkout-button', '--variants', `control=stable:40,b=${B}:60`, '--paths', '/checkout/*,/cart', '--metric', 'purchase', '--min-sample', '2000']);
    expect(exitCode).toBe(0);
    const doc = written();
    expect(doc.IfMatch).toBe('"etag-7"');
    expect(doc.IfNoneMatch).toBeUndefined();
    expect(validateReleaseDocument(doc.document)).toEqual([]);
    expect(doc.document).toMatchObject({ schema: 2, stage: 'dev', stable: A, revision: withReleases('dev').revision + 1 });
    expect(doc.document.experiments).toEqual([
      {
        name: 'checkout-button',
        paths: ['/checkout/*', '/cart'],
        variants: [
          { name: 'control', target: 'stable', weight: 40 },
          { name: 'b', target: B, weight: 60 },
        ],
        metric: 'purchase',
        minSample: 2000,
        salt: expect.stringMatching(/^[0-9a-f]{12}$/),
        state: 'running',
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(doc.document.history.at(-1)).toMatchObject({ action: 'experiment-start', actor: ACTOR });
    expect(json.result).toMatchObject({ location: `s3://${RELEASE_BUCKET}/release.json`, written: true, experiment: { name: 'checkout-button', state: 'running' } });
  });

  it('its salt is its own: not the salt of the rollout running beside it', async () => {
    stored({ ...running(), stage: 'dev' });
    s3.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    const { exitCode } = await run(ExperimentStart, ['pricing', '--variants', `control=stable,b=${B}`]);
    expect(exitCode).toBe(0);
    const { document } = written();
    expect(document.rollout).toEqual(running().rollout);
    expect(document.experiments![0]!.salt).not.toBe(document.rollout!.salt);
    expect(document.experiments![0]!.paths).toEqual(['/*']);
  });

  it('a lost race (412 PreconditionFailed) is exit 4, and nothing else is written', async () => {
    stored(withReleases('dev'), '"etag-7"');
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } }));
    const { exitCode, json } = await run(ExperimentStart, ['checkout-button', '--variants', `control=stable:50,b=${B}:50`]);
    expect(exitCode).toBe(4);
    expect(json.error.code).toBe('RELEASE_DOCUMENT_CHANGED');
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfMatch).toBe('"etag-7"');
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  it('refuses an experiment overlapping a running one (exit 4), writing nothing', async () => {
    stored(withExperiment(experiment({ paths: ['/*'] })));
    const { exitCode, json } = await run(ExperimentStart, ['other', '--variants', `control=stable,b=${B}`, '--paths', '/checkout/*']);
    expect(exitCode).toBe(4);
    expect(json.error.code).toBe('EXPERIMENT_OVERLAP');
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('sprout experiment stop on a deployed stage', () => {
  it('stops with a winner conditionally: on its paths, the winner is pinned', async () => {
    stored(withExperiment(experiment()), '"before"');
    s3.on(PutObjectCommand).resolves({ ETag: '"after"' });
    const { exitCode, json } = await run(ExperimentStop, ['checkout-button', '--winner', 'b']);
    expect(exitCode).toBe(0);
    const doc = written();
    expect(doc.IfMatch).toBe('"before"');
    expect(validateReleaseDocument(doc.document)).toEqual([]);
    expect(doc.document.experiments![0]).toMatchObject({ state: 'stopped', winner: 'b', pinned: true, stoppedAt: expect.any(String) });
    expect(doc.document.stable).toBe(A);
    expect(json.result).toMatchObject({ written: true, stable: A, experiment: { state: 'stopped', winner: 'b', pinned: true } });
  });

  it('a winning release of a whole-site experiment becomes the stable release', async () => {
    stored(withExperiment(experiment({ paths: ['/*'] })), '"before"');
    s3.on(PutObjectCommand).resolves({ ETag: '"after"' });
    const { exitCode } = await run(ExperimentStop, ['--winner', 'b']);
    expect(exitCode).toBe(0);
    const doc = written();
    expect(doc.IfMatch).toBe('"before"');
    expect(doc.document.stable).toBe(B);
    expect(doc.document.experiments![0]).toMatchObject({ state: 'stopped', winner: 'b' });
    expect(doc.document.experiments![0]!.pinned).toBeUndefined();
  });

  it('a lost race is exit 4', async () => {
    stored(withExperiment(experiment()));
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } }));
    const { exitCode, json } = await run(ExperimentStop, []);
    expect(exitCode).toBe(4);
    expect(json.error.code).toBe('RELEASE_DOCUMENT_CHANGED');
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });
});

describe('sprout experiment results on a deployed stage', () => {
  /** Per region: [control exposures, control conversions, b exposures, b conversions]. */
  const REGIONS: Record<string, [number, number, number, number]> = {
    'us-east-1': [3000, 300, 2950, 380],
    'eu-west-1': [1500, 150, 1560, 210],
    'ap-northeast-1': [500, 50, 490, 60],
  };

  function metrics(skip?: string) {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      if (region === skip) throw Object.assign(new Error('not enabled'), { name: 'OptInRequired' });
      const [e0, c0, e1, c1] = REGIONS[region] ?? [0, 0, 0, 0];
      // Split over two data points: the sums are what counts.
      return { MetricDataResults: [{ Id: 'e0', Values: [e0 - 1, 1] }, { Id: 'c0', Values: [c0] }, { Id: 'e1', Values: [e1] }, { Id: 'c1', Values: [c1 - 2, 2] }] };
    });
  }

  it('sums every edge region and returns every number in --json', async () => {
    const stoppedAt = new Date(T0.getTime() + 3600_000).toISOString();
    stored(withExperiment(experiment({ state: 'stopped', stoppedAt })));
    metrics('ap-northeast-3');
    const { exitCode, json, stderr } = await run(ExperimentResults, []);
    expect(exitCode).toBe(0);
    expect(stderr).toContain('Skipped ap-northeast-3 (OptInRequired)');
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);

    // One query per region over the experiment's life: exposures and conversions of each variant.
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, EDGE_REGIONS.length);
    const regions = await Promise.all(cloudWatch.commandCalls(GetMetricDataCommand).map((c) => (c.thisValue as CloudWatchClient).config.region()));
    expect(new Set(regions)).toEqual(new Set(EDGE_REGIONS));
    for (const call of cloudWatch.commandCalls(GetMetricDataCommand)) {
      const input = call.args[0].input;
      expect(input).toMatchObject({ StartTime: T0, EndTime: new Date(stoppedAt) });
      expect(input.MetricDataQueries!.map((q) => [q.Id, q.MetricStat!.Metric!.Namespace, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Metric!.Dimensions, q.MetricStat!.Period, q.MetricStat!.Stat])).toEqual(
        (
          [
            ['e0', 'Sprout/Edge', 'ExperimentExposures', 'control'],
            ['c0', 'Sprout/Experiments', 'conversion', 'control'],
            ['e1', 'Sprout/Edge', 'ExperimentExposures', 'b'],
            ['c1', 'Sprout/Experiments', 'conversion', 'b'],
          ] as const
        ).map(([id, namespace, name, variant]) => [id, namespace, name, [{ Name: 'Stage', Value: 'dev' }, { Name: 'Experiment', Value: 'checkout-button' }, { Name: 'Variant', Value: variant }], 3600, 'Sum']),
      );
    }

    const result = json.result;
    expect(result.window).toEqual({ from: T0.toISOString(), to: stoppedAt });
    expect(result.source).toBe(`CloudWatch Sprout/Edge in ${EDGE_REGIONS.length} regions`);
    expect(result.experiment).toMatchObject({ name: 'checkout-button', state: 'stopped' });
    const analysis = result.analysis;
    const [control, b] = analysis.variants;
    expect(control).toMatchObject({ name: 'control', weight: 50, exposures: 5000, conversions: 500, control: true, rate: 0.1, exposuresNeeded: 0, lift: null, pValue: null });
    expect(b).toMatchObject({ name: 'b', weight: 50, exposures: 5000, conversions: 650, control: false, rate: 0.13, exposuresNeeded: 0, significant: true });
    // Every number is a number (not text): intervals, lift, z, p-values, the omnibus and sample ratio tests.
    for (const variant of [control, b]) {
      const [low, high] = variant.interval;
      expect(low).toBeTypeOf('number');
      expect(low).toBeLessThan(variant.rate);
      expect(high).toBeGreaterThan(variant.rate);
    }
    // The two-proportion z-test, worked by hand: pooled p = 1150 / 10000.
    const pooled = 1150 / 10_000;
    const z = (0.13 - 0.1) / Math.sqrt(pooled * (1 - pooled) * (2 / 5000));
    expect(b.z).toBeCloseTo(z, 6);
    expect(b.pValue).toBeTypeOf('number');
    expect(b.pValue).toBeLessThan(1e-5);
    expect(b.adjustedPValue).toBe(b.pValue);
    expect(b.lift.relative).toBeCloseTo(0.3, 10);
    expect(b.lift.absolute).toBeCloseTo(0.03, 10);
    expect(b.lift.relativeInterval[0]).toBeGreaterThan(0);
    expect(b.lift.absoluteInterval[1]).toBeGreaterThan(0.03);
    expect(analysis).toMatchObject({ confidence: 0.95, alpha: 0.05, minSample: 1000, comparisons: { count: 1, correction: 'none' } });
    expect(analysis.omnibus).toMatchObject({ test: 'two-proportion z-test', df: null });
    expect(analysis.omnibus.pValue).toBeTypeOf('number');
    expect(analysis.sampleRatio).toMatchObject({ df: 1, flagged: false, observedShares: [0.5, 0.5], expectedShares: [0.5, 0.5] });
    expect(analysis.sampleRatio.statistic).toBeCloseTo(0, 10);
    expect(analysis.sampleRatio.pValue).toBeCloseTo(1, 6);
    expect(analysis.verdict).toMatchObject({ kind: 'winner', winner: 'b' });
    expect(analysis.verdict.smallestPValue).toBe(b.adjustedPValue);
    expect(analysis.verdict.text).toBeTypeOf('string');
  });

  it('a running experiment is counted from its start until now', async () => {
    const startedAt = new Date(Date.now() - 2 * 3600_000);
    stored(withExperiment(experiment({ startedAt: startedAt.toISOString() })));
    metrics();
    const before = Date.now();
    const { exitCode, json } = await run(ExperimentResults, ['checkout-button']);
    expect(exitCode).toBe(0);
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(startedAt);
    expect(input.EndTime!.getTime()).toBeGreaterThanOrEqual(before);
    const period = input.MetricDataQueries![0]!.MetricStat!.Period!;
    expect(period % 60).toBe(0);
    expect(period).toBeGreaterThanOrEqual((input.EndTime!.getTime() - startedAt.getTime()) / 1000);
    expect(json.result.analysis.variants.map((v: { exposures: number; conversions: number }) => [v.exposures, v.conversions])).toEqual([
      [5000, 500],
      [5000, 650],
    ]);
  });

  it('fails on an error other than an unusable region', async () => {
    stored(withExperiment(experiment()));
    cloudWatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const { exitCode, json } = await run(ExperimentResults, []);
    expect(exitCode).not.toBe(0);
    expect(json.error.message).toContain('Rate exceeded');
  });
});
