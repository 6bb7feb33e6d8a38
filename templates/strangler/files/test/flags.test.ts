import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialFlags, LEGACY_READ_THROUGH } from '../src/lib/flags.js';
import type { HttpHandler } from '../src/lib/handler.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { facadeEvent, lambdaContext, parse } from './helpers/api-event.js';
import { createOrdersTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { type LegacyServer, startLegacyServer } from './helpers/legacy-server.js';

// The sample flag, orders-legacy-read-through, evaluated by the real handler through OpenFeature,
// with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig. The legacy backend
// is a real HTTP server on 127.0.0.1.

const TABLE = 'flags-orders';
const READ_THROUGH_TIMEOUT_MS = 300;
const sampleFlag = initialFlags.flags[LEGACY_READ_THROUGH] as Flag;

/** The sample flag changed as `sprout flags set orders-legacy-read-through …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [LEGACY_READ_THROUGH]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

/** Order 10023 as the legacy system serves it: its own shape, passed on unchanged. */
const legacyOrder = { orderNo: 10023, customer: 'c-17', total: '30.97', state: 'SHIPPED' };

let db: LocalDynamoDb;
let legacy: LegacyServer;
let handler: HttpHandler;

beforeAll(async () => {
  [db, legacy] = await Promise.all([startDynalite(), startLegacyServer()]);
  // The handler's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(db.endpoint, {
    TABLE_NAME: TABLE,
    LEGACY_BASE_URL: legacy.origin,
    LEGACY_TIMEOUT_MS: String(READ_THROUGH_TIMEOUT_MS),
    SPROUT_FLAGS: encodeEnv(onForEveryone),
  });
  await createOrdersTable(db.client, TABLE);
  handler = (await import('../src/functions/orders.js')).handler;
});

beforeEach(() => {
  legacy.requests.length = 0;
  legacy.answer((request) => (request.url === '/orders/10023' ? { body: legacyOrder } : { status: 404, body: { message: 'no such order' } }));
});

afterAll(async () => {
  await OpenFeature.clearProviders();
  await Promise.all([db?.stop(), legacy?.close()]);
});

/** Serves `flags` to the handler from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

const getAs = async (sourceIp: string, id: string, headers: Record<string, string> = {}) =>
  parse(await handler(facadeEvent('GET', `/orders/${id}`, { sourceIp, headers }), lambdaContext()));

function expectError(response: { statusCode: number; body: unknown }, statusCode: number, code: string) {
  expect(response.statusCode).toBe(statusCode);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, LEGACY_READ_THROUGH, true, { targetingKey: '192.0.2.10' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('orders-legacy-read-through in the orders service', () => {
  // First, before any provider is swapped: proves the handler reads SPROUT_FLAGS itself.
  it('is read from SPROUT_FLAGS by the handler\'s own provider', async () => {
    const response = await getAs('192.0.2.10', '10023');
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(legacyOrder);
  });

  it('off: an order the new service does not have is a 404, and legacy is never asked', async () => {
    await useFlags(initialFlags);
    expectError(await getAs('192.0.2.10', '10023'), 404, 'NOT_FOUND');
    expect(legacy.requests).toEqual([]);
  });

  it('on: serves the legacy order as legacy sent it, marked as coming from legacy, passing the caller\'s Authorization on', async () => {
    await useFlags(onForEveryone);
    const response = await getAs('192.0.2.10', '10023', { Authorization: 'Bearer legacy-session-1' });
    expect(response).toMatchObject({ statusCode: 200, body: legacyOrder, headers: { 'content-type': 'application/json', 'x-strangler-source': 'legacy' } });
    expect(legacy.requests).toEqual([expect.objectContaining({ method: 'GET', url: '/orders/10023', headers: expect.objectContaining({ authorization: 'Bearer legacy-session-1', accept: 'application/json' }) })]);
  });

  it('on: an order the new service has is served from its own table, without asking legacy', async () => {
    await useFlags(onForEveryone);
    const created = parse(await handler(facadeEvent('POST', '/orders', { body: { customerId: 'c-1', currency: 'EUR', lines: [{ sku: 'A', quantity: 1, unitPriceCents: 100 }] } }), lambdaContext()));
    const response = await getAs('192.0.2.10', created.body.id);
    expect(response).toMatchObject({ statusCode: 200, body: created.body, headers: { 'x-strangler-source': 'new' } });
    expect(legacy.requests).toEqual([]);
  });

  it('on: an order neither side has is a 404', async () => {
    await useFlags(onForEveryone);
    expectError(await getAs('192.0.2.10', '999'), 404, 'NOT_FOUND');
    expect(legacy.requests.map((r) => r.url)).toEqual(['/orders/999']);
  });

  it('on: a legacy error is a 502 and a legacy slower than LEGACY_TIMEOUT_MS a 504, both in the service\'s error shape', async () => {
    await useFlags(onForEveryone);
    legacy.answer(() => ({ status: 500, body: 'Internal Server Error' }));
    expectError(await getAs('192.0.2.10', '10023'), 502, 'LEGACY_ERROR');
    legacy.answer(() => ({ body: legacyOrder, delayMs: READ_THROUGH_TIMEOUT_MS + 500 }));
    const started = performance.now();
    expectError(await getAs('192.0.2.10', '10023'), 504, 'LEGACY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(READ_THROUGH_TIMEOUT_MS + 400);
  });

  it('for a targeting list (--target 203.0.113.9=on): only that caller reads through', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['203.0.113.9'] } }));
    expect((await getAs('203.0.113.9', '10023')).statusCode).toBe(200);
    expect((await getAs('203.0.113.10', '10023')).statusCode).toBe(404);
  });

  it('for 25% of callers (--on --percent 25): exactly the callers whose IP falls in the first 2,500 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 2_500 } }));
    const callers = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    const readThrough = callers.filter((ip) => bucketOf(LEGACY_READ_THROUGH, sampleFlag.salt, ip) < 2_500);
    // Both outcomes occur, so the check below can tell a split from "all" or "none".
    expect(readThrough.length).toBeGreaterThan(0);
    expect(readThrough.length).toBeLessThan(callers.length);
    for (const ip of callers) {
      const expected = readThrough.includes(ip) ? 200 : 404;
      expect((await getAs(ip, '10023')).statusCode, ip).toBe(expected);
      expect((await getAs(ip, '10023')).statusCode, `${ip}, asked again`).toBe(expected);
    }
  });

  it('when the flags cannot be read: no read-through (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expectError(await getAs('192.0.2.10', '10023'), 404, 'NOT_FOUND');
    expect(legacy.requests).toEqual([]);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
