import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FORCE_CIRCUIT_OPEN, initialFlags } from '../src/lib/flags.js';
import type { HttpHandler } from '../src/lib/handler.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { createCircuitTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { type FakeService, startService } from './helpers/servers.js';

// The sample flag, force-circuit-open, evaluated by the real function through OpenFeature, with the
// flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig; DynamoDB is dynalite and
// the downstream service a local HTTP server.

const TABLE = 'flags-circuits';
const CIRCUIT = 'downstream.test';
const COOL_DOWN_SECONDS = 45;
const sampleFlag = initialFlags.flags[FORCE_CIRCUIT_OPEN] as Flag;
/** The sample flag changed as `sprout flags set force-circuit-open …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [FORCE_CIRCUIT_OPEN]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let db: LocalDynamoDb;
let service: FakeService;
let handler: HttpHandler;

beforeAll(async () => {
  db = await startDynalite();
  service = await startService('downstream', { body: { healthy: true } });
  // The function's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(db.endpoint, {
    TABLE_NAME: TABLE,
    CIRCUIT_NAME: CIRCUIT,
    DOWNSTREAM_URL: `${service.origin}/health`,
    CALL_TIMEOUT_MS: '500',
    FAILURE_THRESHOLD: '3',
    COOL_DOWN_SECONDS: String(COOL_DOWN_SECONDS),
    SPROUT_FLAGS: encodeEnv(onForEveryone),
  });
  await createCircuitTable(db.client, TABLE);
  handler = (await import('../src/functions/call.js')).handler;
});
afterEach(() => {
  service.hits.length = 0;
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await service?.close();
  await db?.stop();
});

/** Serves `flags` to the function from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** One request from `sourceIp`: the answer, and whether the downstream service was called. */
async function callAs(sourceIp: string) {
  const response = parse(await handler(apiEvent('/call', { sourceIp }), lambdaContext()));
  const called = service.hits.length > 0;
  service.hits.length = 0;
  return { ...response, called };
}

const forced = (response: { statusCode: number; body: { error?: { code: string } } }) => response.statusCode === 503 && response.body.error?.code === 'CIRCUIT_FORCED_OPEN';

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, FORCE_CIRCUIT_OPEN, true, { targetingKey: '192.0.2.10', circuit: CIRCUIT })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('force-circuit-open in the call function', () => {
  // First, before any provider is swapped: proves the function reads SPROUT_FLAGS itself.
  it('is read from SPROUT_FLAGS by the function\'s own provider', async () => {
    const response = await callAs('192.0.2.10');
    expect(forced(response)).toBe(true);
    expect(response.called).toBe(false);
  });

  it('on: serves the fallback without calling downstream, and leaves the circuit state alone', async () => {
    await useFlags(onForEveryone);
    const response = await callAs('192.0.2.10');
    expect(response).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': String(COOL_DOWN_SECONDS), 'x-circuit-state': 'open' },
      body: { error: { code: 'CIRCUIT_FORCED_OPEN' }, circuit: { name: CIRCUIT, state: 'open', forced: true }, retryAfter: COOL_DOWN_SECONDS },
    });
    expect(response.called).toBe(false);
    const client = DynamoDBDocumentClient.from(db.client);
    expect((await client.send(new GetCommand({ TableName: TABLE, Key: { circuit: CIRCUIT } }))).Item).toBeUndefined();
  });

  it('off: the circuit decides, and the healthy downstream service is called', async () => {
    await useFlags(initialFlags);
    const response = await callAs('192.0.2.10');
    expect(response).toMatchObject({ statusCode: 200, body: { healthy: true }, called: true });
  });

  it('for a targeting list (--target 203.0.113.9=on): only that caller gets the fallback', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['203.0.113.9'] } }));
    expect(await callAs('203.0.113.9')).toMatchObject({ statusCode: 503, called: false });
    expect(await callAs('203.0.113.10')).toMatchObject({ statusCode: 200, called: true });
  });

  it('for one circuit (--rule "circuit equals …"): only requests through that circuit', async () => {
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'circuit', op: 'equals', value: CIRCUIT }], variant: 'on' }] }));
    expect(forced(await callAs('192.0.2.10'))).toBe(true);
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'circuit', op: 'equals', value: 'another.example.com' }], variant: 'on' }] }));
    expect(await callAs('192.0.2.10')).toMatchObject({ statusCode: 200, called: true });
  });

  it('for 30% of callers (--on --percent 30): exactly the callers whose IP falls in the first 3,000 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 3_000 } }));
    const callers = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    const inSplit = (ip: string) => bucketOf(FORCE_CIRCUIT_OPEN, sampleFlag.salt, ip) < 3_000;
    expect(callers.filter(inSplit).length).toBeGreaterThan(0);
    expect(callers.filter(inSplit).length).toBeLessThan(callers.length);
    for (const ip of callers) {
      expect(forced(await callAs(ip)), ip).toBe(inSplit(ip));
      expect(forced(await callAs(ip)), `${ip}, asked again`).toBe(inSplit(ip));
    }
  });

  it('when the flags cannot be read: the circuit decides (the default is off), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await callAs('192.0.2.10')).toMatchObject({ statusCode: 200, called: true });
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
