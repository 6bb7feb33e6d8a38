import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { OpenFeature } from '@openfeature/server-sdk';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialFlags, MUTE_ANOMALY_ALERTS } from '../src/lib/flags.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { createAggregatesTable, type Dynamo, startDynamo, useAggregatorEnvironment, windowsOf } from './helpers/emulators.js';
import { driveWindows, metricRecords, type WindowHandler } from './helpers/tumbling.js';

// The sample flag, mute-anomaly-alerts, evaluated by the real aggregator through OpenFeature, with
// the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no network.

const TABLE = 'aggregates-flags-test';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const sampleFlag = initialFlags.flags[MUTE_ANOMALY_ALERTS] as Flag;
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [MUTE_ANOMALY_ALERTS]: { ...sampleFlag, ...change } } });
/** `sprout flags set mute-anomaly-alerts --target flags.noisy=on`: the metric key is the targeting key. */
const onForNoisy = withSampleFlag({ enabled: true, targets: { on: ['flags.noisy'] } });
const sns = mockClient(SNSClient);
let dynamo: Dynamo;
let handler: WindowHandler;

beforeAll(async () => {
  dynamo = await startDynamo();
  // The handler's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useAggregatorEnvironment(dynamo.endpoint, { AGGREGATES_TABLE_NAME: TABLE, SPROUT_FLAGS: encodeEnv(onForNoisy) });
  await createAggregatesTable(dynamo.dynamo, TABLE);
  handler = (await import('../src/functions/aggregate-window.js')).handler;
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await dynamo?.stop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** Ten ordinary windows around 100, then a window at 150, for each key: one anomaly per key. */
let windowOffset = 0;
async function spikeFor(...keys: string[]) {
  const means = [...Array.from({ length: 10 }, (_, i) => 100 + (i % 2 ? 1 : -1)), 150];
  const metrics = keys.flatMap((key) => means.flatMap((mean, w) => [mean - 2, mean + 2].map((value, j) => ({ key, value, at: T0 + (windowOffset + w) * 60_000 + (j + 1) * 1000 }))));
  windowOffset += means.length;
  await driveWindows(handler, metricRecords(metrics.sort((a, b) => a.at - b.at)), { windowSeconds: 60, batchSize: 50 });
}
const publishedKeys = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageAttributes?.metricKey?.StringValue);
const lastAlert = async (key: string) => (await windowsOf(dynamo.db, TABLE, key)).at(-1)?.alert;

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, MUTE_ANOMALY_ALERTS, true, { targetingKey: 'flags.noisy' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('mute-anomaly-alerts in the aggregator', () => {
  // First, before any provider is swapped: proves the handler reads SPROUT_FLAGS itself.
  it('targeted at one key: that key\'s anomaly is recorded as muted, the other key\'s is published', async () => {
    await spikeFor('flags.noisy', 'flags.quiet');
    expect(publishedKeys()).toEqual(['flags.quiet']);
    expect(await lastAlert('flags.noisy')).toBe('muted');
    expect(await lastAlert('flags.quiet')).toBe('published');
    expect((await windowsOf(dynamo.db, TABLE, 'flags.noisy')).at(-1)).toMatchObject({ anomaly: true, alertedAt: expect.any(String) });
  });

  it('off (as the stack first writes it): every anomaly is published', async () => {
    await useFlags(initialFlags);
    await spikeFor('flags.off-a', 'flags.off-b');
    expect(publishedKeys().sort()).toEqual(['flags.off-a', 'flags.off-b']);
  });

  it('on for everyone: nothing is published, every anomaly is recorded', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 10_000 } }));
    await spikeFor('flags.all-a', 'flags.all-b');
    expect(publishedKeys()).toEqual([]);
    expect([await lastAlert('flags.all-a'), await lastAlert('flags.all-b')]).toEqual(['muted', 'muted']);
  });

  it('when the flags cannot be read: the default, alerts published, and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    await spikeFor('flags.unreadable');
    expect(publishedKeys()).toEqual(['flags.unreadable']);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
