import { OpenFeature } from '@openfeature/server-sdk';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INCLUDE_LOCATION, initialFlags } from '../src/lib/flags.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { lambdaContext, s3Event, sqsEvent, sqsRecord } from './helpers/events.js';
import { testImage, withExif } from './helpers/images.js';
import { download, type LocalS3, startS3rver, upload, useEmulatorEnvironment } from './helpers/s3rver.js';

// The sample flag, metadata-include-location, evaluated by the real metadata handler through
// OpenFeature, with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no network.

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const INPUT = 'flags-uploads';
const OUTPUT = 'flags-results';
const sampleFlag = initialFlags.flags[INCLUDE_LOCATION] as Flag;

/** The sample flag changed as `sprout flags set metadata-include-location …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [INCLUDE_LOCATION]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let s3: LocalS3;
let metadata: Handler;
let photo: Buffer;

beforeAll(async () => {
  s3 = await startS3rver([INPUT, OUTPUT]);
  // The handler's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(s3.endpoint, { OUTPUT_BUCKET: OUTPUT, SPROUT_FLAGS: encodeEnv(onForEveryone) });
  metadata = (await import('../src/functions/metadata.js')).handler;
  photo = withExif(await testImage(40, 30), {
    make: 'Sprout',
    model: 'Test Camera 1',
    orientation: 1,
    dateTimeOriginal: '2024:05:17 10:30:00',
    gps: { latitude: [48, 51, 24.24], longitude: [2, 17, 40] },
  });
});

afterAll(async () => {
  await OpenFeature.clearProviders();
  await s3?.stop();
});

/** Serves `flags` to the handler from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** Uploads the photo under `key`, runs the metadata handler on its event, and returns the JSON it wrote. */
async function metadataFor(key: string): Promise<Record<string, unknown>> {
  const eTag = await upload(s3.client, INPUT, key, photo);
  const response = await metadata(sqsEvent(sqsRecord(s3Event({ bucket: INPUT, key, eTag, size: photo.length }))), lambdaContext());
  expect(response).toEqual({ batchItemFailures: [] });
  return JSON.parse((await download(s3.client, OUTPUT, `metadata/${key}.json`)).body.toString('utf8'));
}

const hasLocation = (document: Record<string, unknown>) => {
  const exif = document.exif as Record<string, unknown>;
  return 'location' in document || Object.keys(exif).some((tag) => tag.startsWith('GPS'));
};

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, INCLUDE_LOCATION, true, { targetingKey: 'photos/a.jpg' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('metadata-include-location in the metadata handler', () => {
  // First, before any provider is swapped: proves the handler reads SPROUT_FLAGS itself.
  it("is read from SPROUT_FLAGS by the handler's own provider: on, the location stays", async () => {
    const document = await metadataFor('env/photo.jpg');
    expect(document.location).toEqual({ latitude: expect.closeTo(48.8567, 4), longitude: expect.closeTo(2.2944, 4) });
    expect(document.exif).toMatchObject({ GPSLatitudeRef: 'N', GPSLatitude: [48, 51, 24.24], GPSLongitudeRef: 'E', GPSLongitude: [2, 17, 40] });
  });

  it('off (as first deployed): no location and no GPS tag, the other EXIF tags kept', async () => {
    await useFlags(initialFlags);
    const document = await metadataFor('off/photo.jpg');
    expect(hasLocation(document)).toBe(false);
    expect(document.exif).toEqual({ Make: 'Sprout', Model: 'Test Camera 1', Orientation: 1, DateTimeOriginal: '2024:05:17 10:30:00' });
  });

  it('for one folder (--rule "prefix equals listings => on"): only uploads under listings/ keep their location', async () => {
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'prefix', op: 'equals', value: 'listings' }], variant: 'on' }] }));
    expect(hasLocation(await metadataFor('listings/7/front.jpg'))).toBe(true);
    expect(hasLocation(await metadataFor('avatars/7.jpg'))).toBe(false);
  });

  it('for 25% of uploads (--on --percent 25): exactly the keys that fall in the first 2,500 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 2_500 } }));
    const keys = Array.from({ length: 16 }, (_, i) => `split/${i}.jpg`);
    const located = keys.filter((key) => bucketOf(INCLUDE_LOCATION, sampleFlag.salt, key) < 2_500);
    // Both outcomes occur, so the check below can tell a split from "all" or "none".
    expect(located.length).toBeGreaterThan(0);
    expect(located.length).toBeLessThan(keys.length);
    for (const key of keys) {
      expect(hasLocation(await metadataFor(key)), key).toBe(located.includes(key));
    }
  });

  it('when the flags cannot be read: no location (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(hasLocation(await metadataFor('outage/photo.jpg'))).toBe(false);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
