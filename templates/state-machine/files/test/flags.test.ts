import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, VOLUME_DISCOUNT } from '../src/lib/flags.js';
import type { Order, Quote } from '../src/lib/order.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { runWorkflow, type SynthesizedWorkflow, synthesizeWorkflow } from './helpers/workflow.js';

// The sample flag, volume-discount, evaluated by the real price-line handler inside the
// synthesized state machine (one evaluation per Map iteration), with the flags in the lambda-env
// store's format (SPROUT_FLAGS): no AppConfig, no network.

const sampleFlag = initialFlags.flags[VOLUME_DISCOUNT] as Flag;
/** The sample flag changed as `sprout flags set volume-discount …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [VOLUME_DISCOUNT]: { ...sampleFlag, ...change } } });

/** Serves `flags` to the handlers from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** 12 bulbs (volume-discount applies) and 2 lamps (too few), for `customerId`. */
const orderFor = (customerId: string): Order => ({
  orderId: `order-${customerId}`,
  customer: { id: customerId, tier: 'retail' },
  delivery: 'pickup',
  items: [
    { sku: 'BULB-02', quantity: 12, unitPriceCents: 350 },
    { sku: 'LAMP-01', quantity: 2, unitPriceCents: 1_999 },
  ],
});
const discounts = async (customerId: string) => ((await runWorkflow(workflow, orderFor(customerId))).output as Quote).lines.map((l) => l.discountPercent);

let workflow: SynthesizedWorkflow;
beforeAll(() => {
  workflow = synthesizeWorkflow();
});
afterAll(async () => {
  await OpenFeature.clearProviders();
});

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, VOLUME_DISCOUNT, true, { targetingKey: 'cust-42' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('volume-discount in the workflow', () => {
  it('off: no line gets the volume discount', async () => {
    await useFlags(initialFlags);
    expect(await discounts('cust-42')).toEqual([0, 0]);
  });

  it('on for everyone: 5% off the line of 12, nothing off the line of 2, and the total follows', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 10_000 } }));
    const run = await runWorkflow(workflow, orderFor('cust-42'));
    expect(run.output).toMatchObject({
      lines: [
        { sku: 'BULB-02', discountPercent: 5, totalCents: 3_990 },
        { sku: 'LAMP-01', discountPercent: 0, totalCents: 3_998 },
      ],
      totalCents: 7_988,
    });
  });

  it('for a targeting list (--target cust-vip=on): only that customer gets it', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['cust-vip'] } }));
    expect(await discounts('cust-vip')).toEqual([5, 0]);
    expect(await discounts('cust-42')).toEqual([0, 0]);
  });

  it('for 30% of customers (--on --percent 30): exactly those whose id falls in the first 3,000 buckets, every time', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 3_000 } }));
    const customers = Array.from({ length: 20 }, (_, i) => `cust-${i + 1}`);
    const discounted = customers.filter((id) => bucketOf(VOLUME_DISCOUNT, sampleFlag.salt, id) < 3_000);
    // Both outcomes occur, so the check below can tell a split from "all" or "none".
    expect(discounted.length).toBeGreaterThan(0);
    expect(discounted.length).toBeLessThan(customers.length);
    for (const id of customers) expect(await discounts(id), id).toEqual(discounted.includes(id) ? [5, 0] : [0, 0]);
  });

  it('when the flags cannot be read: no discount (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    const run = await runWorkflow(workflow, orderFor('cust-vip'));
    expect(run.status).toBe('SUCCEEDED');
    expect((run.output as Quote).lines.map((l) => l.discountPercent)).toEqual([0, 0]);
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
