import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Order } from '../src/lib/order.js';
import { createTables, type LocalDynamoDb, scanAll, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { lambdaContext } from './helpers/lambda.js';
import { type BatchHandler, queueWiring, SqsRedriveSimulator } from './helpers/sqs-redrive.js';
import { cleanUpApps, synth } from './helpers/stack.js';

// The real consumer (src/functions/process-queue.ts), with its tables in dynalite, fed through the
// SQS redrive model in helpers/sqs-redrive.ts with the settings of the synthesized stack.

let db: LocalDynamoDb;
let handler: BatchHandler;
/** Every conditional PutItem the consumer sends to the orders table (idempotency records not included). */
let orderWrites: string[];
const tables = { orders: 'orders', idempotency: 'idempotency' };
/** Each test's orders get their own ids, so the tests share the tables the handler was loaded with. */
let prefix = '';
let testCount = 0;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables);
  await createTables(db.client, tables);
  handler = (await import('../src/functions/process-queue.js')).handler as BatchHandler;
  const { documentClient } = await import('../src/lib/table.js');
  const send = documentClient.send.bind(documentClient);
  vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    if (command instanceof PutCommand && command.input.TableName === process.env.ORDERS_TABLE_NAME) orderWrites.push(command.input.Item?.orderId);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof documentClient.send);
});

beforeEach(() => {
  testCount += 1;
  prefix = `t${testCount}`;
  orderWrites = [];
});

/** The orders this test stored. */
const storedOrders = async () => (await scanAll(db.client, tables.orders)).filter((item) => item.orderId.startsWith(`${prefix}-`));

afterAll(async () => {
  vi.restoreAllMocks();
  cleanUpApps();
  await db?.stop();
});

const order = (n: number, quantity = 2): Order => ({ orderId: `${prefix}-order-${n}`, customerId: `customer-${n % 3}`, items: [{ sku: 'LAMP-01', quantity }] });
const body = (value: unknown) => JSON.stringify(value);

async function expireIdempotencyRecords() {
  for (const { id } of await scanAll(db.client, tables.idempotency)) {
    await db.client.send(new DeleteItemCommand({ TableName: tables.idempotency, Key: { id: { S: id } } }));
  }
}

describe('a poison message in a batch (the stack as synthesized from sprout.json)', () => {
  it('goes to the dead-letter queue after maxReceiveCount deliveries, while every other order of its batch is stored exactly once', async () => {
    const wiring = queueWiring(synth());
    expect(wiring).toMatchObject({ reportsBatchItemFailures: true, maxReceiveCount: 3, batchSize: 10 });
    const sqs = new SqsRedriveSimulator(wiring, handler);
    const good = [1, 2, 3, 4, 5, 6].map((n) => order(n));
    const ids = good.slice(0, 3).map((o) => sqs.send(body(o)));
    // Valid JSON, but not an order: sent by some other producer, or before a schema change.
    const poison = sqs.send(body({ orderId: `${prefix}-order-7`, customer: 'customer-1', items: [] }));
    ids.push(...good.slice(3).map((o) => sqs.send(body(o))));

    await sqs.drain();

    // All seven travelled in one batch: the poison message did not take the six with it.
    expect(sqs.batches[0]).toEqual([...ids.slice(0, 3), poison, ...ids.slice(3)]);
    expect(sqs.deadLetterQueue.map((m) => m.messageId)).toEqual([poison]);
    expect(sqs.deliveries.get(poison)).toBe(wiring.maxReceiveCount);
    expect(sqs.deleted.map((m) => m.messageId).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(sqs.deliveries.get(id), id).toBe(1);
    expect(orderWrites.sort()).toEqual(good.map((o) => o.orderId).sort());
    const stored = await storedOrders();
    expect(stored.map((item) => item.orderId).sort()).toEqual(good.map((o) => o.orderId).sort());
    expect(stored.every((item) => item.status === 'ACCEPTED' && ids.includes(item.storedFrom))).toBe(true);
  });

  it('follows the template: a smaller batch and more deliveries, with two poison messages and a body that is not JSON', async () => {
    const wiring = queueWiring(synth({ batchSize: 4, maxReceiveCount: 5 }));
    expect(wiring).toMatchObject({ batchSize: 4, maxReceiveCount: 5 });
    const sqs = new SqsRedriveSimulator(wiring, handler);
    const good = Array.from({ length: 9 }, (_, i) => order(i + 1));
    const poison: string[] = [];
    good.forEach((o, i) => {
      sqs.send(body(o));
      if (i === 2) poison.push(sqs.send('{"orderId": "order-x", '));
      if (i === 6) poison.push(sqs.send(body({ ...order(99), items: [{ sku: 'lamp', quantity: 1 }] })));
    });

    await sqs.drain();

    expect(sqs.batches.every((batch) => batch.length <= 4)).toBe(true);
    expect(sqs.deadLetterQueue.map((m) => m.messageId).sort()).toEqual([...poison].sort());
    for (const id of poison) expect(sqs.deliveries.get(id)).toBe(5);
    expect(sqs.deleted).toHaveLength(9);
    expect(orderWrites.sort()).toEqual(good.map((o) => o.orderId).sort());
  });

  it('without ReportBatchItemFailures Lambda would ignore the partial answer and delete the poison message unprocessed (why the mapping sets it)', async () => {
    // The same stack with the response type removed, as a mapping without it would behave.
    const wiring = { ...queueWiring(synth()), reportsBatchItemFailures: false };
    const sqs = new SqsRedriveSimulator(wiring, handler);
    sqs.send(body(order(1)));
    const poison = sqs.send('not json');
    await sqs.drain();
    // Lambda ignores the partial response: the batch counts as a success and the poison message is deleted unprocessed.
    expect(sqs.deadLetterQueue).toEqual([]);
    expect(sqs.deleted.map((m) => m.messageId)).toContain(poison);
  });
});

describe('idempotency (SQS delivers at least once; clients retry)', () => {
  it('stores an order once when SQS delivers the same message again', async () => {
    const sqs = new SqsRedriveSimulator(queueWiring(synth()), handler);
    const id = sqs.send(body(order(1)));
    await sqs.drain();
    sqs.deliverAgain(id);
    await sqs.drain();
    expect(sqs.deliveries.get(id)).toBe(2);
    expect(sqs.deleted.map((m) => m.messageId)).toEqual([id, id]);
    expect(orderWrites).toEqual([`${prefix}-order-1`]);
    expect(await storedOrders()).toHaveLength(1);
  });

  it('stores an order once when the client retried its POST (two messages, one orderId), and keeps the first delivery', async () => {
    const sqs = new SqsRedriveSimulator(queueWiring(synth()), handler);
    const first = sqs.send(body(order(1)));
    await sqs.drain();
    const retry = sqs.send(body(order(1)));
    await sqs.drain();
    expect(sqs.deleted.map((m) => m.messageId)).toEqual([first, retry]);
    expect(orderWrites).toEqual([`${prefix}-order-1`]);
    expect((await storedOrders())[0]).toMatchObject({ orderId: `${prefix}-order-1`, storedFrom: first, units: 2 });
  });

  it('refuses an orderId reused with other lines: that message fails until it is set aside, the first order stays', async () => {
    const sqs = new SqsRedriveSimulator(queueWiring(synth()), handler);
    sqs.send(body(order(1, 2)));
    await sqs.drain();
    const reused = sqs.send(body(order(1, 40)));
    await sqs.drain();
    expect(sqs.deadLetterQueue.map((m) => m.messageId)).toEqual([reused]);
    expect(orderWrites).toEqual([`${prefix}-order-1`]);
    expect((await storedOrders())[0]).toMatchObject({ orderId: `${prefix}-order-1`, units: 2 });
  });

  it('keeps the first order when the idempotency record has expired: the conditional write refuses the second', async () => {
    const sqs = new SqsRedriveSimulator(queueWiring(synth()), handler);
    const first = sqs.send(body(order(1)));
    await sqs.drain();
    // As if 24 hours had passed: DynamoDB's TTL removed the idempotency records, the order stays.
    await expireIdempotencyRecords();
    sqs.deliverAgain(first);
    await sqs.drain();
    expect(sqs.deadLetterQueue).toEqual([]);
    expect(orderWrites).toEqual([`${prefix}-order-1`, `${prefix}-order-1`]);
    expect(await storedOrders()).toEqual([expect.objectContaining({ orderId: `${prefix}-order-1`, storedFrom: first })]);
  });
});

describe('the handler\'s answer', () => {
  const invoke = (records: Array<{ messageId: string; body: string }>) =>
    (handler as (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>)(
      {
        Records: records.map(({ messageId, body: b }) => ({
          messageId,
          body: b,
          receiptHandle: 'r',
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000', SenderId: 's', ApproximateFirstReceiveTimestamp: '1700000000000' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
          awsRegion: 'us-east-1',
        })),
      },
      lambdaContext(),
    );

  it('lists exactly the failed message ids, and an empty list when all succeed', async () => {
    expect(await invoke([{ messageId: 'm1', body: body(order(1)) }, { messageId: 'm2', body: '[]' }])).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(await invoke([{ messageId: 'm3', body: body(order(3)) }])).toEqual({ batchItemFailures: [] });
    expect((await storedOrders())[0]).toMatchObject({ receivedAt: '2023-11-14T22:13:20.000Z', storedFrom: 'm1' });
  });

  it('throws when every message of the batch fails, so Lambda backs off instead of polling at full speed', async () => {
    await expect(invoke([{ messageId: 'm1', body: '' }, { messageId: 'm2', body: '{}' }])).rejects.toThrow(/All records failed processing/);
  });
});
