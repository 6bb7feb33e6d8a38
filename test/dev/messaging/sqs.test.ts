import { createHash } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { createQueues, type LocalQueues } from '../../../src/dev/messaging/sqs.js';
import { md5OfMessageAttributes } from '../../../src/dev/messaging/md5.js';
import { fakeApp, queue, queueArn, recordingLog, sleep } from './helpers.js';

let open: LocalQueues[] = [];
afterEach(() => {
  for (const q of open) q.close();
  open = [];
});

function make(resources: ReturnType<typeof queue>[], scale = 0.01, now?: () => number) {
  const logs = recordingLog();
  const queues = createQueues({ app: fakeApp(resources), timing: { scale }, log: logs.log, now });
  open.push(queues);
  return { queues, logs };
}

describe('local SQS', () => {
  it('addresses a queue by URL (any host), ARN or name and returns the body MD5', async () => {
    const { queues } = make([queue('orders')]);
    const sent = await queues.send('http://localhost:9999/000000000000/orders', { body: 'hello' });
    expect(sent.md5OfBody).toBe(createHash('md5').update('hello').digest('hex'));
    expect(queues.has(queueArn('orders'))).toBe(true);
    expect(queues.has('orders')).toBe(true);
    expect(queues.has('other')).toBe(false);
    const [m] = await queues.receive('orders', { max: 10 });
    expect(m).toMatchObject({ messageId: sent.messageId, body: 'hello', md5OfBody: sent.md5OfBody });
    expect(m!.attributes.ApproximateReceiveCount).toBe('1');
  });

  it('hides a received message for the (scaled) visibility timeout, then redelivers it with a new receipt handle', async () => {
    const { queues } = make([queue('work', { VisibilityTimeout: 30 })], 0.01); // 300 ms
    await queues.send('work', { body: 'job' });
    const [first] = await queues.receive('work', { max: 1 });
    expect(await queues.receive('work', { max: 1 })).toEqual([]);
    expect(queues.counts('work')).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sleep(350);
    const [second] = await queues.receive('work', { max: 1 });
    expect(second!.messageId).toBe(first!.messageId);
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(second!.attributes.ApproximateReceiveCount).toBe('2');
    // The stale handle is accepted but deletes nothing; the current one deletes.
    queues.delete('work', first!.receiptHandle);
    expect(queues.counts('work').inFlight).toBe(1);
    queues.delete('work', second!.receiptHandle);
    expect(queues.counts('work')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(() => queues.delete('work', 'garbage')).toThrow(expect.objectContaining({ code: 'ReceiptHandleIsInvalid' }));
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount, keeping id, body and attributes', async () => {
    const dlqArn = queueArn('dead');
    const { queues, logs } = make([queue('main', { VisibilityTimeout: 1, RedrivePolicy: { deadLetterTargetArn: dlqArn, maxReceiveCount: 2 } }), queue('dead')], 0.01);
    const attrs = { kind: { DataType: 'String', StringValue: 'poison' } };
    const sent = await queues.send('main', { body: 'poison', messageAttributes: attrs });
    for (let i = 1; i <= 2; i++) {
      const got = await queues.receive('main', { max: 1, waitMs: 200 });
      expect(got).toHaveLength(1);
      expect(got[0]!.attributes.ApproximateReceiveCount).toBe(String(i));
    }
    // The third receive attempt moves it instead of delivering it.
    expect(await queues.receive('main', { max: 1, waitMs: 100 })).toEqual([]);
    expect(queues.counts('main')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const [dead] = await queues.receive('dead', { max: 1 });
    expect(dead).toMatchObject({ messageId: sent.messageId, body: 'poison', messageAttributes: attrs });
    expect(dead!.attributes.DeadLetterQueueSourceArn).toBe(queueArn('main'));
    expect(dead!.attributes.ApproximateReceiveCount).toBe('1');
    expect(logs.events.some((e) => e.kind === 'warning' && /moved to dead/.test(e.message))).toBe(true);
  });

  it('delays delivery by DelaySeconds (scaled)', async () => {
    const { queues } = make([queue('later', { DelaySeconds: 20 })], 0.01); // 200 ms
    await queues.send('later', { body: 'x' });
    expect(queues.counts('later').delayed).toBe(1);
    expect(await queues.receive('later', { max: 1 })).toEqual([]);
    const got = await queues.receive('later', { max: 1, waitMs: 1000 });
    expect(got).toHaveLength(1);
  });

  it('long polling returns as soon as a message arrives', async () => {
    const { queues } = make([queue('poll')]);
    const started = Date.now();
    const pending = queues.receive('poll', { max: 1, waitMs: 5000 });
    setTimeout(() => void queues.send('poll', { body: 'late' }), 100);
    const got = await pending;
    expect(got[0]!.body).toBe('late');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('FIFO: a group with a message in flight delivers nothing more; other groups flow; order kept', async () => {
    const { queues } = make([queue('jobs.fifo', { FifoQueue: true, ContentBasedDeduplication: true, VisibilityTimeout: 30 })], 0.01);
    for (const [g, b] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1'], ['a', 'a3']] as const) await queues.send('jobs.fifo', { body: b, messageGroupId: g });
    const first = await queues.receive('jobs.fifo', { max: 1 });
    expect(first.map((m) => m.body)).toEqual(['a1']);
    const second = await queues.receive('jobs.fifo', { max: 10 });
    expect(second.map((m) => m.body)).toEqual(['b1']);
    queues.delete('jobs.fifo', first[0]!.receiptHandle);
    const third = await queues.receive('jobs.fifo', { max: 10 });
    expect(third.map((m) => m.body)).toEqual(['a2', 'a3']);
    expect(third[0]!.attributes.MessageGroupId).toBe('a');
    expect(BigInt(third[1]!.attributes.SequenceNumber!)).toBeGreaterThan(BigInt(third[0]!.attributes.SequenceNumber!));
  });

  it('FIFO: deduplicates within 5 minutes and validates group and dedup ids', async () => {
    let clock = 1_000_000;
    const { queues } = make([queue('d.fifo', { FifoQueue: 'true' }), queue('c.fifo', { FifoQueue: true, ContentBasedDeduplication: true })], 0.01, () => clock);
    const a = await queues.send('d.fifo', { body: 'x', messageGroupId: 'g', deduplicationId: 'k1' });
    const b = await queues.send('d.fifo', { body: 'y', messageGroupId: 'g', deduplicationId: 'k1' });
    expect(b.messageId).toBe(a.messageId);
    expect(queues.counts('d.fifo').visible).toBe(1);
    clock += 5 * 60 * 1000 + 1;
    const c = await queues.send('d.fifo', { body: 'x', messageGroupId: 'g', deduplicationId: 'k1' });
    expect(c.messageId).not.toBe(a.messageId);
    await expect(queues.send('d.fifo', { body: 'x', messageGroupId: 'g' })).rejects.toMatchObject({ code: 'InvalidParameterValue' });
    await expect(queues.send('d.fifo', { body: 'x', deduplicationId: 'z' })).rejects.toMatchObject({ code: 'MissingParameter' });
    const c1 = await queues.send('c.fifo', { body: 'same', messageGroupId: 'g' });
    const c2 = await queues.send('c.fifo', { body: 'same', messageGroupId: 'h' });
    expect(c2.messageId).toBe(c1.messageId);
  });

  it('drops messages past the retention period', async () => {
    let clock = 0;
    const { queues } = make([queue('short', { MessageRetentionPeriod: 60 })], 1, () => clock);
    await queues.send('short', { body: 'x' });
    clock = 61_000;
    expect(queues.counts('short').visible).toBe(0);
  });

  it('changeVisibility(0) makes an in-flight message visible; an unknown queue is QueueDoesNotExist', async () => {
    const { queues } = make([queue('cv')]);
    await queues.send('cv', { body: 'x' });
    const [m] = await queues.receive('cv', { max: 1 });
    queues.changeVisibility('cv', m!.receiptHandle, 0);
    expect((await queues.receive('cv', { max: 1 }))[0]!.messageId).toBe(m!.messageId);
    // The first handle is stale once the message was received again.
    expect(() => queues.changeVisibility('cv', m!.receiptHandle, 0)).toThrow(expect.objectContaining({ code: 'MessageNotInflight' }));
    await expect(queues.send('nope', { body: 'x' })).rejects.toMatchObject({ code: 'QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expect(queues.send('cv', { body: '' })).rejects.toMatchObject({ code: 'MissingParameter' });
    await expect(queues.send('cv', { body: 'x', messageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })).rejects.toMatchObject({ code: 'InvalidParameterValue' });
    await expect(queues.send('cv', { body: 'x', messageAttributes: { n: { DataType: 'Text', StringValue: 'a' } } })).rejects.toMatchObject({ code: 'InvalidParameterValue' });
    await expect(queues.send('cv', { body: '\u0000' })).rejects.toMatchObject({ code: 'InvalidMessageContents' });
  });

  it('computes MD5OfMessageAttributes as AWS documents it', () => {
    // Value produced by SQS for this attribute set (same algorithm as the AWS SDKs' verifier).
    const md5 = md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'b' } });
    const expected = createHash('md5')
      .update(Buffer.concat([u32(1), Buffer.from('a'), u32(6), Buffer.from('String'), Buffer.from([1]), u32(1), Buffer.from('b')]))
      .digest('hex');
    expect(md5).toBe(expected);
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
