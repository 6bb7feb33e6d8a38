import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFailedRecords } from '../src/lib/failed-batches.js';
import type { OrderEvent } from '../src/lib/order-events.js';
import { putInOrder, sampleOrderEvents } from '../src/lib/producer.js';
import { compareSequence } from '../src/lib/sequence.js';
import {
  createOrdersTable,
  createStream,
  type Emulators,
  type LocalStream,
  readOrder,
  readShard,
  startEmulators,
  toEventRecord,
  useEmulatorEnvironment,
} from './helpers/emulators.js';
import { lambdaContext, pollShard, pollShardInParallel, type StreamHandler } from './helpers/stream-mapping.js';

// The real consumer against kinesalite (the stream, three shards) and dynalite (the orders table):
// events are put with the project's own producer, read back with GetShardIterator/GetRecords, and
// delivered to the handler as Lambda's Kinesis events.

const TABLE = 'orders-consumer-test';
let emulators: Emulators;
let stream: LocalStream;
let handler: StreamHandler;

beforeAll(async () => {
  emulators = await startEmulators();
  useEmulatorEnvironment(emulators.dynamoEndpoint, { ORDERS_TABLE_NAME: TABLE });
  await createOrdersTable(emulators.dynamo, TABLE);
  stream = await createStream(emulators.kinesis, 'orders', 3);
  handler = (await import('../src/functions/consume-order-events.js')).handler;
});

afterEach(() => vi.restoreAllMocks());
afterAll(() => emulators?.stop());

/** Every record of the stream whose partition key starts with `prefix`, per shard, as Lambda events. */
async function shardsOf(prefix: string): Promise<Map<string, KinesisStreamRecord[]>> {
  const shards = new Map<string, KinesisStreamRecord[]>();
  for (const shardId of stream.shardIds) {
    const records = (await readShard(emulators.kinesis, stream.name, shardId)).filter((record) => record.PartitionKey?.startsWith(`${prefix}-`));
    if (records.length > 0) shards.set(shardId, records.map((record) => toEventRecord(stream, shardId, record)));
  }
  return shards;
}

const typesOf = (events: OrderEvent[], orderId: string) => events.filter((event) => event.orderId === orderId).map((event) => event.type);
const orderIds = (events: OrderEvent[]) => [...new Set(events.map((event) => event.orderId))];
const seqs = (records: KinesisStreamRecord[]) => records.map((record) => record.kinesis.sequenceNumber);

/**
 * Makes the handler's DynamoDB write for one event fail once, as a throttled request would, and
 * returns the list of every event write the handler attempts (`orderId type`), in order.
 */
function throttleOnce(orderId: string, type: string): string[] {
  const send = DynamoDBDocumentClient.prototype.send;
  const attempts: string[] = [];
  let thrown = false;
  vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (this: DynamoDBDocumentClient, command: unknown, ...rest: unknown[]) {
    const entry = command instanceof UpdateCommand ? command.input.ExpressionAttributeValues?.[':entry']?.[0] : undefined;
    if (command instanceof UpdateCommand && entry?.type) attempts.push(`${command.input.Key?.orderId} ${entry.type}`);
    if (!thrown && command instanceof UpdateCommand && command.input.Key?.orderId === orderId && entry?.type === type) {
      thrown = true;
      return Promise.reject(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }));
    }
    return (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  } as typeof send);
  return attempts;
}

describe('the producer', () => {
  it('puts each order on one shard, its events in the order given, with increasing sequence numbers', async () => {
    const events = sampleOrderEvents(12, 'put');
    const results = await putInOrder(emulators.kinesis, stream.name, events);
    expect(results).toHaveLength(events.length);
    const shards = await shardsOf('put');
    expect(shards.size).toBeGreaterThan(1); // twelve orders spread over several shards
    for (const orderId of orderIds(events)) {
      const onShards = [...shards.entries()].filter(([, records]) => records.some((r) => r.kinesis.partitionKey === orderId));
      expect(onShards, orderId).toHaveLength(1);
      const records = (onShards[0]?.[1] ?? []).filter((r) => r.kinesis.partitionKey === orderId);
      expect(records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).type)).toEqual(typesOf(events, orderId));
      const sorted = [...seqs(records)].sort(compareSequence);
      expect(seqs(records)).toEqual(sorted);
    }
  });
});

describe('the consumer', () => {
  it('applies every order\'s events in put order, with all shards and three batches per shard at once', async () => {
    const events = sampleOrderEvents(15, 'ordered');
    await putInOrder(emulators.kinesis, stream.name, events);
    const shards = await shardsOf('ordered');
    // Small batches, so each order's events are spread over several invocations.
    await Promise.all([...shards.values()].map((records) => pollShardInParallel(records, handler, { batchSize: 4, maxRetryAttempts: 3, parallelizationFactor: 3 })));
    for (const orderId of orderIds(events)) {
      const order = await readOrder(emulators.db, TABLE, orderId);
      const expected = typesOf(events, orderId);
      expect(order?.history?.map((entry) => entry.type), orderId).toEqual(expected);
      expect(order?.appliedCount).toBe(expected.length);
      expect(order?.status).toBe(expected.at(-1) === 'cancelled' ? 'CANCELLED' : 'DELIVERED');
    }
  });

  it('holds back the rest of an order after a failure mid-batch, reports it, and finishes it in order on the retry', async () => {
    const events = sampleOrderEvents(9, 'retry');
    await putInOrder(emulators.kinesis, stream.name, events);
    const shards = await shardsOf('retry');
    // The shard with the most orders, and the order whose events come first on it.
    const [, batch] = [...shards.entries()].sort(([, a], [, b]) => b.length - a.length)[0] as [string, KinesisStreamRecord[]];
    const failing = batch[0]?.kinesis.partitionKey as string;
    const others = [...new Set(batch.map((r) => r.kinesis.partitionKey))].filter((key) => key !== failing);
    expect(others.length).toBeGreaterThan(0);
    const ofFailing = batch.filter((r) => r.kinesis.partitionKey === failing);

    const attempts = throttleOnce(failing, 'paid');
    const first = await handler({ Records: batch }, lambdaContext());
    // After the failed write, nothing more was tried for that order in this invocation.
    expect(attempts.filter((attempt) => attempt.startsWith(`${failing} `))).toEqual([`${failing} placed`, `${failing} paid`]);
    // The failed event and everything after it for that order, lowest sequence number first.
    expect(first.batchItemFailures).toEqual(seqs(ofFailing.slice(1)).map((itemIdentifier) => ({ itemIdentifier })));
    expect((await readOrder(emulators.db, TABLE, failing))?.history?.map((entry) => entry.type)).toEqual(['placed']);
    for (const orderId of others) {
      // The other orders went on, even those whose records come after the failed one.
      expect((await readOrder(emulators.db, TABLE, orderId))?.history?.map((entry) => entry.type), orderId).toEqual(typesOf(events, orderId));
    }

    // Lambda's retry: every record from the lowest reported sequence number on, other orders' records included.
    const retry = batch.slice(batch.findIndex((r) => r.kinesis.sequenceNumber === first.batchItemFailures[0]?.itemIdentifier));
    expect(retry.some((r) => r.kinesis.partitionKey !== failing)).toBe(true);
    expect(await handler({ Records: retry }, lambdaContext())).toEqual({ batchItemFailures: [] });
    for (const orderId of [failing, ...others]) {
      const order = await readOrder(emulators.db, TABLE, orderId);
      expect(order?.history?.map((entry) => entry.type), orderId).toEqual(typesOf(events, orderId));
      // Applied once each: the records delivered twice were recognised and skipped.
      expect(order?.appliedCount, orderId).toBe(typesOf(events, orderId).length);
    }
  });

  it('changes nothing when a whole batch is delivered again (a retry after a timeout)', async () => {
    const events = sampleOrderEvents(6, 'again');
    await putInOrder(emulators.kinesis, stream.name, events);
    const shards = await shardsOf('again');
    for (const records of shards.values()) expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const before = await Promise.all(orderIds(events).map((orderId) => readOrder(emulators.db, TABLE, orderId)));
    for (const records of shards.values()) expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const after = await Promise.all(orderIds(events).map((orderId) => readOrder(emulators.db, TABLE, orderId)));
    expect(after).toEqual(before);
  });

  it('recovers from a throttled write under the mapping\'s retries, every order still in put order', async () => {
    const events = sampleOrderEvents(10, 'throttled');
    await putInOrder(emulators.kinesis, stream.name, events);
    const shards = await shardsOf('throttled');
    throttleOnce('throttled-3', 'shipped');
    const polls = await Promise.all([...shards.values()].map((records) => pollShard(records, handler, { batchSize: 100, maxRetryAttempts: 3 })));
    expect(polls.flatMap((poll) => poll.failedBatches)).toEqual([]);
    expect(polls.reduce((invocations, poll) => invocations + poll.invocations.length, 0)).toBe(shards.size + 1);
    for (const orderId of orderIds(events)) {
      const order = await readOrder(emulators.db, TABLE, orderId);
      expect(order?.history?.map((entry) => entry.type), orderId).toEqual(typesOf(events, orderId));
      expect(order?.appliedCount, orderId).toBe(typesOf(events, orderId).length);
    }
  });
});

describe('a record that can never be applied (skip-invalid-records off, the default)', () => {
  const put = (partitionKey: string, data: string) =>
    emulators.kinesis.send(new PutRecordCommand({ StreamName: stream.name, PartitionKey: partitionKey, Data: new TextEncoder().encode(data) }));
  const event = (orderId: string, type: string) => JSON.stringify({ orderId, type, at: '2026-11-26T10:00:00.000Z' });

  it('blocks only its own order; after the last retry its range goes to the on-failure destination and reads back from the stream', async () => {
    await put('poison-1', event('poison-1', 'placed'));
    await put('poison-1', event('poison-1', 'shipped')); // never paid: cannot follow PLACED
    await put('poison-1', event('poison-1', 'paid'));
    await put('poison-2', event('poison-2', 'placed'));
    await put('poison-3', '{"orderId": "poison-3", "type": '); // not JSON
    await put('poison-4', event('poison-5', 'placed')); // another order's event under this key
    const shards = await shardsOf('poison');
    const all = [...shards.values()].flat();

    const polls = await Promise.all([...shards.entries()].map(([, records]) => pollShard(records, handler, { batchSize: 100, maxRetryAttempts: 2 })));
    const failedBatches = polls.flatMap((poll) => poll.failedBatches);

    const shipped = all.find((r) => Buffer.from(r.kinesis.data, 'base64').toString().includes('"shipped"')) as KinesisStreamRecord;
    expect((await readOrder(emulators.db, TABLE, 'poison-1'))?.history?.map((entry) => entry.type)).toEqual(['placed']);
    expect((await readOrder(emulators.db, TABLE, 'poison-2'))?.status).toBe('PLACED');
    expect(await readOrder(emulators.db, TABLE, 'poison-3')).toBeUndefined();
    expect(await readOrder(emulators.db, TABLE, 'poison-5')).toBeUndefined();
    // Each bad record (and poison-1's "paid", held back behind it) is in the range of a batch given up on.
    expect(failedBatches.length).toBeGreaterThan(0);
    expect(failedBatches.map((batch) => batch.streamArn)).toEqual(failedBatches.map(() => stream.arn));
    const given = (record: KinesisStreamRecord) =>
      failedBatches.some(
        (batch) =>
          record.eventID.startsWith(`${batch.shardId}:`) &&
          compareSequence(record.kinesis.sequenceNumber, batch.startSequenceNumber) >= 0 &&
          compareSequence(record.kinesis.sequenceNumber, batch.endSequenceNumber) <= 0,
      );
    const bad = all.filter((r) => r.kinesis.partitionKey !== 'poison-2' && !Buffer.from(r.kinesis.data, 'base64').toString().includes('"placed"') || r.kinesis.partitionKey === 'poison-4');
    expect(bad).toHaveLength(4);
    for (const record of bad) expect(given(record), record.kinesis.partitionKey).toBe(true);

    // What an operator does with the queue message: read the records back with AT_SEQUENCE_NUMBER.
    const withShipped = failedBatches.find((batch) => batch.startSequenceNumber === shipped.kinesis.sequenceNumber);
    const readBack = await readFailedRecords(emulators.kinesis, withShipped!);
    expect(readBack.map((record) => record.SequenceNumber)).toEqual(
      all.filter((r) => r.eventID.startsWith(`${withShipped!.shardId}:`) && compareSequence(r.kinesis.sequenceNumber, withShipped!.startSequenceNumber) >= 0 && compareSequence(r.kinesis.sequenceNumber, withShipped!.endSequenceNumber) <= 0).map((r) => r.kinesis.sequenceNumber),
    );
    expect(readBack.map((record) => new TextDecoder().decode(record.Data))).toContain(event('poison-1', 'shipped'));
    expect(readBack.map((record) => new TextDecoder().decode(record.Data))).toContain(event('poison-1', 'paid'));
  });
});
