import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, SKIP_OPTIONAL_SOURCES } from '../src/lib/flags.js';
import type { HttpHandler } from '../src/lib/handler.js';
import type { Source } from '../src/lib/sources.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { useTestEnvironment } from './helpers/environment.js';
import { type FakeService, startService } from './helpers/servers.js';

// The sample flag, skip-optional-sources, evaluated by the real aggregate function through
// OpenFeature, with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no
// network but the fake downstream services on 127.0.0.1.

const sampleFlag = initialFlags.flags[SKIP_OPTIONAL_SOURCES] as Flag;
/** The sample flag changed as `sprout flags set skip-optional-sources …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [SKIP_OPTIONAL_SOURCES]: { ...sampleFlag, ...change } } });
/** `--on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

const services: Record<'profile' | 'recommendations' | 'loyalty', FakeService> = {} as never;
let aggregate: HttpHandler;

beforeAll(async () => {
  for (const name of ['profile', 'recommendations', 'loyalty'] as const) services[name] = await startService(name, { body: { name } });
  const sources: Source[] = [
    { name: 'profile', url: `${services.profile.origin}/profile`, timeoutMs: 1_000, required: true },
    { name: 'recommendations', url: `${services.recommendations.origin}/recommendations`, timeoutMs: 1_000, required: false },
    { name: 'loyalty', url: `${services.loyalty.origin}/loyalty`, timeoutMs: 1_000, required: false },
  ];
  // The function's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useTestEnvironment({ sources, flags: onForEveryone });
  aggregate = (await import('../src/functions/aggregate.js')).handler;
});
afterEach(() => {
  for (const service of Object.values(services)) service.hits.length = 0;
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await Promise.all(Object.values(services).map((service) => service.close()));
});

/** Serves `flags` to the function from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** One request from `sourceIp`: which sources were called, and what the answer says about each. */
async function aggregateAs(sourceIp: string) {
  const response = parse(await aggregate(apiEvent('/aggregate', { sourceIp }), lambdaContext()));
  const called = Object.entries(services).filter(([, service]) => service.hits.length > 0).map(([name]) => name);
  for (const service of Object.values(services)) service.hits.length = 0;
  return { ...response, called, statuses: Object.fromEntries(Object.entries(response.body.sources).map(([name, report]) => [name, (report as { status: string }).status])) };
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, SKIP_OPTIONAL_SOURCES, true, { targetingKey: '192.0.2.10', source: 'loyalty' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('skip-optional-sources in the aggregate function', () => {
  // First, before any provider is swapped: proves the function reads SPROUT_FLAGS itself.
  it('is read from SPROUT_FLAGS by the function\'s own provider', async () => {
    const { statusCode, called, statuses } = await aggregateAs('192.0.2.10');
    expect(statusCode).toBe(200);
    expect(called).toEqual(['profile']);
    expect(statuses).toEqual({ profile: 'ok', recommendations: 'skipped', loyalty: 'skipped' });
  });

  it('off: every source is called', async () => {
    await useFlags(initialFlags);
    const { body, called } = await aggregateAs('192.0.2.10');
    expect(called).toEqual(['profile', 'recommendations', 'loyalty']);
    expect(body.partial).toBe(false);
    expect(Object.keys(body.data)).toEqual(['profile', 'recommendations', 'loyalty']);
  });

  it('on for everyone: optional sources are not called and are reported as skipped; required ones still are', async () => {
    await useFlags(onForEveryone);
    const { statusCode, body, headers, called } = await aggregateAs('192.0.2.10');
    expect(statusCode).toBe(200);
    expect(called).toEqual(['profile']);
    expect(body.partial).toBe(true);
    expect(body.data).toEqual({ profile: { name: 'profile' } });
    expect(body.sources.loyalty).toEqual({ status: 'skipped', required: false, ms: 0, error: 'skipped: the skip-optional-sources flag is on' });
    // Nothing was called, so nothing to time.
    expect(headers['server-timing']).not.toMatch(/loyalty|recommendations/);
  });

  it('for one source (--rule "source equals loyalty => on"): only that source is skipped', async () => {
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'source', op: 'equals', value: 'loyalty' }], variant: 'on' }] }));
    const { called, statuses } = await aggregateAs('192.0.2.10');
    expect(called).toEqual(['profile', 'recommendations']);
    expect(statuses).toEqual({ profile: 'ok', recommendations: 'ok', loyalty: 'skipped' });
  });

  it('for a targeting list (--target 203.0.113.9=on): only that caller gets the lighter answer', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['203.0.113.9'] } }));
    expect((await aggregateAs('203.0.113.9')).called).toEqual(['profile']);
    expect((await aggregateAs('203.0.113.10')).called).toEqual(['profile', 'recommendations', 'loyalty']);
  });

  it('for 30% of callers (--on --percent 30): exactly the callers whose IP falls in the first 3,000 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 3_000 } }));
    const callers = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);
    const shed = (ip: string) => bucketOf(SKIP_OPTIONAL_SOURCES, sampleFlag.salt, ip) < 3_000;
    // Both outcomes occur, so the check below can tell a split from "all" or "none".
    expect(callers.filter(shed).length).toBeGreaterThan(0);
    expect(callers.filter(shed).length).toBeLessThan(callers.length);
    for (const ip of callers) {
      const expected = shed(ip) ? ['profile'] : ['profile', 'recommendations', 'loyalty'];
      expect((await aggregateAs(ip)).called, ip).toEqual(expected);
      expect((await aggregateAs(ip)).called, `${ip}, asked again`).toEqual(expected);
    }
  });

  it('never skips a required source, even when a rule names it', async () => {
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'source', op: 'equals', value: 'profile' }], variant: 'on' }] }));
    const { called, statuses } = await aggregateAs('192.0.2.10');
    expect(called).toEqual(['profile', 'recommendations', 'loyalty']);
    expect(statuses.profile).toBe('ok');
  });

  it('when the flags cannot be read: every source is called (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    const { statusCode, called } = await aggregateAs('192.0.2.10');
    expect(statusCode).toBe(200);
    expect(called).toEqual(['profile', 'recommendations', 'loyalty']);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
