import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, type _Record } from '@aws-sdk/client-kinesis';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Order } from '../src/lib/order.js';
import { createTables, type LocalDynamoDb, scanAll, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { lambdaContext } from './helpers/lambda.js';
import { cleanUpApps, flatten, ordersIntegration, type Resource, synth } from './helpers/stack.js';
import { renderVtl } from './helpers/vtl.js';

// buffer: kinesis. Orders go into kinesalite the way the API's PutRecord template writes them, are
// read back with GetRecords, and handed to the real consumer (src/functions/process-stream.ts) the
// way Lambda's Kinesis event source mapping does, with the retry settings of the synthesized stack.

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

const template = synth({ buffer: 'kinesis' });
const [, mapping] = Object.entries(template.findResources('AWS::Lambda::EventSourceMapping') as Record<string, Resource>)[0]!;
const putRecordTemplate = flatten(ordersIntegration(template).RequestTemplates['application/json']);

const STREAM = 'orders-stream';
const tables = { orders: 'stream-orders', idempotency: 'stream-idempotency' };
let server: ReturnType<typeof kinesalite>;
let kinesis: KinesisClient;
let db: LocalDynamoDb;
let handler: Handler;
const orderWrites: string[] = [];

beforeAll(async () => {
  server = kinesalite({ createStreamMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kinesis = new KinesisClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // kinesalite speaks HTTP/1.1 only; the SDK's Kinesis client would try HTTP/2.
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));

  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables);
  await createTables(db.client, tables);
  handler = (await import('../src/functions/process-stream.js')).handler as Handler;
  const { documentClient } = await import('../src/lib/table.js');
  const send = documentClient.send.bind(documentClient);
  vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    if (command instanceof PutCommand && command.input.TableName === tables.orders) orderWrites.push(command.input.Item?.orderId);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof documentClient.send);
});

afterAll(async () => {
  vi.restoreAllMocks();
  cleanUpApps();
  kinesis?.destroy();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await db?.stop();
});

/** PutRecord exactly as the API's request template builds it from the client's body. */
async function postOrder(body: string): Promise<string> {
  const request = JSON.parse(renderVtl(putRecordTemplate.replace('<BufferStream>', STREAM), { body }).output);
  const { SequenceNumber } = await kinesis.send(
    new PutRecordCommand({ StreamName: request.StreamName, PartitionKey: request.PartitionKey, Data: Buffer.from(request.Data, 'base64') }),
  );
  return SequenceNumber!;
}

/** A record that did not come through the API (another producer with kinesis:PutRecord). */
async function putRaw(data: string): Promise<string> {
  const { SequenceNumber } = await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'other-producer', Data: Buffer.from(data) }));
  return SequenceNumber!;
}

let iterator: string | undefined;
async function readNewRecords(): Promise<_Record[]> {
  iterator ??= (await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const { Records = [], NextShardIterator } = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
  iterator = NextShardIterator;
  return Records;
}

/** The event Lambda's Kinesis event source mapping passes: each record's data base64-encoded. */
function streamEvent(records: _Record[]): KinesisStreamEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey!,
        sequenceNumber: record.SequenceNumber!,
        data: Buffer.from(record.Data!).toString('base64'),
        approximateArrivalTimestamp: record.ApproximateArrivalTimestamp!.getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${record.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/process-orders',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${STREAM}`,
    })),
  };
}

const order = (n: number): Order => ({ orderId: `stream-order-${n}`, customerId: 'customer-1', items: [{ sku: 'DESK-02', quantity: n }] });

describe('the stream consumer', () => {
  it('is wired to retry a failing record maxReceiveCount - 1 times, bisecting, then record it in the failures queue', () => {
    expect(mapping.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    });
    expect(flatten(mapping.Properties.DestinationConfig.OnFailure.Destination)).toBe('<BufferFailures.Arn>');
  });

  it('stores the good orders of a batch once, reports only the poison record, and skips the good ones Lambda retries with it', async () => {
    const good = [1, 2, 3, 4].map(order);
    const sequence = [await postOrder(JSON.stringify(good[0])), await postOrder(JSON.stringify(good[1]))];
    const poison = await putRaw('{"orderId":"stream-order-x","items":"none"}');
    sequence.push(await postOrder(JSON.stringify(good[2])), await postOrder(JSON.stringify(good[3])));
    const records = await readNewRecords();
    expect(records.map((r) => r.SequenceNumber)).toEqual([...sequence.slice(0, 2), poison, ...sequence.slice(2)]);

    // The first attempt, then Lambda's retries: each from the lowest failed sequence number (its
    // checkpoint), so the records after the poison one come again.
    const attempts = 1 + mapping.Properties.MaximumRetryAttempts;
    let batch = records;
    const answers = [];
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const answer = await handler(streamEvent(batch), lambdaContext());
      answers.push(answer);
      const failed = answer.batchItemFailures.map((f) => BigInt(f.itemIdentifier));
      if (failed.length === 0) break;
      const checkpoint = failed.reduce((a, b) => (a < b ? a : b));
      batch = batch.filter((r) => BigInt(r.SequenceNumber!) >= checkpoint);
    }

    expect(answers).toEqual(Array.from({ length: attempts }, () => ({ batchItemFailures: [{ itemIdentifier: poison }] })));
    // After the last retry Lambda skips the batch and sends its shard and sequence range to the failures queue.
    expect(orderWrites.sort()).toEqual(good.map((o) => o.orderId).sort());
    const stored = (await scanAll(db.client, tables.orders)).filter((item) => item.orderId.startsWith('stream-order-'));
    expect(stored.map((item) => [item.orderId, item.storedFrom]).sort()).toEqual(good.map((o, i) => [o.orderId, sequence[i]]).sort());
  });

  it('stores an order once when the client retried its POST (two records, one orderId)', async () => {
    orderWrites.length = 0;
    const first = await postOrder(JSON.stringify(order(7)));
    await postOrder(JSON.stringify(order(7)));
    const records = await readNewRecords();
    expect(records).toHaveLength(2);
    expect(await handler(streamEvent(records), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(orderWrites).toEqual(['stream-order-7']);
    expect((await scanAll(db.client, tables.orders)).find((item) => item.orderId === 'stream-order-7')).toMatchObject({ storedFrom: first, units: 7 });
  });
});
