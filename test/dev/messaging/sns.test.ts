import { readFileSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import { createTopics } from '../../../src/dev/messaging/sns.js';
import { createQueues, type LocalQueues } from '../../../src/dev/messaging/sqs.js';
import { fakeApp, functionArn, queue, queueArn, recordingInvoker, recordingLog, subscription, topic, topicArn } from './helpers.js';

// The subscription pubsub-fanout really synthesizes (FilterPolicy on the S3 notification body, raw delivery).
const fanoutSubscription = JSON.parse(readFileSync(new URL('./fixtures/pubsub-fanout-subscription.json', import.meta.url), 'utf8'));

let open: LocalQueues[] = [];
afterEach(() => {
  for (const q of open) q.close();
  open = [];
});

function setup(resources: Parameters<typeof fakeApp>[0]) {
  const app = fakeApp(resources);
  const logs = recordingLog();
  const queues = createQueues({ app, timing: { scale: 0.01 }, log: logs.log });
  open.push(queues);
  const invoker = recordingInvoker({ notify: () => ({ ok: true, payload: null }) });
  const topics = createTopics({ app, queues, invoker, log: logs.log });
  return { queues, topics, invoker, logs };
}

const bodies = async (queues: LocalQueues, name: string) => (await queues.receive(name, { max: 10 })).map((m) => m.body);

describe('local SNS', () => {
  it('delivers the SNS JSON envelope to an SQS subscriber', async () => {
    const { queues, topics } = setup([topic('events'), queue('inbox'), subscription('Sub', { TopicArn: topicArn('events'), Protocol: 'sqs', Endpoint: queueArn('inbox') })]);
    const { messageId } = await topics.publish(topicArn('events'), { message: 'hello', subject: 'greeting', messageAttributes: { color: { DataType: 'String', StringValue: 'red' } } });
    const [body] = await bodies(queues, 'inbox');
    const envelope = JSON.parse(body!);
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn('events'),
      Subject: 'greeting',
      Message: 'hello',
      SignatureVersion: '1',
      MessageAttributes: { color: { Type: 'String', Value: 'red' } },
    });
    expect(envelope.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(envelope.SigningCertURL).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/.+\.pem$/);
    expect(envelope.UnsubscribeURL).toContain(`SubscriptionArn=${topicArn('events')}:`);
    expect(typeof envelope.Signature).toBe('string');
  });

  it('raw delivery sends the message itself with its attributes as SQS message attributes', async () => {
    const { queues, topics } = setup([
      topic('events'),
      queue('raw'),
      subscription('Raw', { TopicArn: topicArn('events'), Protocol: 'sqs', Endpoint: queueArn('raw'), RawMessageDelivery: 'true' }),
    ]);
    await topics.publish(topicArn('events'), { message: '{"a":1}', messageAttributes: { n: { DataType: 'Number', StringValue: '5' } } });
    const [m] = await queues.receive('raw', { max: 1 });
    expect(m!.body).toBe('{"a":1}');
    expect(m!.messageAttributes).toEqual({ n: { DataType: 'Number', StringValue: '5' } });
  });

  it('filters on message attributes (String, Number, String.Array, exists)', async () => {
    const { queues, topics } = setup([
      topic('orders'),
      queue('big'),
      queue('sports'),
      subscription('Big', { TopicArn: topicArn('orders'), Protocol: 'sqs', Endpoint: queueArn('big'), RawMessageDelivery: true, FilterPolicy: { price_usd: [{ numeric: ['>=', 100] }], store: ['example_corp'] } }),
      subscription('Sports', { TopicArn: topicArn('orders'), Protocol: 'sqs', Endpoint: queueArn('sports'), RawMessageDelivery: true, FilterPolicy: JSON.stringify({ interests: ['rugby'] }) }),
    ]);
    const attrs = (price: string, interests: string[]) => ({
      store: { DataType: 'String', StringValue: 'example_corp' },
      price_usd: { DataType: 'Number', StringValue: price },
      interests: { DataType: 'String.Array', StringValue: JSON.stringify(interests) },
    });
    await topics.publish(topicArn('orders'), { message: 'cheap-rugby', messageAttributes: attrs('20', ['rugby', 'chess']) });
    await topics.publish(topicArn('orders'), { message: 'pricey-chess', messageAttributes: attrs('250.5', ['chess']) });
    await topics.publish(topicArn('orders'), { message: 'no-attributes' });
    expect(await bodies(queues, 'big')).toEqual(['pricey-chess']);
    expect(await bodies(queues, 'sports')).toEqual(['cheap-rugby']);
  });

  it('filters on the message body with the policy pubsub-fanout synthesizes', async () => {
    const { queues, topics } = setup([topic('uploads'), queue('resize'), subscription('Resize', { ...fanoutSubscription, TopicArn: topicArn('uploads'), Endpoint: queueArn('resize') })]);
    const s3Event = (key: string) => JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'in' }, object: { key, size: 1 } } }] });
    await topics.publish(topicArn('uploads'), { message: s3Event('photos/cat.JPG') });
    await topics.publish(topicArn('uploads'), { message: s3Event('docs/readme.txt') });
    await topics.publish(topicArn('uploads'), { message: 'not json' });
    const got = await bodies(queues, 'resize');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!).Records[0].s3.object.key).toBe('photos/cat.JPG');
  });

  it('invokes a Lambda subscriber asynchronously with the SNS event shape', async () => {
    const { topics, invoker } = setup([topic('alerts', { Subscription: [{ Protocol: 'lambda', Endpoint: functionArn('notify') }] })]);
    const { messageId } = await topics.publish('alerts', { message: 'disk full', messageAttributes: { sev: { DataType: 'String', StringValue: 'high' } } });
    expect(invoker.asyncCalls).toHaveLength(1);
    const { target, event } = invoker.asyncCalls[0]!;
    expect(target).toBe(functionArn('notify'));
    const record = (event as { Records: Array<Record<string, any>> }).Records[0]!;
    expect(record).toMatchObject({ EventSource: 'aws:sns', EventVersion: '1.0' });
    expect(record.EventSubscriptionArn).toMatch(new RegExp(`^${topicArn('alerts')}:[0-9a-f-]{36}$`));
    expect(record.Sns).toMatchObject({
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn('alerts'),
      Subject: null,
      Message: 'disk full',
      SignatureVersion: '1',
      MessageAttributes: { sev: { Type: 'String', Value: 'high' } },
    });
    expect(record.Sns.SigningCertUrl).toMatch(/^https:/);
    expect(record.Sns.UnsubscribeUrl).toMatch(/Action=Unsubscribe/);
  });

  it('logs an email subscription once as not delivered locally', async () => {
    const { topics, logs } = setup([topic('mail'), subscription('Mail', { TopicArn: topicArn('mail'), Protocol: 'email', Endpoint: 'ops@example.com' })]);
    await topics.publish('mail', { message: 'a' });
    await topics.publish('mail', { message: 'b' });
    const notes = logs.events.filter((e) => /not delivered locally/.test(e.message));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toContain('email');
  });

  it('sends to the subscription DLQ when the endpoint does not exist', async () => {
    const { queues, topics } = setup([
      topic('t'),
      queue('dlq'),
      subscription('Gone', { TopicArn: topicArn('t'), Protocol: 'sqs', Endpoint: queueArn('missing'), RawMessageDelivery: true, RedrivePolicy: { deadLetterTargetArn: queueArn('dlq') } }),
    ]);
    await topics.publish('t', { message: 'lost?' });
    expect(await bodies(queues, 'dlq')).toEqual(['lost?']);
  });

  it('validates like SNS: unknown topic, empty message, FIFO group id, per-protocol JSON messages', async () => {
    const { queues, topics } = setup([
      topic('jobs.fifo', { FifoTopic: true, ContentBasedDeduplication: true }),
      queue('jobs-q.fifo', { FifoQueue: true }),
      subscription('F', { TopicArn: topicArn('jobs.fifo'), Protocol: 'sqs', Endpoint: queueArn('jobs-q.fifo'), RawMessageDelivery: true }),
    ]);
    await expect(topics.publish(topicArn('nope'), { message: 'x' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(topics.publish('jobs.fifo', { message: '', messageGroupId: 'g' })).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(topics.publish('jobs.fifo', { message: 'x' })).rejects.toMatchObject({ code: 'InvalidParameter' });
    const r = await topics.publish('jobs.fifo', { message: JSON.stringify({ default: 'd', sqs: 'for-sqs' }), messageStructure: 'json', messageGroupId: 'g' });
    expect(r.sequenceNumber).toMatch(/^\d+$/);
    const [m] = await queues.receive('jobs-q.fifo', { max: 1 });
    expect(m!.body).toBe('for-sqs');
    expect(m!.attributes.MessageGroupId).toBe('g');
  });
});
