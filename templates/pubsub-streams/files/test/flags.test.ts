import { OpenFeature } from '@openfeature/server-sdk';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initialFlags, SKIP_INVALID_RECORDS } from '../src/lib/flags.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { createOrdersTable, type Emulators, readOrder, startEmulators, useEmulatorEnvironment } from './helpers/emulators.js';
import { lambdaContext, type StreamHandler } from './helpers/stream-mapping.js';

// The sample flag, skip-invalid-records, evaluated by the real consumer through OpenFeature, with
// the flags in the lambda-env store's format (SPROUT_FLAGS): no AppConfig, no network.

const TABLE = 'orders-flags-test';
const sampleFlag = initialFlags.flags[SKIP_INVALID_RECORDS] as Flag;
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [SKIP_INVALID_RECORDS]: { ...sampleFlag, ...change } } });
/** `sprout flags set skip-invalid-records --target flag-b=on`, the order id being the targeting key. */
const onForOrderB = withSampleFlag({ enabled: true, targets: { on: ['flag-b'] } });

let emulators: Emulators;
let handler: StreamHandler;

beforeAll(async () => {
  emulators = await startEmulators();
  // The handler's own provider reads SPROUT_FLAGS when the stack set no AppConfig variables.
  useEmulatorEnvironment(emulators.dynamoEndpoint, { ORDERS_TABLE_NAME: TABLE, SPROUT_FLAGS: encodeEnv(onForOrderB) });
  await createOrdersTable(emulators.dynamo, TABLE);
  handler = (await import('../src/functions/consume-order-events.js')).handler;
});

afterAll(async () => {
  await OpenFeature.clearProviders();
  await emulators?.stop();
});

async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

let sequence = 10n ** 55n;
/** A record as Lambda delivers it, on one shard, each one after the last. */
function record(partitionKey: string, data: string): KinesisStreamRecord {
  const sequenceNumber = String((sequence += 1000n));
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber, data: Buffer.from(data).toString('base64'), approximateArrivalTimestamp: 1_795_000_000.123 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/orders-consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
  };
}
const event = (orderId: string, type: string) => JSON.stringify({ orderId, type, at: '2026-11-26T10:00:00.000Z' });
/** placed, then an impossible "delivered", then paid: for one order. */
const lifecycleWithBadEvent = (orderId: string) => [record(orderId, event(orderId, 'placed')), record(orderId, event(orderId, 'delivered')), record(orderId, event(orderId, 'paid'))];
const failuresOf = (records: KinesisStreamRecord[]) => records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber }));

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, SKIP_INVALID_RECORDS, true, { targetingKey: 'flag-a' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('skip-invalid-records in the consumer', () => {
  // First, before any provider is swapped: proves the handler reads SPROUT_FLAGS itself.
  it('targeted at one order: only that order\'s invalid record is set aside, the other order\'s still fails', async () => {
    const a = lifecycleWithBadEvent('flag-a');
    const b = lifecycleWithBadEvent('flag-b');
    const response = await handler({ Records: [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!, b[2]!] }, lambdaContext());
    expect(response.batchItemFailures).toEqual(failuresOf([a[1]!, a[2]!]));
    expect(await readOrder(emulators.db, TABLE, 'flag-a')).toMatchObject({ status: 'PLACED', appliedCount: 1 });
    expect(await readOrder(emulators.db, TABLE, 'flag-b')).toMatchObject({
      status: 'PAID',
      appliedCount: 2,
      rejectedCount: 1,
      rejected: [{ sequenceNumber: b[1]!.kinesis.sequenceNumber, reason: '"delivered" cannot follow status PLACED' }],
    });
  });

  it('off (as the stack first writes it): an invalid record holds back the rest of its order', async () => {
    await useFlags(initialFlags);
    const c = lifecycleWithBadEvent('flag-c');
    expect((await handler({ Records: c }, lambdaContext())).batchItemFailures).toEqual(failuresOf(c.slice(1)));
  });

  it('on for everyone: records that are not even JSON are set aside too, with the reason', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 10_000 } }));
    const d = [record('flag-d', '{"orderId":'), record('flag-d', event('flag-d', 'placed'))];
    expect(await handler({ Records: d }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await readOrder(emulators.db, TABLE, 'flag-d')).toMatchObject({ status: 'PLACED', rejected: [{ reason: 'the record data is not JSON' }] });
  });

  it('never sets aside a transient failure, whatever the flag says', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 10_000 } }));
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const spy = vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockRejectedValueOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const e = [record('flag-e', event('flag-e', 'placed'))];
    expect((await handler({ Records: e }, lambdaContext())).batchItemFailures).toEqual(failuresOf(e));
    spy.mockRestore();
    expect(await readOrder(emulators.db, TABLE, 'flag-e')).toBeUndefined();
  });

  it('when the flags cannot be read: the strict default, and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    const f = lifecycleWithBadEvent('flag-f');
    expect((await handler({ Records: f }, lambdaContext())).batchItemFailures).toEqual(failuresOf(f.slice(1)));
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
