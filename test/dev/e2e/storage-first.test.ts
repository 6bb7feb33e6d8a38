import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type DevProcess, eventually, project, startDev } from './dev-process.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };


// POST /orders goes straight into SQS through API Gateway's AWS integration (a VTL template, no
// Lambda in front); the consumer's SQS mapping stores the order; a poison message is retried
// maxReceiveCount times and then sits in the DLQ, with the queue's redrive policy as synthesized.
describe('sprout dev: storage-first', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let outputs: Record<string, string>;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    app = await project('storage-first');
    dev = await startDev(app.dir);
    outputs = Object.values(dev.ready.outputs as Record<string, Record<string, string>>)[0]!;
    const endpoints = dev.ready.endpoints as { dynamodb: string; aws: string };
    dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: endpoints.aws, credentials });
  }, 300_000);

  afterAll(async () => {
    dynamodb?.destroy();
    sqs?.destroy();
    await dev?.stop();
    await app?.remove();
  });

  const post = (order: unknown) => fetch(outputs.OrdersUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
  const stored = (orderId: string) => dynamodb.send(new GetItemCommand({ TableName: outputs.OrdersTableName, Key: { orderId: { S: orderId } } }));

  it('answers 202 with the SQS message id, and the consumer stores the order', async () => {
    expect(outputs.OrdersUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local\/orders$/);
    const accepted = await post({ orderId: 'order-1001', customerId: 'customer-7', items: [{ sku: 'LAMP-01', quantity: 2 }] });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ messageId: expect.stringMatching(/^[0-9a-f-]{36}$/), requestId: expect.any(String) });
    const item = await eventually(async () => (await stored('order-1001')).Item, 20_000, 'the order being stored');
    expect(item.customerId).toEqual({ S: 'customer-7' });
  });

  it('refuses a body that fails the model with 400, and nothing reaches the queue', async () => {
    const refused = await post({ orderId: 'x' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
  });

  it('retries a poison message maxReceiveCount times, then moves it to the DLQ', async () => {
    // The same orderId with different lines: accepted by the API, refused by the consumer every time.
    expect((await post({ orderId: 'order-2002', customerId: 'customer-8', items: [{ sku: 'DESK-01', quantity: 1 }] })).status).toBe(202);
    await eventually(async () => (await stored('order-2002')).Item, 20_000, 'the first order-2002 being stored');
    const before = dev.logs.length;
    expect((await post({ orderId: 'order-2002', customerId: 'customer-8', items: [{ sku: 'DESK-01', quantity: 9 }] })).status).toBe(202);

    const inDlq = await eventually(
      async () => {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.DeadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
        return Number(Attributes?.ApproximateNumberOfMessages) > 0 ? Attributes : undefined;
      },
      90_000,
      'the poison message reaching the DLQ',
    );
    expect(inDlq.ApproximateNumberOfMessages).toBe('1');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: outputs.DeadLetterQueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ orderId: 'order-2002', items: [{ quantity: 9 }] });
    // The stored order is the first one: the refused duplicate changed nothing.
    expect((await stored('order-2002')).Item!.units).toEqual({ N: '1' });
    // The consumer saw it maxReceiveCount (3) times, one invocation per receive, before SQS set it aside.
    const consumer = dev.logs.slice(before).filter((line) => line.kind === 'invoke' && line.source.includes('ProcessOrdersFunction'));
    expect(consumer).toHaveLength(3);
  });
});

// The same API with the Kinesis buffer: API Gateway's AWS integration calls PutRecord on kinesalite,
// and the Kinesis event source mapping (TRIM_HORIZON, bisect, retries) feeds the consumer.
describe('sprout dev: storage-first with a Kinesis buffer', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let outputs: Record<string, string>;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    app = await project('storage-first', ['buffer=kinesis']);
    dev = await startDev(app.dir);
    outputs = Object.values(dev.ready.outputs as Record<string, Record<string, string>>)[0]!;
    dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: (dev.ready.endpoints as { dynamodb: string }).dynamodb, credentials });
  }, 300_000);

  afterAll(async () => {
    dynamodb?.destroy();
    await dev?.stop();
    await app?.remove();
  });

  it('answers 202 with the record’s sequence number and shard, and the consumer stores the order', async () => {
    expect(dev.ready.streams).toEqual([outputs.StreamName]);
    const accepted = await fetch(outputs.OrdersUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: 'order-3003', customerId: 'customer-9', items: [{ sku: 'LAMP-01', quantity: 1 }] }) });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ sequenceNumber: expect.stringMatching(/^\d+$/), shardId: expect.stringMatching(/^shardId-\d{12}$/) });
    const item = await eventually(async () => (await dynamodb.send(new GetItemCommand({ TableName: outputs.OrdersTableName, Key: { orderId: { S: 'order-3003' } } }))).Item, 30_000, 'the order being stored');
    expect(item.customerId).toEqual({ S: 'customer-9' });
  });
});
