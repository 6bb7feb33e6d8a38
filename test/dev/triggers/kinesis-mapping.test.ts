import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startKinesisH2Front } from '../../../src/dev/triggers/kinesis-h2-front.js';
import { startKinesisMappings, type KinesisMappings } from '../../../src/dev/triggers/kinesis-mapping.js';
import type { Deliver, DevLogEvent } from '../../../src/dev/types.js';
import { fakeApp, fakeInvoker, type FakeHandler } from '../helpers/fakes.js';

const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const decode = (record: any) => Buffer.from(record.kinesis.data, 'base64').toString('utf8');

describe('Kinesis event source mappings against kinesalite', () => {
  let server: Server;
  let endpoint: string;
  let kinesis: any;
  let sdk: typeof import('@aws-sdk/client-kinesis');
  const running: KinesisMappings[] = [];

  beforeAll(async () => {
    const { default: kinesalite } = await import('kinesalite');
    server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sdk = await import('@aws-sdk/client-kinesis');
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    kinesis = new sdk.KinesisClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestHandler: new NodeHttpHandler() });
  });
  afterAll(async () => {
    for (const m of running) await m.close();
    kinesis?.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function stream(name: string): Promise<void> {
    await kinesis.send(new sdk.CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  }
  async function put(name: string, ...values: string[]): Promise<string[]> {
    const seqs: string[] = [];
    for (const value of values) seqs.push((await kinesis.send(new sdk.PutRecordCommand({ StreamName: name, PartitionKey: 'pk', Data: Buffer.from(value) }))).SequenceNumber);
    return seqs;
  }
  function start(name: string, properties: Record<string, unknown>, handler: FakeHandler, now?: () => number) {
    const app = fakeApp([
      { type: 'AWS::Lambda::Function', logicalId: 'Consumer', ref: 'consumer', attributes: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer' }, properties: { Role: 'arn:aws:iam::000000000000:role/consumer-role' } },
      { type: 'AWS::Lambda::EventSourceMapping', logicalId: 'Mapping', properties: { FunctionName: 'consumer', EventSourceArn: streamArn(name), StartingPosition: 'TRIM_HORIZON', ...properties } },
    ]);
    const { invoker, calls } = fakeInvoker({ consumer: handler });
    const delivered: Array<{ arn: string; body: any }> = [];
    const deliver: Deliver = async (arn, message) => void delivered.push({ arn, body: JSON.parse(message.body) });
    const logs: DevLogEvent[] = [];
    const mappings = startKinesisMappings({ app, invoker, deliver, log: (e) => logs.push(e), timing: { scale: 0.001 }, kinesisEndpoint: endpoint, pollMs: 20, ...(now ? { now } : {}) });
    running.push(mappings);
    return { mappings, calls, delivered, logs };
  }
  async function until(condition: () => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > end) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('TRIM_HORIZON reads earlier records, with the Kinesis event Lambda sends', async () => {
    await stream('s1');
    const seqs = await put('s1', '{"n":1}', '{"n":2}', '{"n":3}');
    const { calls, mappings } = start('s1', { BatchSize: 10 }, () => null);
    await until(() => calls.length >= 1);
    expect(mappings.active[0]!.shards).toEqual(['shardId-000000000000']);
    const records = calls[0]!.event.Records;
    expect(records.map(decode)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(records[0]).toMatchObject({
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'pk', sequenceNumber: seqs[0] },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${seqs[0]}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/consumer-role',
      awsRegion: 'us-east-1',
      eventSourceARN: streamArn('s1'),
    });
    expect(Math.abs(records[0].kinesis.approximateArrivalTimestamp - Date.now() / 1000)).toBeLessThan(30);
  });

  it('LATEST skips records put before the mapping started; BatchSize splits batches', async () => {
    await stream('s2');
    await put('s2', 'old');
    const { calls, mappings } = start('s2', { StartingPosition: 'LATEST', BatchSize: 2 }, () => null);
    await mappings.ready;
    await put('s2', 'a', 'b', 'c');
    await until(() => calls.flatMap((c) => c.event.Records).length === 3);
    expect(calls.flatMap((c) => c.event.Records.map(decode))).toEqual(['a', 'b', 'c']);
    expect(calls.every((c) => c.event.Records.length <= 2)).toBe(true);
  });

  it('ReportBatchItemFailures retries from the lowest failed sequence number', async () => {
    await stream('s3');
    const seqs = await put('s3', 'r1', 'r2', 'r3', 'r4');
    let first = true;
    const { calls } = start('s3', { FunctionResponseTypes: ['ReportBatchItemFailures'] }, () => {
      if (!first) return { batchItemFailures: [] };
      first = false;
      return { batchItemFailures: [{ itemIdentifier: seqs[3] }, { itemIdentifier: seqs[1] }] };
    });
    await until(() => calls.length === 2);
    expect(calls.map((c) => c.event.Records.map(decode))).toEqual([['r1', 'r2', 'r3', 'r4'], ['r2', 'r3', 'r4']]);
  });

  it('bisects a failing batch, retries the poison record MaximumRetryAttempts times and sends KinesisBatchInfo to OnFailure', async () => {
    await stream('s4');
    const seqs = await put('s4', 'ok1', 'ok2', 'poison', 'ok4');
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:failed';
    const { calls, delivered } = start('s4', { BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: dlq } } }, (event: any) => {
      if (event.Records.some((r: any) => decode(r) === 'poison')) throw new Error('cannot parse');
      return null;
    });
    await until(() => delivered.length === 1 && calls.some((c) => c.event.Records.map(decode).join() === 'ok4'));
    expect(calls.map((c) => c.event.Records.map(decode).join())).toEqual(['ok1,ok2,poison,ok4', 'ok1,ok2', 'poison,ok4', 'poison', 'poison', 'ok4']);
    expect(delivered[0]!.arn).toBe(dlq);
    expect(delivered[0]!.body).toMatchObject({
      requestContext: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KinesisBatchInfo: { shardId: 'shardId-000000000000', startSequenceNumber: seqs[2], endSequenceNumber: seqs[2], batchSize: 1, streamArn: streamArn('s4') },
    });
  });

  it('discards records older than MaximumRecordAgeInSeconds without invoking', async () => {
    await stream('s5');
    await put('s5', 'stale');
    const dlq = 'arn:aws:sns:us-east-1:000000000000:failed';
    const { calls, delivered } = start('s5', { MaximumRecordAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: dlq } } }, () => null, () => Date.now() + 3_600_000);
    await until(() => delivered.length === 1);
    expect(calls).toHaveLength(0);
    expect(delivered[0]!.body.requestContext.condition).toBe('RecordAgeExceeded');
  });

  it('TumblingWindowInSeconds carries state and ends the window with a final invocation', async () => {
    await stream('s6');
    const { calls, mappings } = start('s6', { StartingPosition: 'LATEST', TumblingWindowInSeconds: 1 }, (event: any) => {
      const count = (event.state?.count ?? 0) + event.Records.length;
      return { state: { count } };
    });
    await mappings.ready;
    await put('s6', 'x');
    await until(() => calls.length >= 1);
    await put('s6', 'y');
    await until(() => calls.some((c) => c.event.isFinalInvokeForWindow), 5000);
    const final = calls.find((c) => c.event.isFinalInvokeForWindow)!.event;
    expect(final.Records).toEqual([]);
    expect(final).toMatchObject({ shardId: 'shardId-000000000000', eventSourceARN: streamArn('s6'), isWindowTerminatedEarly: false });
    expect(Date.parse(final.window.end) - Date.parse(final.window.start)).toBe(1000);
    const windowCalls = calls.filter((c) => c.event.window.start === final.window.start);
    expect(final.state.count).toBe(windowCalls.reduce((n, c) => n + c.event.Records.length, 0));
    expect(windowCalls[0]!.event.state).toEqual({});
  });

  it('the h2c front lets a default (HTTP/2) KinesisClient reach kinesalite', async () => {
    await stream('s7');
    const front = await startKinesisH2Front(endpoint);
    const client = new sdk.KinesisClient({ region: 'us-east-1', endpoint: front.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const putResult = await client.send(new sdk.PutRecordCommand({ StreamName: 's7', PartitionKey: 'k', Data: Buffer.from('via h2') }));
      expect(putResult.ShardId).toBe('shardId-000000000000');
      const described = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 's7' }));
      expect(described.StreamDescriptionSummary!.StreamStatus).toBe('ACTIVE');
      await expect(client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      client.destroy();
      await front.close();
    }
  });

  it('the same front serves HTTP/1.1 clients (the AWS CLI), so one endpoint works for every Kinesis client', async () => {
    await stream('s8');
    const front = await startKinesisH2Front(endpoint);
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const h1 = new sdk.KinesisClient({ region: 'us-east-1', endpoint: front.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestHandler: new NodeHttpHandler() });
    const h2 = new sdk.KinesisClient({ region: 'us-east-1', endpoint: front.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const putResult = await h1.send(new sdk.PutRecordCommand({ StreamName: 's8', PartitionKey: 'k', Data: Buffer.from('via h1') }));
      expect(putResult.ShardId).toBe('shardId-000000000000');
      // Keep-alive: a second request on the same HTTP/1.1 connection.
      expect((await h1.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 's8' }))).StreamDescriptionSummary!.StreamStatus).toBe('ACTIVE');
      expect((await h2.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 's8' }))).StreamDescriptionSummary!.StreamStatus).toBe('ACTIVE');
      await expect(h1.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      h1.destroy();
      h2.destroy();
    }
    // Open connections do not hold close() up.
    await front.close();
  });
});
