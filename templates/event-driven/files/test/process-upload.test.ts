import { PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../src/functions/process-upload.js';
import type { Outcome, Summary } from '../src/lib/process-object.js';
import { MAX_OBJECT_BYTES } from '../src/lib/settings.js';
import { lambdaContext, s3Notification, testEvent } from './helpers/events.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';

// The real handler against s3rver: uploads go into the input bucket, s3rver's own notification of
// each upload (its key encoded as S3 encodes it) invokes the handler the way S3's notification
// invokes the function, and the results are read back from the output bucket.

const INPUT = 'fleet-input';
const OUTPUT = 'fleet-output';
const PREFIX = 'incoming/';
const SUFFIX = '.jsonl';

let s3: LocalS3;
let handler: typeof Handler;
/** Invocations started by uploads, as S3 would start them. */
let invocations: Array<Promise<{ outcomes: Outcome[] }>> = [];
let delivered: S3Event[] = [];
/** Off: uploads do not invoke the handler (a notification still on its way). */
let notify = true;

beforeAll(async () => {
  s3 = await startS3rver([INPUT, OUTPUT]);
  useEmulatorEnvironment(s3.endpoint, { OUTPUT_BUCKET: OUTPUT, INPUT_PREFIX: PREFIX, INPUT_SUFFIX: SUFFIX });
  handler = (await import('../src/functions/process-upload.js')).handler;
  // The notification: ObjectCreated in the input bucket, filtered on prefix and suffix.
  s3.onObjectCreated((event) => {
    const record = event.Records[0]!;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!notify || record.s3.bucket.name !== INPUT || !key.startsWith(PREFIX) || !key.endsWith(SUFFIX)) return;
    delivered.push(event);
    invocations.push(handler(event, lambdaContext()));
  });
});
afterAll(async () => {
  await s3?.stop();
});
beforeEach(() => {
  invocations = [];
  delivered = [];
});

/** Uploads like a device would, and waits for the invocation the upload triggered. */
async function upload(key: string, body: string): Promise<{ eTag: string; outcomes: Outcome[] }> {
  const before = invocations.length;
  const put = await s3.client.send(new PutObjectCommand({ Bucket: INPUT, Key: key, Body: body }));
  expect(invocations.length, 'the upload triggered one invocation').toBe(before + 1);
  const { outcomes } = await invocations[before]!;
  return { eTag: put.ETag!.replace(/"/g, ''), outcomes };
}

const line = (fields: Record<string, unknown>) => JSON.stringify(fields);
const batch = [
  line({ deviceId: 'Thermo-17', timestamp: '2026-11-26T10:00:00+01:00', metric: 'temperature', value: 71.6, unit: '°F' }),
  line({ deviceId: 'thermo-17', timestamp: 1795683660, metric: 'humidity', value: '40.5' }),
  '{"deviceId": "thermo-17", "timestamp": ',
  '',
  line({ deviceId: 'baro-2', timestamp: 1795683600123, metric: 'pressure', value: 101.3, unit: 'kPa' }),
  line({ deviceId: 'baro-2', timestamp: '2026-11-26T09:01:00Z', metric: 'wind', value: 3 }),
  line({ deviceId: 'baro-2', timestamp: '2026-11-26T09:02:00Z', metric: 'humidity', value: 140 }),
  '',
].join('\n');

describe('an upload to the input bucket', () => {
  it('is normalized into the output bucket, keyed on the input key and ETag, with a summary', async () => {
    const key = `${PREFIX}gateway-7/2026-11-26T09.jsonl`;
    const { eTag, outcomes } = await upload(key, batch);

    const readingsKey = `readings/${key}/${eTag}.jsonl`;
    const summaryKey = `summaries/${key}/${eTag}.json`;
    expect(outcomes).toEqual([expect.objectContaining({ status: 'processed', key, eTag, readingsKey, summaryKey })]);
    expect(await s3.keys(OUTPUT)).toEqual([readingsKey, summaryKey]);

    const readings = (await s3.text(OUTPUT, readingsKey)).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(readings).toEqual([
      { deviceId: 'thermo-17', metric: 'temperature', value: 22, unit: 'C', timestamp: '2026-11-26T09:00:00.000Z' },
      { deviceId: 'thermo-17', metric: 'humidity', value: 40.5, unit: '%', timestamp: '2026-11-26T09:01:00.000Z' },
      { deviceId: 'baro-2', metric: 'pressure', value: 1013, unit: 'hPa', timestamp: '2026-11-26T09:00:00.123Z' },
    ]);

    const summary = JSON.parse(await s3.text(OUTPUT, summaryKey)) as Summary;
    expect(summary).toMatchObject({
      source: { bucket: INPUT, key, eTag, size: Buffer.byteLength(batch), uploadedAt: delivered[0]!.Records[0]!.eventTime },
      readings: { bucket: OUTPUT, key: readingsKey },
      lines: 6,
      accepted: 3,
      dropped: 3,
      droppedByReason: { 'invalid-json': 1, 'out-of-range': 1, 'unknown-metric': 1 },
      devices: 2,
      metrics: {
        temperature: { count: 1, min: 22, max: 22, mean: 22 },
        humidity: { count: 1, min: 40.5, max: 40.5, mean: 40.5 },
        pressure: { count: 1, min: 1013, max: 1013, mean: 1013 },
      },
      timeRange: { first: '2026-11-26T09:00:00.000Z', last: '2026-11-26T09:01:00.000Z' },
      checks: { dropClockSkew: false },
    });
    expect(Date.parse(summary.processedAt)).not.toBeNaN();
  });

  it('writes an empty readings file and a summary for a batch with no valid line', async () => {
    const key = `${PREFIX}gateway-7/garbage.jsonl`;
    const { eTag, outcomes } = await upload(key, 'not json\n[1,2]\n');
    expect(outcomes[0]).toMatchObject({ status: 'processed', counts: { lines: 2, accepted: 0, droppedByReason: { 'invalid-json': 1, 'not-an-object': 1 }, timeRange: null } });
    expect(await s3.text(OUTPUT, `readings/${key}/${eTag}.jsonl`)).toBe('');
  });

  it('decodes the key from the event: spaces arrive as "+", a real "+" as "%2B"', async () => {
    const key = `${PREFIX}gateway 9/batch 1+2.jsonl`;
    const { eTag, outcomes } = await upload(key, batch);
    expect(delivered[0]!.Records[0]!.s3.object.key).toBe('incoming/gateway+9/batch+1%2B2.jsonl');
    expect(outcomes).toEqual([expect.objectContaining({ status: 'processed', key })]);
    expect(await s3.keys(OUTPUT, `summaries/${key}/`)).toEqual([`summaries/${key}/${eTag}.json`]);
  });
});

describe('idempotency: one result per key and ETag', () => {
  it('does the work once when the same event is delivered twice: no second write, the result untouched', async () => {
    const key = `${PREFIX}gateway-3/redelivered.jsonl`;
    const { eTag, outcomes } = await upload(key, batch);
    expect(outcomes[0]!.status).toBe('processed');
    const summaryKey = `summaries/${key}/${eTag}.json`;
    const readingsKey = `readings/${key}/${eTag}.jsonl`;
    const before = { summary: await s3.head(OUTPUT, summaryKey), readings: await s3.head(OUTPUT, readingsKey), writes: s3.writes[OUTPUT]!.length };
    expect(s3.writes[OUTPUT]!.slice(-2)).toEqual([readingsKey, summaryKey]);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // LastModified has one-second resolution
    const again = await handler(delivered[0]!, lambdaContext());

    expect(again.outcomes).toEqual([{ status: 'duplicate', key, eTag, summaryKey, detectedBy: 'head-object' }]);
    expect(s3.writes[OUTPUT]!.length, 'PutObject calls on the output bucket').toBe(before.writes);
    expect(await s3.head(OUTPUT, summaryKey)).toEqual(before.summary);
    expect(await s3.head(OUTPUT, readingsKey)).toEqual(before.readings);
  });

  it('processes a new version of the same key again, next to the first result', async () => {
    const key = `${PREFIX}gateway-3/overwritten.jsonl`;
    const first = await upload(key, batch);
    const second = await upload(key, `${batch}${line({ deviceId: 'late-1', timestamp: 1795683700, metric: 'battery', value: 88 })}\n`);

    expect(second.eTag).not.toBe(first.eTag);
    expect(second.outcomes).toEqual([expect.objectContaining({ status: 'processed', eTag: second.eTag, counts: expect.objectContaining({ accepted: 4 }) })]);
    expect(await s3.keys(OUTPUT, `summaries/${key}/`)).toEqual([`summaries/${key}/${first.eTag}.json`, `summaries/${key}/${second.eTag}.json`].sort());
  });

  it('treats the same bytes uploaded again under the same key as done (same ETag, same result)', async () => {
    const key = `${PREFIX}gateway-3/same-bytes.jsonl`;
    const first = await upload(key, batch);
    const writes = s3.writes[OUTPUT]!.length;
    const second = await upload(key, batch);
    expect(second.eTag).toBe(first.eTag);
    expect(second.outcomes).toEqual([expect.objectContaining({ status: 'duplicate', detectedBy: 'head-object' })]);
    expect(s3.writes[OUTPUT]!.length).toBe(writes);
  });
});

describe('events that are not work', () => {
  it('ignores the s3:TestEvent S3 sends when the notification is configured', async () => {
    const writes = s3.writes[OUTPUT]!.length;
    expect(await handler(testEvent, lambdaContext())).toEqual({ outcomes: [] });
    expect(s3.writes[OUTPUT]!.length).toBe(writes);
  });

  it('skips an object deleted before its (delayed) event was processed', async () => {
    const key = `${PREFIX}gateway-4/deleted.jsonl`;
    notify = false; // the notification is still on its way
    const put = await s3.client.send(new PutObjectCommand({ Bucket: INPUT, Key: key, Body: batch }));
    await s3.client.send(new DeleteObjectCommand({ Bucket: INPUT, Key: key }));
    notify = true;
    const late = s3Notification({ bucket: INPUT, key, eTag: put.ETag!.replace(/"/g, ''), size: Buffer.byteLength(batch) });
    expect((await handler(late, lambdaContext())).outcomes).toEqual([{ status: 'gone', key }]);
    expect(await s3.keys(OUTPUT, `summaries/${key}/`)).toEqual([]);
  });

  it('ignores an object outside the prefix and suffix (the notification filter keeps them away; the code does not rely on it)', async () => {
    const event = s3Notification({ bucket: INPUT, key: 'elsewhere/readings.jsonl', eTag: 'abc', size: 10 }, { bucket: INPUT, key: `${PREFIX}notes.txt`, eTag: 'def', size: 10 });
    expect((await handler(event, lambdaContext())).outcomes).toEqual([
      { status: 'ignored', key: 'elsewhere/readings.jsonl', reason: 'outside incoming/*.jsonl' },
      { status: 'ignored', key: `${PREFIX}notes.txt`, reason: 'outside incoming/*.jsonl' },
    ]);
  });

  it('refuses an object over the size limit without downloading it, so the event goes to the failed-events queue after the retries', async () => {
    const writes = s3.writes[OUTPUT]!.length;
    const event = s3Notification({ bucket: INPUT, key: `${PREFIX}gateway-5/huge.jsonl`, eTag: 'd41d8cd98f00b204e9800998ecf8427e', size: MAX_OBJECT_BYTES + 1 });
    await expect(handler(event, lambdaContext())).rejects.toThrow(/is 52428801 bytes; this function processes objects up to 52428800 bytes/);
    expect(s3.writes[OUTPUT]!.length).toBe(writes);
  });
});
