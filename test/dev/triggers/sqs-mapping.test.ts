import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';

import { createQueues, type LocalQueues } from '../../../src/dev/messaging/sqs.js';
import { startSqsMappings, type SqsMappings } from '../../../src/dev/triggers/sqs-mapping.js';
import type { DevLogEvent, ResolvedResource } from '../../../src/dev/types.js';
import { fakeApp, fakeInvoker, type FakeHandler } from '../helpers/fakes.js';

const AWS = 'http://127.0.0.1:4566';
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const url = (name: string) => `${AWS}/000000000000/${name}`;

function queue(name: string, properties: Record<string, unknown> = {}) {
  return { type: 'AWS::SQS::Queue', logicalId: name, ref: url(name), attributes: { Arn: arn(name), QueueUrl: url(name), QueueName: name }, properties: { QueueName: name, ...properties } };
}

function mapping(properties: Record<string, unknown>) {
  return { type: 'AWS::Lambda::EventSourceMapping', logicalId: `Mapping${Math.random().toString(36).slice(2, 7)}`, properties: { FunctionName: 'worker', EventSourceArn: arn('work'), ...properties } };
}

let running: { mappings: SqsMappings; queues: LocalQueues } | undefined;
afterEach(async () => {
  await running?.mappings.close();
  running?.queues.close();
  running = undefined;
});

function setup(resources: Array<Partial<ResolvedResource> & { type: string; logicalId: string }>, handler: FakeHandler, scale = 0.001) {
  const app = fakeApp(resources);
  const logs: DevLogEvent[] = [];
  const log = (e: DevLogEvent) => logs.push(e);
  const queues = createQueues({ app, timing: { scale }, log });
  const { invoker, calls } = fakeInvoker({ worker: handler });
  const mappings = startSqsMappings({ app, invoker, queues, log, timing: { scale }, pollMs: 20 });
  running = { mappings, queues };
  return { queues, calls, logs, mappings };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SQS event source mapping', () => {
  it('invokes with the SQS event Lambda sends and deletes the batch on success', async () => {
    const { queues, calls } = setup([queue('work'), mapping({ BatchSize: 10, MaximumBatchingWindowInSeconds: 5 })], () => null);
    await queues.send(url('work'), { body: '{"n":1}', messageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } });
    await queues.send(url('work'), { body: 'plain text' });
    await until(() => calls.reduce((n, c) => n + c.event.Records.length, 0) === 2);
    const record = calls[0]!.event.Records[0];
    expect(record).toMatchObject({
      body: '{"n":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: arn('work'),
      awsRegion: 'us-east-1',
      md5OfBody: createHash('md5').update('{"n":1}').digest('hex'),
      messageAttributes: { kind: { stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' } },
    });
    expect(record.attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: '000000000000' });
    expect(typeof record.receiptHandle).toBe('string');
    expect(typeof record.md5OfMessageAttributes).toBe('string');
    await until(() => queues.counts(url('work')).inFlight === 0);
    expect(queues.counts(url('work'))).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('with ReportBatchItemFailures deletes only the successes; the failed message comes back', async () => {
    const seen: string[] = [];
    const { queues, calls } = setup([queue('work', { VisibilityTimeout: 30 }), mapping({ FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumBatchingWindowInSeconds: 1 })], (event: any) => {
      seen.push(...event.Records.map((r: any) => r.body));
      const bad = event.Records.filter((r: any) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: bad.map((r: any) => ({ itemIdentifier: r.messageId })) };
    });
    for (const body of ['a', 'bad', 'c']) await queues.send(url('work'), { body });
    await until(() => seen.filter((b) => b === 'bad').length === 2);
    expect(seen.filter((b) => b !== 'bad').sort()).toEqual(['a', 'c']);
    await until(() => queues.counts(url('work')).inFlight === 0 && queues.counts(url('work')).visible === 0);
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });

  it('an unknown itemIdentifier fails the whole batch, as Lambda does', async () => {
    let invocations = 0;
    const { queues } = setup([queue('work', { VisibilityTimeout: 30 }), mapping({ FunctionResponseTypes: ['ReportBatchItemFailures'] })], () => {
      invocations += 1;
      return invocations === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : { batchItemFailures: [] };
    });
    await queues.send(url('work'), { body: 'x' });
    await until(() => invocations === 2); // redelivered after the (scaled) visibility timeout, then deleted
    await until(() => queues.counts(url('work')).inFlight === 0);
    expect(queues.counts(url('work')).visible).toBe(0);
  });

  it('a function error deletes nothing: the message is redelivered until maxReceiveCount, then the queue moves it to the DLQ', async () => {
    const { queues, calls } = setup(
      [queue('dlq'), queue('work', { VisibilityTimeout: 30, RedrivePolicy: { deadLetterTargetArn: arn('dlq'), maxReceiveCount: 3 } }), mapping({})],
      () => {
        throw new Error('poison');
      },
    );
    await queues.send(url('work'), { body: 'poison' });
    await until(() => queues.counts(url('dlq')).visible === 1);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.event.Records[0].attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    const [dead] = await queues.receive(url('dlq'), { max: 1 });
    expect(dead!.body).toBe('poison');
  });

  it('deletes the messages no filter matches without invoking (body parsed as JSON)', async () => {
    const { queues, calls } = setup([queue('work'), mapping({ FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { type: ['order'] } }) }] } })], () => null);
    await queues.send(url('work'), { body: '{"type":"refund"}' });
    await queues.send(url('work'), { body: 'not json' });
    await queues.send(url('work'), { body: '{"type":"order","id":7}' });
    await until(() => calls.length >= 1 && queues.counts(url('work')).visible + queues.counts(url('work')).inFlight === 0);
    expect(calls.flatMap((c) => c.event.Records.map((r: any) => r.body))).toEqual(['{"type":"order","id":7}']);
  });

  it('keeps FIFO order within a message group and does not poll disabled mappings', async () => {
    const order: string[] = [];
    const { queues, mappings } = setup(
      [queue('work.fifo', { FifoQueue: true, ContentBasedDeduplication: true }), mapping({ EventSourceArn: arn('work.fifo'), BatchSize: 1 }), mapping({ EventSourceArn: arn('work.fifo'), Enabled: false, FunctionName: 'other' })],
      async (event: any) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(event.Records[0].body);
      },
    );
    expect(mappings.active).toHaveLength(1);
    for (let i = 0; i < 5; i++) await queues.send(url('work.fifo'), { body: `g-${i}`, messageGroupId: 'g' });
    await until(() => order.length === 5);
    expect(order).toEqual(['g-0', 'g-1', 'g-2', 'g-3', 'g-4']);
  });

  it('close() stops polling promptly', async () => {
    const { mappings, queues, calls } = setup([queue('work'), mapping({})], () => null);
    const started = Date.now();
    await mappings.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await queues.send(url('work'), { body: 'late' });
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toHaveLength(0);
    expect(queues.counts(url('work')).visible).toBe(1);
  });
});
