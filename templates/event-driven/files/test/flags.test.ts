import { PutObjectCommand } from '@aws-sdk/client-s3';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { handler as Handler } from '../src/functions/process-upload.js';
import { sourceOf } from '../src/lib/flag-client.js';
import { DROP_CLOCK_SKEW, initialFlags } from '../src/lib/flags.js';
import type { Outcome } from '../src/lib/process-object.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { lambdaContext, s3Notification } from './helpers/events.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';

// The sample flag, drop-clock-skew, evaluated by the real function through OpenFeature, with the
// flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig; S3 is s3rver.

const INPUT = 'flags-input';
const OUTPUT = 'flags-output';
const PREFIX = 'incoming/';
const sampleFlag = initialFlags.flags[DROP_CLOCK_SKEW] as Flag;
/** The sample flag changed as `sprout flags set drop-clock-skew …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [DROP_CLOCK_SKEW]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

// Uploaded at 10:00; one reading from a device whose clock reset to 1970.
const UPLOADED_AT = '2026-11-26T10:00:00.000Z';
const BATCH = [
  { deviceId: 'd-1', timestamp: '2026-11-26T09:59:00Z', metric: 'temperature', value: 21 },
  { deviceId: 'd-2', timestamp: 60, metric: 'temperature', value: 19 },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

let s3: LocalS3;
let handler: typeof Handler;
let uploads = 0;

beforeAll(async () => {
  s3 = await startS3rver([INPUT, OUTPUT]);
  // The function's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(s3.endpoint, { OUTPUT_BUCKET: OUTPUT, INPUT_PREFIX: PREFIX, INPUT_SUFFIX: '.jsonl', SPROUT_FLAGS: encodeEnv(onForEveryone) });
  handler = (await import('../src/functions/process-upload.js')).handler;
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await s3?.stop();
});

/** Serves `flags` to the function from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** Uploads the batch as `gateway` (a new key each time) and processes it: was the skewed reading dropped? */
async function skewDropped(gateway: string): Promise<boolean> {
  const key = `${PREFIX}${gateway}/batch-${++uploads}.jsonl`;
  const put = await s3.client.send(new PutObjectCommand({ Bucket: INPUT, Key: key, Body: BATCH }));
  const event = s3Notification({ bucket: INPUT, key, eTag: put.ETag!.replace(/"/g, ''), size: BATCH.length, eventTime: UPLOADED_AT });
  const [outcome] = (await handler(event, lambdaContext())).outcomes as [Outcome];
  if (outcome.status !== 'processed') throw new Error(`expected processed, got ${outcome.status}`);
  const summary = JSON.parse(await s3.text(OUTPUT, outcome.summaryKey));
  expect(summary.checks.dropClockSkew).toBe(outcome.counts.droppedByReason['clock-skew'] === 1);
  return outcome.counts.droppedByReason['clock-skew'] === 1;
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, DROP_CLOCK_SKEW, true, { targetingKey: 'gateway-1' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('targets the source: the first folder under the prefix, or the file name', () => {
    expect(sourceOf('incoming/gateway-7/2026-11-26T10.jsonl', PREFIX)).toBe('gateway-7');
    expect(sourceOf('incoming/sensor-9.jsonl', PREFIX)).toBe('sensor-9.jsonl');
    expect(sourceOf('site-a/gw/x.jsonl', '')).toBe('site-a');
  });
});

describe('drop-clock-skew in process-upload', () => {
  // First, before any provider is swapped: proves the function reads SPROUT_FLAGS itself.
  it('is read from SPROUT_FLAGS by the function\'s own provider', async () => {
    expect(await skewDropped('gateway-1')).toBe(true);
  });

  it('off: every parseable reading is kept, whatever its time', async () => {
    await useFlags(initialFlags);
    expect(await skewDropped('gateway-1')).toBe(false);
  });

  it('on: the reading from 1970 is dropped and counted as clock-skew, the rest kept', async () => {
    await useFlags(onForEveryone);
    expect(await skewDropped('gateway-1')).toBe(true);
  });

  it('for a targeting list (--target gateway-7=on): only that gateway\'s uploads', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['gateway-7'] } }));
    expect(await skewDropped('gateway-7')).toBe(true);
    expect(await skewDropped('gateway-8')).toBe(false);
  });

  it('for 30% of sources (--on --percent 30): exactly the gateways in the first 3,000 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 3_000 } }));
    const gateways = Array.from({ length: 12 }, (_, i) => `gateway-${i + 100}`);
    const inSplit = (gateway: string) => bucketOf(DROP_CLOCK_SKEW, sampleFlag.salt, gateway) < 3_000;
    expect(gateways.filter(inSplit).length).toBeGreaterThan(0);
    expect(gateways.filter(inSplit).length).toBeLessThan(gateways.length);
    for (const gateway of gateways) {
      expect(await skewDropped(gateway), gateway).toBe(inSplit(gateway));
      expect(await skewDropped(gateway), `${gateway}, again`).toBe(inSplit(gateway));
    }
  });

  it('when the flags cannot be read: every reading is kept (the default is off), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await skewDropped('gateway-1')).toBe(false);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
