import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context, SQSEvent } from 'aws-lambda';
import { HOLD_LARGE_ORDERS, initialFlags, LARGE_ORDER_UNITS } from '../src/lib/flags.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { createTables, type LocalDynamoDb, scanAll, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { lambdaContext } from './helpers/lambda.js';

// The sample flag, hold-large-orders, evaluated by the real consumer through OpenFeature, with the
// flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no network.

type Handler = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

const tables = { orders: 'flags-orders', idempotency: 'flags-idempotency' };
const sampleFlag = initialFlags.flags[HOLD_LARGE_ORDERS] as Flag;
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [HOLD_LARGE_ORDERS]: { ...sampleFlag, ...change } } });
/** `sprout flags set hold-large-orders --on --percent 100` */
const onForEveryone = withSampleFlag({ enabled: true, split: { on: 10_000 } });

let db: LocalDynamoDb;
let handler: Handler;
let count = 0;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables, { SPROUT_FLAGS: encodeEnv(onForEveryone) });
  await createTables(db.client, tables);
  handler = (await import('../src/functions/process-queue.js')).handler as Handler;
});

afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

/** Processes one order for `customerId` of `units` units and returns the status it was stored with. */
async function statusOf(customerId: string, units: number): Promise<string> {
  count += 1;
  const orderId = `flag-order-${count}`;
  const body = JSON.stringify({ orderId, customerId, items: [{ sku: 'LAMP-01', quantity: units }] });
  const answer = await handler(
    {
      Records: [
        {
          messageId: `m-${count}`, body, receiptHandle: 'r', messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', awsRegion: 'us-east-1',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 's', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        },
      ],
    },
    lambdaContext(),
  );
  expect(answer.batchItemFailures).toEqual([]);
  return (await scanAll(db.client, tables.orders)).find((item) => item.orderId === orderId)!.status;
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, HOLD_LARGE_ORDERS, true, { targetingKey: 'customer-1' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('hold-large-orders in the consumer', () => {
  // First, before any provider is swapped: proves the consumer reads SPROUT_FLAGS itself.
  it('is read from SPROUT_FLAGS by the consumer\'s own provider', async () => {
    expect(await statusOf('customer-1', LARGE_ORDER_UNITS + 1)).toBe('HELD');
  });

  it('off: every order is accepted', async () => {
    await useFlags(initialFlags);
    expect(await statusOf('customer-1', LARGE_ORDER_UNITS + 1)).toBe('ACCEPTED');
  });

  it('on for everyone: only orders of more than LARGE_ORDER_UNITS units are held', async () => {
    await useFlags(onForEveryone);
    expect(await statusOf('customer-1', LARGE_ORDER_UNITS)).toBe('ACCEPTED');
    expect(await statusOf('customer-1', LARGE_ORDER_UNITS + 1)).toBe('HELD');
  });

  it('for a targeting list (--target customer-9=on): only that customer\'s large orders are held', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['customer-9'] } }));
    expect(await statusOf('customer-9', 80)).toBe('HELD');
    expect(await statusOf('customer-10', 80)).toBe('ACCEPTED');
  });

  it('for 30% of customers: exactly the customers whose id falls in the first 3,000 buckets', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 3_000 } }));
    const customers = Array.from({ length: 30 }, (_, i) => `customer-${i + 100}`);
    const held = customers.filter((id) => bucketOf(HOLD_LARGE_ORDERS, sampleFlag.salt, id) < 3_000);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(customers.length);
    for (const id of customers) expect(await statusOf(id, 60), id).toBe(held.includes(id) ? 'HELD' : 'ACCEPTED');
  });

  it('when the flags cannot be read: orders are accepted (the default), not failed, and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    expect(await statusOf('customer-1', 90)).toBe('ACCEPTED');
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
