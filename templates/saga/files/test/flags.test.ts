import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, PRIORITY_SHIPPING } from '../src/lib/flags.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { createTables, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { lambdaContext, order } from './helpers/orders.js';
import { handlerOf } from './helpers/template.js';

// The sample flag, priority-shipping, evaluated by the real ArrangeShipping handler through
// OpenFeature, with the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig.

const tables = { inventory: 'flags-inventory', payments: 'flags-payments', shipments: 'flags-shipments' };
const sampleFlag = initialFlags.flags[PRIORITY_SHIPPING] as Flag;
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [PRIORITY_SHIPPING]: { ...sampleFlag, ...change } } });
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let db: LocalDynamoDb;
let arrange: Awaited<ReturnType<typeof handlerOf>>;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables, { SAGA_COORDINATION: 'orchestration', SPROUT_FLAGS: encodeEnv(onForEveryone) });
  await createTables(db, tables);
  arrange = await handlerOf('ArrangeShipping');
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

const serviceLevelFor = async (customerId: string, country = 'DE') =>
  ((await arrange(order({ customerId, shipTo: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country } }), lambdaContext())) as { serviceLevel: string }).serviceLevel;

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, PRIORITY_SHIPPING, true, { targetingKey: 'customer-1' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('priority-shipping in ArrangeShipping', () => {
  it('is read from SPROUT_FLAGS by the handler\'s own provider', async () => {
    expect(await serviceLevelFor('customer-1')).toBe('priority');
  });

  it('off: every shipment is standard', async () => {
    await useFlags(initialFlags);
    expect(await serviceLevelFor('customer-1')).toBe('standard');
  });

  it('for a targeting list (--target customer-7=on): only that customer ships priority', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['customer-7'] } }));
    expect(await serviceLevelFor('customer-7')).toBe('priority');
    expect(await serviceLevelFor('customer-8')).toBe('standard');
  });

  it('for one country (--rule "country equals FR => on")', async () => {
    await useFlags(withSampleFlag({ enabled: true, rules: [{ conditions: [{ attribute: 'country', op: 'equals', value: 'FR' }], variant: 'on' }] }));
    expect(await serviceLevelFor('customer-1', 'FR')).toBe('priority');
    expect(await serviceLevelFor('customer-1', 'DE')).toBe('standard');
  });

  it('for 20% of customers: exactly those whose id falls in the first 2,000 buckets', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 2_000 } }));
    const customers = Array.from({ length: 30 }, (_, i) => `customer-${i + 100}`);
    const priority = (id: string) => bucketOf(PRIORITY_SHIPPING, sampleFlag.salt, id) < 2_000;
    expect(customers.filter(priority).length).toBeGreaterThan(0);
    expect(customers.filter(priority).length).toBeLessThan(customers.length);
    for (const id of customers) expect(await serviceLevelFor(id), id).toBe(priority(id) ? 'priority' : 'standard');
  });

  it('when the flags cannot be read: standard (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await serviceLevelFor('customer-1')).toBe('standard');
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
