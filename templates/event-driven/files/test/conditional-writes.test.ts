import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../src/functions/process-upload.js';
import type { Outcome } from '../src/lib/process-object.js';
import { lambdaContext, s3Notification } from './helpers/events.js';
import { useEmulatorEnvironment } from './helpers/s3rver.js';

// What s3rver cannot show: it ignores If-None-Match on PutObject and If-Match on GetObject
// (lib/controllers/object.js reads If-None-Match only on GET, to answer 304), so a conditional
// write there always overwrites. Here S3 is aws-sdk-client-mock over a small in-memory store that
// answers those headers the way S3 documents: 412 PreconditionFailed when the condition fails,
// 409 ConditionalRequestConflict when told to.

const INPUT = 'fleet-input';
const OUTPUT = 'fleet-output';
const KEY = 'incoming/gateway-1/batch.jsonl';
const BODY = `${JSON.stringify({ deviceId: 'd-1', timestamp: '2026-11-26T09:00:00Z', metric: 'battery', value: 80 })}\n`;
const ETAG = createHash('md5').update(BODY).digest('hex');

const s3 = mockClient(S3Client);
let handler: typeof Handler;
/** bucket/key → { body, eTag } */
let store: Map<string, { body: string; eTag: string }>;
/** Set to make the next summary write fail with this status. */
let failSummaryWith: { status: number; name: string } | undefined;

const s3Error = (status: number, name: string) => new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
const tick = () => new Promise((resolve) => setImmediate(resolve));

beforeAll(async () => {
  useEmulatorEnvironment('http://127.0.0.1:9', { OUTPUT_BUCKET: OUTPUT, INPUT_PREFIX: 'incoming/', INPUT_SUFFIX: '.jsonl' });
  handler = (await import('../src/functions/process-upload.js')).handler;
});
afterAll(() => s3.restore());

beforeEach(() => {
  s3.reset();
  failSummaryWith = undefined;
  store = new Map([[`${INPUT}/${KEY}`, { body: BODY, eTag: ETAG }]]);
  s3.on(HeadObjectCommand).callsFake(async ({ Bucket, Key }) => {
    await tick();
    const object = store.get(`${Bucket}/${Key}`);
    if (!object) throw s3Error(404, 'NotFound');
    return { ETag: `"${object.eTag}"` };
  });
  s3.on(GetObjectCommand).callsFake(async ({ Bucket, Key, IfMatch }) => {
    await tick();
    const object = store.get(`${Bucket}/${Key}`);
    if (!object) throw s3Error(404, 'NoSuchKey');
    if (IfMatch !== undefined && IfMatch !== `"${object.eTag}"`) throw s3Error(412, 'PreconditionFailed');
    return { ETag: `"${object.eTag}"`, Body: Readable.from([Buffer.from(object.body)]) as unknown as GetObjectCommandOutput['Body'] };
  });
  s3.on(PutObjectCommand).callsFake(async ({ Bucket, Key, Body, IfNoneMatch }: PutObjectCommandInput) => {
    await tick();
    const id = `${Bucket}/${Key}`;
    if (Key?.startsWith('summaries/') && failSummaryWith) {
      const { status, name } = failSummaryWith;
      failSummaryWith = undefined;
      throw s3Error(status, name);
    }
    if (IfNoneMatch === '*' && store.has(id)) throw s3Error(412, 'PreconditionFailed');
    const body = String(Body);
    store.set(id, { body, eTag: createHash('md5').update(body).digest('hex') });
    return { ETag: `"${store.get(id)!.eTag}"` };
  });
});

const event = () => s3Notification({ bucket: INPUT, key: KEY, eTag: ETAG, size: Buffer.byteLength(BODY) });
const summaryKey = `summaries/${KEY}/${ETAG}.json`;
const readingsKey = `readings/${KEY}/${ETAG}.jsonl`;
const putsTo = (key: string) => s3.commandCalls(PutObjectCommand).filter((call) => call.args[0].input.Key === key);

describe('two deliveries of the same event at the same time', () => {
  it('both pass the HeadObject check, and the create-only summary write lets exactly one finish', async () => {
    const results = await Promise.all([handler(event(), lambdaContext()), handler(event(), lambdaContext())]);
    const outcomes = results.flatMap((r) => r.outcomes).map((o: Outcome) => (o.status === 'duplicate' ? `${o.status} (${o.detectedBy})` : o.status));

    expect(outcomes.sort()).toEqual(['duplicate (conditional-put)', 'processed']);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual([summaryKey, summaryKey]);
    expect(putsTo(summaryKey).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Bucket: OUTPUT, IfNoneMatch: '*', ContentType: 'application/json' }),
      expect.objectContaining({ Bucket: OUTPUT, IfNoneMatch: '*', ContentType: 'application/json' }),
    ]);
    // The readings are written by both (same bytes), the summary by one.
    expect(putsTo(readingsKey)).toHaveLength(2);
    expect(new Set(putsTo(readingsKey).map((c) => c.args[0].input.Body))).toEqual(new Set([`${JSON.stringify({ deviceId: 'd-1', metric: 'battery', value: 80, unit: '%', timestamp: '2026-11-26T09:00:00.000Z' })}\n`]));
    expect([...store.keys()].filter((k) => k.startsWith(`${OUTPUT}/summaries/`))).toEqual([`${OUTPUT}/${summaryKey}`]);
  });

  it('fails the invocation on 409 ConditionalRequestConflict, so Lambda retries and the retry finds the summary', async () => {
    failSummaryWith = { status: 409, name: 'ConditionalRequestConflict' };
    await expect(handler(event(), lambdaContext())).rejects.toMatchObject({ name: 'ConditionalRequestConflict' });
    // Meanwhile the conflicting writer finished.
    store.set(`${OUTPUT}/${summaryKey}`, { body: '{}', eTag: 'other' });
    expect((await handler(event(), lambdaContext())).outcomes).toEqual([expect.objectContaining({ status: 'duplicate', detectedBy: 'head-object' })]);
  });
});

describe('a failure part-way', () => {
  it('is retried to completion: the readings are rewritten with the same bytes, the summary created once', async () => {
    failSummaryWith = { status: 503, name: 'SlowDown' };
    await expect(handler(event(), lambdaContext())).rejects.toMatchObject({ name: 'SlowDown' });
    expect(store.has(`${OUTPUT}/${summaryKey}`)).toBe(false);

    expect((await handler(event(), lambdaContext())).outcomes).toEqual([expect.objectContaining({ status: 'processed' })]);
    expect(putsTo(readingsKey)).toHaveLength(2);
    expect(putsTo(readingsKey)[0]!.args[0].input.Body).toBe(putsTo(readingsKey)[1]!.args[0].input.Body);
    expect((await handler(event(), lambdaContext())).outcomes).toEqual([expect.objectContaining({ status: 'duplicate', detectedBy: 'head-object' })]);
    expect(putsTo(summaryKey)).toHaveLength(2); // the failed attempt and the one that succeeded
  });

  it('does not take a 403 on the HeadObject check for "not done yet": it fails instead of redoing the work', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error(403, 'Forbidden'));
    await expect(handler(event(), lambdaContext())).rejects.toMatchObject({ name: 'Forbidden' });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('reading exactly the version the event is about', () => {
  it('asks for the event\'s ETag with If-Match', async () => {
    await handler(event(), lambdaContext());
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: INPUT, Key: KEY, IfMatch: `"${ETAG}"` }]);
  });

  it('leaves an object overwritten since the event to the newer event (412), writing nothing', async () => {
    store.set(`${INPUT}/${KEY}`, { body: 'newer content\n', eTag: 'a-newer-etag' });
    expect((await handler(event(), lambdaContext())).outcomes).toEqual([{ status: 'superseded', key: KEY, eTag: ETAG }]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('looks the ETag up when an event has none, then keys the result on it', async () => {
    const withoutETag = s3Notification({ bucket: INPUT, key: KEY, size: Buffer.byteLength(BODY) });
    expect((await handler(withoutETag, lambdaContext())).outcomes).toEqual([expect.objectContaining({ status: 'processed', eTag: ETAG, summaryKey })]);
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: INPUT, Key: KEY });
  });
});
