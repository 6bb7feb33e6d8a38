import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cloudWatchMetricsSource, EDGE_REGIONS } from '../../src/edge/cloudwatch-metrics.js';
import { EDGE_METRICS, localMetricsFile, localMetricsSource } from '../../src/edge/metrics.js';
import { tempDir } from '../helpers/cli.js';
import { at, B } from './fixtures.js';

const cloudWatch = mockClient(CloudWatchClient);
let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
  cloudWatch.reset();
});
afterEach(() => scratch.cleanup());

const window = { from: at(0), to: at(600) };

describe('the CloudWatch metrics source', () => {
  it('adds up the router\'s counters over every edge region, for the stage and release', async () => {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input, getClient) => {
      const region = await getClient().config.region();
      const scale = region === 'us-east-1' ? 10 : region === 'eu-west-1' ? 1 : 0;
      return { MetricDataResults: [{ Id: 'exposures', Values: [100 * scale, 50 * scale] }, { Id: 'responses', Values: [40 * scale] }, { Id: 'errors', Values: [scale] }] };
    });
    const regions: string[] = [];
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'eu-west-1', client: (region) => (regions.push(region), new CloudWatchClient({ region })) });
    expect(await source.releaseCounts(B, window)).toEqual({ exposures: 1650, originResponses: 440, origin5xx: 11 });
    expect(regions).toEqual([...EDGE_REGIONS]);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, EDGE_REGIONS.length);
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ StartTime: window.from, EndTime: window.to });
    expect(input.MetricDataQueries).toEqual(
      [['exposures', 'Exposures'], ['responses', 'OriginResponses'], ['errors', 'Origin5xx']].map(([Id, MetricName]) => ({
        Id,
        ReturnData: true,
        MetricStat: { Metric: { Namespace: 'Sprout/Edge', MetricName, Dimensions: [{ Name: 'Stage', Value: 'prod' }, { Name: 'Release', Value: B }] }, Period: 600, Stat: 'Sum' },
      })),
    );
  });

  it('follows NextToken', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'exposures', Values: [5] }], NextToken: 't' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'exposures', Values: [7] }] });
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'us-east-1', regions: ['us-east-1'], client: (region) => new CloudWatchClient({ region }) });
    expect(await source.releaseCounts(B, window)).toEqual({ exposures: 12, originResponses: 0, origin5xx: 0 });
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('t');
  });

  it('skips a region the account cannot use, with a warning, and fails on any other error', async () => {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => {
      if ((await getClient().config.region()) === 'ap-northeast-3') throw Object.assign(new Error('not enabled'), { name: 'UnrecognizedClientException' });
      return { MetricDataResults: [{ Id: 'exposures', Values: [1] }] };
    });
    const warnings: string[] = [];
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'us-east-1', client: (region) => new CloudWatchClient({ region }), warn: (m) => warnings.push(m) });
    expect((await source.releaseCounts(B, window))?.exposures).toBe(EDGE_REGIONS.length - 1);
    expect(warnings).toEqual([expect.stringContaining('Skipped ap-northeast-3 (UnrecognizedClientException)')]);

    cloudWatch.reset();
    cloudWatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));
    await expect(source.releaseCounts(B, window)).rejects.toThrow('slow down');
  });

  it('reads metric and composite alarm states in the stage\'s region', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'errors', StateValue: 'ALARM' }], CompositeAlarms: [{ AlarmName: 'health', StateValue: 'OK' }] });
    const regions: string[] = [];
    const source = cloudWatchMetricsSource({ stage: 'prod', alarmRegion: 'eu-west-1', client: (region) => (regions.push(region), new CloudWatchClient({ region })) });
    expect(await source.alarmStates(['errors', 'health', 'gone'])).toEqual(new Map([['errors', 'ALARM'], ['health', 'OK']]));
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['errors', 'health', 'gone'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(regions).toEqual(['eu-west-1']);
    expect(await source.alarmStates([])).toEqual(new Map());
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
  });
});

describe('the local metrics source', () => {
  it('has no traffic source before the router ran locally', async () => {
    expect(await localMetricsSource(scratch.path, 'local').releaseCounts(B, window)).toBeUndefined();
  });

  it('adds up the router\'s EMF lines for the release, stage and window', async () => {
    const line = (ms: number, release: string, stage: string, e: number, r: number, x: number) =>
      JSON.stringify({ _aws: { Timestamp: ms, CloudWatchMetrics: [] }, Stage: stage, Release: release, [EDGE_METRICS.exposures]: e, [EDGE_METRICS.originResponses]: r, [EDGE_METRICS.origin5xx]: x });
    const file = localMetricsFile(scratch.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, [line(at(10).getTime(), B, 'local', 5, 4, 1), line(at(20).getTime(), B, 'local', 3, 2, 0), line(at(700).getTime(), B, 'local', 100, 100, 100), line(at(30).getTime(), 'r-aaaaaaaaaaaa', 'local', 9, 9, 9), line(at(30).getTime(), B, 'other', 9, 9, 9), '{"cut', ''].join('\n'));
    expect(await localMetricsSource(scratch.path, 'local').releaseCounts(B, window)).toEqual({ exposures: 8, originResponses: 6, origin5xx: 1 });
  });
});
