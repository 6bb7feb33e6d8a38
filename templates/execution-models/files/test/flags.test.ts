import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, SIMULATED_FAILURES } from '../src/lib/flags.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { lambdaContext } from './helpers/events.js';
import { createIdempotencyTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/emulators.js';

// The sample flag, simulated-failures, evaluated by the real asynchronous handler through
// OpenFeature, with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig.
const table = 'flags-idempotency';
const sampleFlag = initialFlags.flags[SIMULATED_FAILURES] as Flag;
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [SIMULATED_FAILURES]: { ...sampleFlag, ...change } } });

let db: LocalDynamoDb;
let handler: (typeof import('../src/functions/async.js'))['handler'];

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, { IDEMPOTENCY_TABLE_NAME: table });
  await createIdempotencyTable(db.client, table);
  handler = (await import('../src/functions/async.js')).handler;
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** Whether the handler obeyed `fail: true` for this job id. */
const obeys = (id: string) =>
  handler({ id, input: { fail: true } }, lambdaContext()).then(
    () => false,
    () => true,
  );

describe('simulated-failures as the stack first writes it', () => {
  it('is a valid boolean flag, on for everyone, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, SIMULATED_FAILURES, false, { targetingKey: 'job-1', model: 'async' })).toMatchObject({ value: true });
  });
});

describe('simulated-failures in the handlers', () => {
  // First, before any provider is swapped: proves the handler reads SPROUT_FLAGS itself.
  it("is read from SPROUT_FLAGS by the handler's own provider: on, a job that asks to fail fails", async () => {
    expect(await obeys('flag-env')).toBe(true);
  });

  it('off (sprout flags disable): fail and sleepSeconds are ignored and the job succeeds', async () => {
    await useFlags(withSampleFlag({ enabled: false }));
    const result = await handler({ id: 'flag-off', input: { fail: true, sleepSeconds: 30 } }, lambdaContext());
    expect(result).toMatchObject({ id: 'flag-off', sleptSeconds: 0 });
  });

  it('for one model only (a rule on the model attribute): the async function obeys only when the rule says so', async () => {
    await useFlags(withSampleFlag({ rules: [{ conditions: [{ attribute: 'model', op: 'equals', value: 'stream' }], variant: 'on' }], defaultVariant: 'off' }));
    expect(await obeys('flag-rule')).toBe(false);
    await useFlags(withSampleFlag({ rules: [{ conditions: [{ attribute: 'model', op: 'equals', value: 'async' }], variant: 'on' }], defaultVariant: 'off' }));
    expect(await obeys('flag-rule-2')).toBe(true);
  });

  it('for 30% of jobs (--percent 30): exactly the job ids in the first 3,000 buckets, every time', async () => {
    // What the split leaves over gets defaultVariant: off here, so only the 30% obey.
    await useFlags(withSampleFlag({ split: { on: 3_000 }, defaultVariant: 'off' }));
    const ids = Array.from({ length: 30 }, (_, i) => `split-${i}`);
    const obeying = ids.filter((id) => bucketOf(SIMULATED_FAILURES, sampleFlag.salt, id) < 3_000);
    expect(obeying.length).toBeGreaterThan(0);
    expect(obeying.length).toBeLessThan(ids.length);
    for (const id of ids) expect(await obeys(id), id).toBe(obeying.includes(id));
  });

  it('when the flags cannot be read: failure requests are ignored (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await obeys('flag-outage')).toBe(false);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
