import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AggregateItem } from '../src/lib/aggregates.js';
import type { AnomalyAlert } from '../src/lib/alerts.js';
import { exactQuantile } from '../src/lib/sketch.js';
import { createAggregatesTable, type Dynamo, startDynamo, TOPIC_ARN, useAggregatorEnvironment, windowsOf } from './helpers/emulators.js';
import { driveWindows, eventRecord, lambdaContext, metricRecords, type WindowHandler, windowEvent, windowOf } from './helpers/tumbling.js';

// The real aggregator against dynalite (the aggregates table), with SNS mocked by
// aws-sdk-client-mock (no emulator for it here): every Publish call is asserted exactly. Lambda's
// part (windows, batches, the state carried between invocations, the final invocation) is played by
// test/helpers/tumbling.ts.

const TABLE = 'aggregates-handler-test';
const WINDOW = 60;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const sns = mockClient(SNSClient);
let dynamo: Dynamo;
let handler: WindowHandler;

beforeAll(async () => {
  dynamo = await startDynamo();
  useAggregatorEnvironment(dynamo.endpoint, { AGGREGATES_TABLE_NAME: TABLE });
  await createAggregatesTable(dynamo.dynamo, TABLE);
  handler = (await import('../src/functions/aggregate-window.js')).handler;
});
afterAll(() => dynamo?.stop());

let messageIds = 0;
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).callsFake(async () => ({ MessageId: `msg-${++messageIds}` }));
});

/** Three values per window around each mean (mean − 5, mean, mean + 5), a few seconds into window `first + i`. */
function series(key: string, means: number[], first = 0) {
  return means.flatMap((mean, i) => [mean - 5, mean, mean + 5].map((value, j) => ({ key, value, at: T0 + (first + i) * WINDOW * 1000 + (j + 1) * 1000 })));
}
/** Window means that wobble a little around 100: a baseline sd of about 0.8. */
const steady = (windows: number) => Array.from({ length: windows }, (_, i) => 100 + [-1, 0, 1, 0.5, -0.5][i % 5]!);
const drive = (records: ReturnType<typeof metricRecords>, batchSize = 4) => driveWindows(handler, records, { windowSeconds: WINDOW, batchSize });
const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

describe('aggregation over a window', () => {
  it('carries the state through several invocations and writes exact count, sum, mean, min, max and a p95 within 1 %', async () => {
    const metrics = [
      ...Array.from({ length: 23 }, (_, i) => ({ key: 'agg.latency', value: 10 + ((i * 37) % 23) * 4.5, at: T0 + 1000 + i * 2000 })),
      ...Array.from({ length: 9 }, (_, i) => ({ key: 'agg.errors', value: i % 3, at: T0 + 1500 + i * 5000 })),
      { key: 'agg.latency', value: 999, at: T0 + WINDOW * 1000 + 1000 },
    ];
    const runs = await drive(metricRecords(metrics), 5);
    expect(runs.map((run) => run.window)).toEqual([windowOf(T0, WINDOW), windowOf(T0 + WINDOW * 1000, WINDOW)]);
    const [first] = runs;
    // 32 records in batches of 5: seven invocations that return the growing state, then the final one.
    expect(first!.events.map((event) => [event.Records.length, event.isFinalInvokeForWindow])).toEqual([[5, false], [5, false], [5, false], [5, false], [5, false], [5, false], [2, false], [0, true]]);
    first!.responses.slice(0, -1).forEach((response, i) => {
      expect(response.batchItemFailures).toEqual([]);
      expect(Object.values(response.state.keys as Record<string, { n: number }>).reduce((n, sketch) => n + sketch.n, 0)).toBe(Math.min(32, (i + 1) * 5));
    });
    expect(first!.responses.at(-1)).toEqual({ state: {}, batchItemFailures: [] });

    const [latency, latest] = await windowsOf(dynamo.db, TABLE, 'agg.latency');
    const values = metrics.filter((m) => m.key === 'agg.latency' && m.at < T0 + WINDOW * 1000).map((m) => m.value);
    expect(latency).toMatchObject({
      windowStart: '2026-11-26T10:00:00.000Z',
      windowEnd: '2026-11-26T10:01:00.000Z',
      shardId: 'shardId-000000000000',
      count: 23,
      sum: values.reduce((a, b) => a + b, 0),
      mean: values.reduce((a, b) => a + b, 0) / 23,
      min: Math.min(...values),
      max: Math.max(...values),
      p95RelativeError: 0.01,
      anomaly: false,
      terminatedEarly: false,
      expiresAt: Date.UTC(2026, 10, 26, 10, 1, 0) / 1000 + 30 * 86_400,
    });
    expect(latency!.windowId).toMatch(/^2026-11-26T10:00:00\.000Z#shardId-000000000000#\d+$/);
    expect(Math.abs(latency!.p95 - exactQuantile(values, 0.95)!) / exactQuantile(values, 0.95)!).toBeLessThanOrEqual(0.01);
    expect(latest).toMatchObject({ windowStart: '2026-11-26T10:01:00.000Z', count: 1, p95: 999 });
    expect(await windowsOf(dynamo.db, TABLE, 'agg.errors')).toEqual([expect.objectContaining({ count: 9, sum: 9, min: 0, max: 2, mean: 1 })]);
    expect(published()).toEqual([]);
  });

  it('sets aside records that are not metrics instead of failing the batch', async () => {
    const window = windowOf(T0, WINDOW);
    const response = await handler(windowEvent([eventRecord('{"key":', 'bad', '900', T0), ...metricRecords([{ key: 'agg.mixed', value: 4, at: T0 }])], window, {}), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(response.state).toMatchObject({ rejected: 1, keys: { 'agg.mixed': { n: 1 } } });
  });
});

describe('anomalies', () => {
  it('publishes one alert, with exactly these Publish parameters, when a window leaves the baseline', async () => {
    await drive(metricRecords(series('anomaly.checkout', [...steady(10), 130])));
    const items = await windowsOf(dynamo.db, TABLE, 'anomaly.checkout');
    expect(items.map((item) => item.anomaly)).toEqual([...Array(10).fill(false), true]);
    const spike = items.at(-1) as AggregateItem;
    expect(spike).toMatchObject({ mean: 130, alert: 'published', messageId: `msg-${messageIds}`, alertId: `anomaly.checkout@${spike.windowId}`, baseline: { windows: 10, mean: 100 }, inBaseline: false });
    expect(spike.zScore).toBeGreaterThan(spike.criticalZ!);
    const alert: AnomalyAlert = {
      type: 'anomaly',
      alertId: spike.alertId!,
      metricKey: 'anomaly.checkout',
      window: { start: '2026-11-26T10:10:00.000Z', end: '2026-11-26T10:11:00.000Z' },
      shardId: 'shardId-000000000000',
      count: 3,
      mean: 130,
      p95: spike.p95,
      min: 125,
      max: 135,
      baseline: spike.baseline!,
      zScore: spike.zScore!,
      criticalZ: spike.criticalZ!,
      direction: 'above',
    };
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published()).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Subject: `Anomaly: anomaly.checkout mean 130 above baseline 100 (z ${spike.zScore!.toFixed(1)})`,
        Message: JSON.stringify(alert),
        MessageAttributes: {
          metricKey: { DataType: 'String', StringValue: 'anomaly.checkout' },
          alertId: { DataType: 'String', StringValue: spike.alertId },
          direction: { DataType: 'String', StringValue: 'above' },
        },
      },
    ]);
    // The baseline of later windows leaves the anomaly out.
    await drive(metricRecords(series('anomaly.checkout', [100], 11)));
    expect((await windowsOf(dynamo.db, TABLE, 'anomaly.checkout')).at(-1)).toMatchObject({ anomaly: false, baseline: { windows: 10, mean: 100 } });
  });

  it('judges nothing before the key has 3 windows, however far off', async () => {
    await drive(metricRecords(series('anomaly.young', [100, 101, 5000])));
    const items = await windowsOf(dynamo.db, TABLE, 'anomaly.young');
    expect(items.map((item) => [item.anomaly, item.zScore])).toEqual([[false, undefined], [false, undefined], [false, undefined]]);
    expect(items[2]!.baseline).toEqual({ windows: 2, mean: 100.5, stdDev: Math.SQRT1_2 });
    expect(published()).toEqual([]);
  });

  it('keeps only the last baselineWindows (30) windows in the baseline', async () => {
    // Ten wild windows, then 30 steady ones: 104 is far off the last 30 (sd 0.8), not off all 40.
    const wild = Array.from({ length: 10 }, (_, i) => (i % 2 ? 60 : 140));
    await drive(metricRecords(series('anomaly.rolling', [...wild, ...steady(30), 104])));
    expect((await windowsOf(dynamo.db, TABLE, 'anomaly.rolling')).at(-1)).toMatchObject({ anomaly: true, baseline: { windows: 30, mean: 100 } });
  });

  it('alerts for a few windows when a key\'s level changes for good, then takes it as the new normal', async () => {
    await drive(metricRecords(series('anomaly.shift', [...steady(30), ...Array(12).fill(130)])));
    const items = (await windowsOf(dynamo.db, TABLE, 'anomaly.shift')).slice(30);
    const alerts = items.filter((item) => item.anomaly).length;
    expect(items.slice(0, 3).map((item) => [item.anomaly, item.inBaseline])).toEqual([[true, false], [true, false], [true, true]]);
    expect(alerts).toBeLessThanOrEqual(6);
    expect(items.slice(-4).map((item) => item.anomaly)).toEqual([false, false, false, false]);
    expect(published()).toHaveLength(alerts);
  });
});

describe('idempotency under Lambda retries', () => {
  it('a window delivered twice is neither counted nor alerted twice', async () => {
    const runs = await drive(metricRecords(series('retry.twice', [...steady(10), 60])));
    const before = await windowsOf(dynamo.db, TABLE, 'retry.twice');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    // Lambda delivers the last window's final invocation again, with the same state.
    const final = runs.at(-1)!.events.at(-1)!;
    expect(await handler(final, lambdaContext())).toEqual({ state: {}, batchItemFailures: [] });
    expect(await windowsOf(dynamo.db, TABLE, 'retry.twice')).toEqual(before);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a failed Publish fails the invocation, leaves the alert pending, and the retry publishes it once', async () => {
    sns.reset();
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' })).resolves({ MessageId: 'msg-retried' });
    const records = metricRecords(series('retry.publish', [...steady(10), 140]));
    const lastWindow = windowOf(records.at(-1)!.kinesis.approximateArrivalTimestamp * 1000, WINDOW);
    await expect(drive(records)).rejects.toThrow(/1 of 1 keys could not be flushed \(first: retry.publish: Rate exceeded\); Lambda retries the window/);
    const pending = (await windowsOf(dynamo.db, TABLE, 'retry.publish')).at(-1)!;
    expect(pending).toMatchObject({ windowStart: new Date(lastWindow.start).toISOString(), anomaly: true, alert: 'pending' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);

    // Lambda's retry of the final invocation: the same event, the same state.
    const state = await handler(windowEvent(records.slice(-3), lastWindow, {}), lambdaContext());
    expect(await handler(windowEvent([], lastWindow, state.state, { final: true }), lambdaContext())).toEqual({ state: {}, batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    const [failed, retried] = published();
    expect(retried).toEqual(failed);
    expect((await windowsOf(dynamo.db, TABLE, 'retry.publish')).at(-1)).toEqual({ ...pending, alert: 'published', messageId: 'msg-retried', alertedAt: expect.any(String) });

    // And once more: nothing new.
    await handler(windowEvent([], lastWindow, state.state, { final: true }), lambdaContext());
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('when the retries run out, the key\'s next window publishes the pending alert', async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' }));
    await expect(drive(metricRecords(series('retry.exhausted', [...steady(10), 40])))).rejects.toThrow(/SNS is down/);
    const anomaly = (await windowsOf(dynamo.db, TABLE, 'retry.exhausted')).at(-1)!;
    expect(anomaly.alert).toBe('pending');

    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-caught-up' });
    await drive(metricRecords(series('retry.exhausted', [100], 11)));
    expect(published()).toEqual([expect.objectContaining({ MessageAttributes: expect.objectContaining({ alertId: { DataType: 'String', StringValue: anomaly.alertId } }) })]);
    const items = await windowsOf(dynamo.db, TABLE, 'retry.exhausted');
    expect(items.at(-2)).toMatchObject({ alertId: anomaly.alertId, alert: 'published', messageId: 'msg-caught-up' });
    expect(items.at(-1)).toMatchObject({ anomaly: false });
  });

  it('a window Lambda ends early is written in two parts, neither overwriting the other', async () => {
    const window = windowOf(T0, WINDOW);
    const [a, b, c] = metricRecords([1, 2, 3].map((value) => ({ key: 'early.split', value, at: T0 + value * 1000 })));
    const first = await handler(windowEvent([a!, b!], window, {}), lambdaContext());
    // Lambda ends the window early (the state would pass 1 MB, or the shard ends); the handler flushes what it has.
    expect(await handler(windowEvent([], window, first.state, { early: true }), lambdaContext())).toEqual({ state: {}, batchItemFailures: [] });
    // The same window goes on in a fresh state.
    const rest = await handler(windowEvent([c!], window, {}), lambdaContext());
    await handler(windowEvent([], window, rest.state, { final: true }), lambdaContext());
    expect((await windowsOf(dynamo.db, TABLE, 'early.split')).map((item) => [item.count, item.sum, item.terminatedEarly])).toEqual([
      [2, 3, true],
      [1, 3, false],
    ]);
  });
});
