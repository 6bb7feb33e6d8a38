import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeEventKey, eventMatches, wireS3Notifications } from '../../../src/dev/triggers/s3-notifications.js';
import type { Deliver, DevLogEvent } from '../../../src/dev/types.js';
import { fakeApp, fakeInvoker } from '../helpers/fakes.js';

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:uploads';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:uploads';

// Trimmed from data-lake's and pubsub-fanout's synthesized templates (Custom::S3BucketNotifications), resolved.
const app = fakeApp([
  { type: 'AWS::S3::Bucket', logicalId: 'Raw', ref: 'raw-bucket' },
  { type: 'AWS::S3::Bucket', logicalId: 'Plain', ref: 'plain-bucket', properties: { NotificationConfiguration: { QueueConfigurations: [{ Event: 's3:ObjectRemoved:*', Queue: QUEUE }], EventBridgeConfiguration: { EventBridgeEnabled: true } } } },
  {
    type: 'Custom::S3BucketNotifications',
    logicalId: 'RawNotifications',
    properties: {
      BucketName: 'raw-bucket',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jsonl' }, { Name: 'prefix', Value: 'events/' }] } }, LambdaFunctionArn: fn('transform') }],
        TopicConfigurations: [{ Events: ['s3:ObjectCreated:Put'], TopicArn: TOPIC }],
      },
      Managed: true,
    },
  },
]);

describe('S3 bucket notifications from a real s3rver', () => {
  let directory: string;
  let s3rver: any;
  let s3: any;
  let sdk: typeof import('@aws-sdk/client-s3');
  const delivered: Array<{ arn: string; message: Parameters<Deliver>[1] }> = [];
  const logs: DevLogEvent[] = [];
  const { invoker, asyncCalls } = fakeInvoker({ transform: () => null });
  let wiring: ReturnType<typeof wireS3Notifications>;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sprout-s3-test-'));
    const { default: S3rver } = await import('s3rver');
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: 'raw-bucket' }, { name: 'plain-bucket' }] });
    const { port } = await s3rver.run();
    sdk = await import('@aws-sdk/client-s3');
    s3 = new sdk.S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    wiring = wireS3Notifications({ app, s3rver, invoker, deliver: async (arn, message) => void delivered.push({ arn, message }), log: (e) => logs.push(e) });
  });
  afterAll(async () => {
    wiring?.close();
    s3?.destroy();
    await s3rver?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('invokes the function asynchronously with AWS S3 event records, only for keys matching prefix and suffix', async () => {
    await s3.send(new sdk.PutObjectCommand({ Bucket: 'raw-bucket', Key: 'events/day 1 (a).jsonl', Body: '{"a":1}\n' }));
    await s3.send(new sdk.PutObjectCommand({ Bucket: 'raw-bucket', Key: 'other/day.jsonl', Body: 'x' }));
    await s3.send(new sdk.PutObjectCommand({ Bucket: 'raw-bucket', Key: 'events/day.csv', Body: 'x' }));
    await settle();
    expect(asyncCalls).toHaveLength(1);
    const [record] = asyncCalls[0]!.event.Records;
    expect(asyncCalls[0]!.name).toBe('transform');
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'raw-bucket', arn: 'arn:aws:s3:::raw-bucket' },
        object: { key: 'events/day+1+%28a%29.jsonl', size: 8, eTag: createHash('md5').update('{"a":1}\n').digest('hex') },
      },
    });
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
  });

  it('delivers the event JSON to the topic for Put only', async () => {
    delivered.length = 0;
    await s3.send(new sdk.PutObjectCommand({ Bucket: 'raw-bucket', Key: 'a.txt', Body: 'hello' }));
    await s3.send(new sdk.CopyObjectCommand({ Bucket: 'raw-bucket', Key: 'b.txt', CopySource: 'raw-bucket/a.txt' }));
    await settle();
    expect(delivered.map((d) => d.arn)).toEqual([TOPIC]);
    const body = JSON.parse(delivered[0]!.message.body);
    expect(body.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Put', s3: { object: { key: 'a.txt', size: 5 } } });
  });

  it('plain AWS::S3::Bucket NotificationConfiguration: removals to SQS and EventBridge Object Created/Deleted to the default bus', async () => {
    delivered.length = 0;
    await s3.send(new sdk.PutObjectCommand({ Bucket: 'plain-bucket', Key: 'dir/x y.txt', Body: 'abc' }));
    await s3.send(new sdk.DeleteObjectCommand({ Bucket: 'plain-bucket', Key: 'dir/x y.txt' }));
    await settle();
    const bus = delivered.filter((d) => d.arn === 'arn:aws:events:us-east-1:000000000000:event-bus/default');
    expect(bus.map((d) => d.message.event!.detailType)).toEqual(['Object Created', 'Object Deleted']);
    expect(bus[0]!.message.event).toMatchObject({ source: 'aws.s3', resources: ['arn:aws:s3:::plain-bucket'] });
    expect(JSON.parse(bus[0]!.message.event!.detail)).toMatchObject({ version: '0', bucket: { name: 'plain-bucket' }, object: { key: 'dir/x y.txt', size: 3 }, reason: 'PutObject' });
    expect(JSON.parse(bus[1]!.message.event!.detail)).toMatchObject({ object: { key: 'dir/x y.txt' }, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' });
    const queued = delivered.filter((d) => d.arn === QUEUE);
    expect(queued).toHaveLength(1);
    const removed = JSON.parse(queued[0]!.message.body).Records[0];
    expect(removed.eventName).toBe('ObjectRemoved:Delete');
    expect(removed.s3.object.key).toBe('dir/x+y.txt');
    expect(removed.s3.object.size).toBeUndefined();
  });
});

describe('matching helpers', () => {
  it('matches event names with wildcards like S3', () => {
    expect(eventMatches('s3:ObjectCreated:*', 'ObjectCreated:Copy')).toBe(true);
    expect(eventMatches('s3:ObjectCreated:Put', 'ObjectCreated:Post')).toBe(false);
    expect(eventMatches('s3:ObjectRemoved:*', 'ObjectCreated:Put')).toBe(false);
  });
  it('encodes keys as S3 does in event records', () => {
    expect(encodeEventKey('a b/c+d=e:f.txt')).toBe('a+b/c%2Bd%3De%3Af.txt');
    expect(encodeEventKey('naïve.png')).toBe('na%C3%AFve.png');
  });
});
