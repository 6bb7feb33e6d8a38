import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { OpenFeature } from '@openfeature/server-sdk';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../src/lib/powertools.js';
import { lambdaContext } from './helpers/events.js';
import { createIdempotencyTable, credentials, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/emulators.js';

// The Kinesis consumer, fed records written to and read back from kinesalite (real sequence
// numbers, base64 data), and dynalite for idempotency.
const table = 'stream-kinesis-idempotency';
const streamName = 'jobs';
const server = kinesalite({ createStreamMs: 0 });
let kinesis: KinesisClient;
let db: LocalDynamoDb;
let handler: (typeof import('../src/functions/stream-kinesis.js'))['handler'];

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kinesis = new KinesisClient({
    region: 'us-east-1',
    credentials,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // kinesalite speaks HTTP/1.1 only; the SDK's default Kinesis handler is HTTP/2.
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, { IDEMPOTENCY_TABLE_NAME: table });
  await createIdempotencyTable(db.client, table);
  handler = (await import('../src/functions/stream-kinesis.js')).handler;
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await OpenFeature.clearProviders();
  kinesis?.destroy();
  await db?.stop();
  await new Promise((resolve) => server.close(resolve));
});

let iterator: string | undefined;

/** Writes jobs with one partition key, then reads the new records as the event source mapping would deliver them. */
async function put(...jobs: unknown[]): Promise<KinesisStreamEvent> {
  for (const job of jobs) {
    await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: 'customer-1', Data: new TextEncoder().encode(JSON.stringify(job)) }));
  }
  iterator ??= (await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const { Records = [], NextShardIterator } = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
  iterator = NextShardIterator;
  return {
    Records: Records.map(
      (record): KinesisStreamRecord => ({
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
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/stream-function',
        awsRegion: 'us-east-1',
        eventSourceARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${streamName}`,
      }),
    ),
  };
}

const runs = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.filter(([message]) => message === 'Job done' || message === 'Job failed').map(([message, extra]) => `${(extra as { jobId: string }).jobId}:${message === 'Job done' ? 'done' : 'failed'}`);

describe('the Kinesis consumer', () => {
  it('processes a shard in order and reports the failed record by sequence number, where Lambda restarts', async () => {
    const log = [vi.spyOn(logger, 'info'), vi.spyOn(logger, 'error')];
    const event = await put({ id: 'k-1', input: {} }, { id: 'k-2', input: { fail: true } }, { id: 'k-3', input: {} });
    expect(event.Records).toHaveLength(3);
    const response = await handler(event, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] });
    expect(runs({ mock: { calls: log.flatMap((spy) => spy.mock.calls) } }).sort()).toEqual(['k-1:done', 'k-2:failed', 'k-3:done']);
    expect(runs(log[0]!)).toEqual(['k-1:done', 'k-3:done']);

    // Lambda retries from the failed record: k-3 comes again and is not processed a second time.
    vi.restoreAllMocks();
    const retryLog = [vi.spyOn(logger, 'info'), vi.spyOn(logger, 'error')];
    const retry = { Records: event.Records.slice(1) };
    expect(await handler(retry, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] });
    expect(runs(retryLog[1]!)).toEqual(['k-2:failed']);
    expect(runs(retryLog[0]!)).toEqual([]);
  });

  it('keeps the order of the partition key: jobs run one after the other, in sequence-number order', async () => {
    const info = vi.spyOn(logger, 'info');
    const ids = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5'];
    const event = await put(...ids.map((id) => ({ id, input: { sleepSeconds: id === 'o-1' ? 0.1 : 0 } })));
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(runs(info)).toEqual(ids.map((id) => `${id}:done`));
  });
});
