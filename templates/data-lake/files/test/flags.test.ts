import { OpenFeature } from '@openfeature/server-sdk';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { handler as IngestHandler } from '../src/functions/ingest.js';
import type { handler as TransformHandler } from '../src/functions/transform.js';
import { eventContext } from '../src/lib/flag-client.js';
import { initialFlags, REDACT_USER_IDS } from '../src/lib/flags.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { lambdaContext } from './helpers/events.js';
import { readParquet } from './helpers/parquet.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';

// The sample flag, redact-user-ids, evaluated by the real transform function through OpenFeature,
// with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig; S3 is s3rver.

const RAW = 'flags-raw';
const CURATED = 'flags-curated';
const sampleFlag = initialFlags.flags[REDACT_USER_IDS] as Flag;
/** The sample flag changed as `sprout flags set redact-user-ids …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [REDACT_USER_IDS]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let s3: LocalS3;
let ingest: typeof IngestHandler;
let transform: typeof TransformHandler;
let pending: Array<Promise<{ outcomes: unknown[] }>> = [];
let batches = 0;

beforeAll(async () => {
  s3 = await startS3rver([RAW, CURATED]);
  // The function's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(s3.endpoint, { RAW_BUCKET: RAW, CURATED_BUCKET: CURATED, CURATED_FORMAT: 'parquet', SPROUT_FLAGS: encodeEnv(onForEveryone) });
  ingest = (await import('../src/functions/ingest.js')).handler;
  transform = (await import('../src/functions/transform.js')).handler;
  s3.onObjectCreated((event: S3Event) => {
    if (event.Records[0]!.s3.bucket.name === RAW) pending.push(transform(event, lambdaContext()));
  });
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

/** Ingests one event per type (all with a user id), transforms them, and returns each type's curated user_id. */
async function curatedUserIds(types: string[]): Promise<Record<string, unknown>> {
  pending = [];
  const time = new Date().toISOString();
  batches += 1;
  const result = await ingest({ events: types.map((type, i) => ({ id: `b${batches}-${i}`, type, time, userId: `user-${i}` })) }, lambdaContext());
  await Promise.all(pending);
  const rows = await readParquet(await s3.bytes(CURATED, result.objects[0]!.key.replace(/\.jsonl$/, '.parquet')));
  const raw = (await s3.text(RAW, result.objects[0]!.key)).trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(raw.map((r) => r.user_id), 'the raw zone keeps every id').toEqual(types.map((_, i) => `user-${i}`));
  return Object.fromEntries(rows.map((r) => [r.event_type, r.user_id]));
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, REDACT_USER_IDS, true, eventContext('purchase', '2026-11-26'))).toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('targets the event type', () => {
    expect(eventContext('purchase', '2026-11-26')).toEqual({ targetingKey: 'purchase', dt: '2026-11-26' });
  });
});

describe('redact-user-ids in the transform', () => {
  // First, before any provider is swapped: proves the function reads SPROUT_FLAGS itself.
  it("is read from SPROUT_FLAGS by the function's own provider", async () => {
    expect(await curatedUserIds(['purchase', 'page_view'])).toEqual({ purchase: null, page_view: null });
  });

  it('off: the curated zone keeps every user id', async () => {
    await useFlags(initialFlags);
    expect(await curatedUserIds(['purchase', 'page_view'])).toEqual({ purchase: 'user-0', page_view: 'user-1' });
  });

  it('for a targeting list (--target purchase=on): only that type loses its user ids', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['purchase'] } }));
    expect(await curatedUserIds(['purchase', 'page_view', 'signup'])).toEqual({ purchase: null, page_view: 'user-1', signup: 'user-2' });
  });

  it('for 50% of types (--on --percent 50): exactly the types in the first 5,000 buckets', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 5_000 } }));
    const types = Array.from({ length: 12 }, (_, i) => `type_${i}`);
    const inSplit = (type: string) => bucketOf(REDACT_USER_IDS, sampleFlag.salt, type) < 5_000;
    expect(types.filter(inSplit).length).toBeGreaterThan(0);
    expect(types.filter(inSplit).length).toBeLessThan(types.length);
    const ids = await curatedUserIds(types);
    for (const [i, type] of types.entries()) expect(ids[type], type).toBe(inSplit(type) ? null : `user-${i}`);
  });

  it('when the flags cannot be read: ids are kept (the default is off), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await curatedUserIds(['purchase'])).toEqual({ purchase: 'user-0' });
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
