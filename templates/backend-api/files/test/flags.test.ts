import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, STRICT_ITEM_NAMES } from '../src/lib/flags.js';
import type { HttpHandler } from '../src/lib/handler.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { createTables, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';

// The sample flag, strict-item-names, evaluated by the real handlers through OpenFeature, with the
// flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no network.

const tables = { items: 'flags-items', idempotency: 'flags-idempotency' };
const sampleFlag = initialFlags.flags[STRICT_ITEM_NAMES] as Flag;

/** The sample flag changed as `sprout flags set strict-item-names …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [STRICT_ITEM_NAMES]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let db: LocalDynamoDb;
let create: HttpHandler;
let update: HttpHandler;

beforeAll(async () => {
  db = await startDynalite();
  // The handlers' own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(db.endpoint, { TABLE_NAME: tables.items, IDEMPOTENCY_TABLE_NAME: tables.idempotency, SPROUT_FLAGS: encodeEnv(onForEveryone) });
  await createTables(db.client, tables);
  create = (await import('../src/functions/create-item.js')).handler;
  update = (await import('../src/functions/update-item.js')).handler;
});

afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

/** Serves `flags` to the handlers from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

const createAs = async (sourceIp: string, name: string) =>
  parse(await create(apiEvent('POST', '/items', { body: { name }, sourceIp }), lambdaContext()));
const updateAs = async (sourceIp: string, id: string, name: string) =>
  parse(await update(apiEvent('PUT', '/items/{id}', { pathParameters: { id }, body: { name }, sourceIp }), lambdaContext()));

function expectRefused(response: { statusCode: number; body: unknown }, message: RegExp) {
  expect(response.statusCode).toBe(400);
  expect(response.body).toEqual({ error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(message) } });
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, STRICT_ITEM_NAMES, true, { targetingKey: '192.0.2.10' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('strict-item-names in the handlers', () => {
  // First, before any provider is swapped: proves the handlers read SPROUT_FLAGS themselves.
  it('is read from SPROUT_FLAGS by the handlers\' own provider', async () => {
    expectRefused(await createAs('192.0.2.10', '  Desk lamp'), /must not start or end with spaces/);
  });

  it('off: names keep today\'s rules, padded names included', async () => {
    await useFlags(initialFlags);
    const created = await createAs('192.0.2.10', '  Desk lamp ');
    expect(created.statusCode).toBe(201);
    expect(created.body.name).toBe('  Desk lamp ');
  });

  it('on for everyone: create and update refuse blank, padded and control-character names, and take clean ones', async () => {
    await useFlags(initialFlags);
    const { body: item } = await createAs('192.0.2.10', 'Reading lamp');
    await useFlags(onForEveryone);
    expectRefused(await createAs('192.0.2.10', '   '), /must contain more than spaces/);
    expectRefused(await createAs('192.0.2.10', 'Desk lamp '), /must not start or end with spaces/);
    expectRefused(await createAs('192.0.2.10', 'Desk\u0000lamp'), /must not contain control characters/);
    expectRefused(await updateAs('192.0.2.10', item.id, '\tReading lamp'), /must not start or end with spaces/);
    expect((await createAs('192.0.2.10', 'Desk lamp')).statusCode).toBe(201);
    expect((await updateAs('192.0.2.10', item.id, 'Reading lamp, brass')).statusCode).toBe(200);
  });

  it('for a targeting list (--target 203.0.113.9=on): only that caller gets the strict rules', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['203.0.113.9'] } }));
    expectRefused(await createAs('203.0.113.9', 'Desk lamp '), /must not start or end with spaces/);
    expect((await createAs('203.0.113.10', 'Desk lamp ')).statusCode).toBe(201);
  });

  it('for 25% of callers (--on --percent 25): exactly the callers whose IP falls in the first 2,500 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 2_500 } }));
    const callers = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    const strict = callers.filter((ip) => bucketOf(STRICT_ITEM_NAMES, sampleFlag.salt, ip) < 2_500);
    // Both outcomes occur, so the check below can tell a split from "all" or "none".
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.length).toBeLessThan(callers.length);
    for (const ip of callers) {
      const expected = strict.includes(ip) ? 400 : 201;
      expect((await createAs(ip, `Lamp ${ip} `)).statusCode, ip).toBe(expected);
      expect((await createAs(ip, `Lamp ${ip} `)).statusCode, `${ip}, asked again`).toBe(expected);
    }
  });

  it('when the flags cannot be read: today\'s rules (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect((await createAs('192.0.2.10', ' Desk lamp')).statusCode).toBe(201);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
