import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { handler as IngestHandler } from '../src/functions/ingest.js';
import type { handler as TransformHandler } from '../src/functions/transform.js';
import { COLUMNS } from '../src/lib/columns.js';
import { fromJsonLine } from '../src/lib/events.js';
import { MAX_RAW_OBJECT_BYTES } from '../src/lib/settings.js';
import type { TransformOutcome } from '../src/lib/transform.js';
import { lambdaContext, s3Notification, testEvent } from './helpers/events.js';
import { expectedRow, generateEvents, type ProducerEvent } from './helpers/generate.js';
import { hiveColumns, parquetSchemaOf, readJsonLinesGzip, readParquet } from './helpers/parquet.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';
import { glueTable, synthStack } from './helpers/stack.js';

// Ingestion → raw zone → S3 notification → transform → curated zone, with the real handlers and
// s3rver; s3rver's own notification of each raw object invokes the transform the way S3's
// notification does (prefix events/, suffix .jsonl). The curated files are read back with hyparquet
// (Parquet) or gunzip (jsonl-gzip) and compared with the events that went in.

const RAW = 'lake-raw';
const CURATED = 'lake-curated';

let s3: LocalS3;
let ingest: typeof IngestHandler;
let transform: typeof TransformHandler;
let invocations: Array<Promise<{ outcomes: TransformOutcome[] }>> = [];
let delivered: S3Event[] = [];
let seed = 100;

async function loadTransform(format: 'parquet' | 'jsonl-gzip'): Promise<typeof TransformHandler> {
  vi.resetModules();
  process.env.CURATED_FORMAT = format;
  return (await import('../src/functions/transform.js')).handler;
}

beforeAll(async () => {
  s3 = await startS3rver([RAW, CURATED]);
  useEmulatorEnvironment(s3.endpoint, { RAW_BUCKET: RAW, CURATED_BUCKET: CURATED, CURATED_FORMAT: 'parquet' });
  ingest = (await import('../src/functions/ingest.js')).handler;
  transform = await loadTransform('parquet');
  s3.onObjectCreated((event) => {
    const record = event.Records[0]!;
    if (record.s3.bucket.name !== RAW || !record.s3.object.key.startsWith('events/') || !record.s3.object.key.endsWith('.jsonl')) return;
    delivered.push(event);
    invocations.push(transform(event, lambdaContext()));
  });
});
afterAll(async () => {
  await s3?.stop();
});
beforeEach(() => {
  invocations = [];
  delivered = [];
  seed += 1;
});

/** Ingests `events` and waits for every transform their raw objects triggered. */
async function ingestAndTransform(events: ProducerEvent[]) {
  const result = await ingest({ events }, lambdaContext());
  expect(invocations, 'one transform per raw object').toHaveLength(result.objects.length);
  const outcomes = (await Promise.all(invocations)).flatMap((r) => r.outcomes);
  return { result, outcomes };
}

const receivedAtOf = async (rawKey: string) => new Map((await s3.text(RAW, rawKey)).trimEnd().split('\n').map((l, i) => fromJsonLine(l, i + 1)).map((r) => [r.event_id, r.received_at]));

describe('the Parquet curated zone', () => {
  it('holds every ingested event, column for column, one file per raw object under the same partition and name', async () => {
    const events = generateEvents(250, { now: new Date(), days: 4, seed });
    const { result, outcomes } = await ingestAndTransform(events);

    expect(outcomes.map((o) => o.status)).toEqual(result.objects.map(() => 'transformed'));
    const curatedKeys = result.objects.map((o) => o.key.replace(/\.jsonl$/, '.parquet'));
    expect(outcomes.map((o) => (o.status === 'transformed' ? o.curatedKey : '')).sort()).toEqual([...curatedKeys].sort());
    expect((await s3.keys(CURATED)).filter((k) => curatedKeys.includes(k))).toEqual([...curatedKeys].sort());

    const byId = new Map(events.map((e) => [e.id, expectedRow(e)]));
    let total = 0;
    for (const { key } of result.objects) {
      const rows = await readParquet(await s3.bytes(CURATED, key.replace(/\.jsonl$/, '.parquet')));
      const receivedAt = await receivedAtOf(key);
      total += rows.length;
      expect(rows.map((r) => r.event_id).sort()).toEqual([...receivedAt.keys()].sort());
      for (const row of rows) expect(row).toEqual({ ...byId.get(row.event_id as string), received_at: receivedAt.get(row.event_id as string) });
      // Sorted by time, then id: the same raw object always gives the same bytes.
      const times = rows.map((r) => (r.event_time as Date).getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(total).toBe(events.length);
  });

  it('has exactly the columns and types the curated Glue table declares (Parquet → Athena type mapping)', async () => {
    const { result } = await ingestAndTransform(generateEvents(30, { now: new Date(), days: 1, seed }));
    const schema = parquetSchemaOf(await s3.bytes(CURATED, result.objects[0]!.key.replace(/\.jsonl$/, '.parquet')));
    const declared = glueTable(synthStack({ curatedFormat: 'parquet' }).template, 'curated_events').TableInput.StorageDescriptor.Columns.map(({ Name, Type }: { Name: string; Type: string }) => ({ name: Name, type: Type }));

    expect(hiveColumns(schema)).toEqual(declared);
    expect(declared.map((c: { name: string }) => c.name)).toEqual(COLUMNS.map((c) => c.name));
    // Never null: the Parquet file says so too.
    expect(schema.filter((e) => e.repetition_type === 'REQUIRED' && !e.num_children && e.name !== 'key').map((e) => e.name)).toEqual(['event_id', 'event_type', 'event_time', 'received_at']);
  });

  it('keeps events without user, value or attributes as nulls, and an attribute map as strings', async () => {
    const now = new Date().toISOString();
    const { result } = await ingestAndTransform([
      { id: `bare-${seed}`, type: 'signup', time: now },
      { id: `full-${seed}`, type: 'purchase', time: now, userId: 'u-1', value: 0, attributes: { sku: 'A-1', qty: 2, gift: false } },
    ]);
    const rows = await readParquet(await s3.bytes(CURATED, result.objects[0]!.key.replace(/\.jsonl$/, '.parquet')));
    expect(rows.find((r) => r.event_id === `bare-${seed}`)).toMatchObject({ user_id: null, value: null, attributes: null });
    expect(rows.find((r) => r.event_id === `full-${seed}`)).toMatchObject({ user_id: 'u-1', value: 0, attributes: { sku: 'A-1', qty: '2', gift: 'false' } });
  });
});

describe('idempotency: one curated object per raw object', () => {
  it('overwrites the same curated object with the same bytes when S3 delivers the event twice', async () => {
    const { result } = await ingestAndTransform(generateEvents(20, { now: new Date(), days: 1, seed }));
    const curatedKey = result.objects[0]!.key.replace(/\.jsonl$/, '.parquet');
    const before = { keys: await s3.keys(CURATED), bytes: await s3.bytes(CURATED, curatedKey), writes: s3.writes[CURATED]!.length };

    const again = await transform(delivered[0]!, lambdaContext());

    expect(again.outcomes).toEqual([expect.objectContaining({ status: 'transformed', curatedKey })]);
    expect(s3.writes[CURATED]!.length - before.writes, 'written again, to the same key').toBe(1);
    expect(s3.writes[CURATED]!.at(-1)).toBe(curatedKey);
    expect(await s3.keys(CURATED)).toEqual(before.keys);
    expect(await s3.bytes(CURATED, curatedKey)).toEqual(before.bytes);
  });

  it('keeps one curated object when the producer retries a batch (same raw keys, one copy of each row)', async () => {
    const events = generateEvents(60, { now: new Date(), days: 2, seed });
    const first = await ingestAndTransform(events);
    const keysAfterFirst = await s3.keys(CURATED);
    invocations = [];
    const second = await ingestAndTransform(events);

    expect(second.result.objects).toEqual(first.result.objects);
    expect(await s3.keys(CURATED)).toEqual(keysAfterFirst);
    let rows = 0;
    for (const { key } of first.result.objects) rows += (await readParquet(await s3.bytes(CURATED, key.replace(/\.jsonl$/, '.parquet')))).length;
    expect(rows).toBe(events.length);
  });
});

describe('the jsonl-gzip curated zone', () => {
  it('holds the same rows as gzip-compressed JSON Lines, in the text form the JSON table reads', async () => {
    const events = generateEvents(120, { now: new Date(), days: 3, seed });
    const gzipTransform = await loadTransform('jsonl-gzip');
    const result = await ingest({ events }, lambdaContext());
    await Promise.all(invocations); // the Parquet transform the notifications started
    const byId = new Map(events.map((e) => [e.id, expectedRow(e)]));

    for (const event of delivered) {
      const [outcome] = (await gzipTransform(event, lambdaContext())).outcomes;
      expect(outcome).toMatchObject({ status: 'transformed', curatedKey: expect.stringMatching(/^events\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.jsonl\.gz$/) });
      if (outcome?.status !== 'transformed') continue;
      const lines = readJsonLinesGzip(await s3.bytes(CURATED, outcome.curatedKey));
      const receivedAt = await receivedAtOf(outcome.rawKey);
      for (const line of lines) {
        expect(Object.keys(line).every((k) => COLUMNS.some((c) => c.name === k)), 'only table columns').toBe(true);
        expect(line.event_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
        const row = fromJsonLine(JSON.stringify(line), 1);
        expect(row).toEqual({ ...byId.get(row.event_id), received_at: receivedAt.get(row.event_id) });
      }
      expect(lines).toHaveLength(receivedAt.size);
    }
    expect(result.objects.length).toBe(delivered.length);
    transform = await loadTransform('parquet');
  });
});

describe('what is not a raw batch', () => {
  it('ignores the s3:TestEvent S3 sends when the notification is configured', async () => {
    const writes = s3.writes[CURATED]!.length;
    expect(await transform(testEvent, lambdaContext())).toEqual({ outcomes: [] });
    expect(s3.writes[CURATED]!.length).toBe(writes);
  });

  it('ignores keys the ingestion function does not write', async () => {
    const event = s3Notification({ bucket: RAW, key: 'events/manual-upload.jsonl', size: 10 }, { bucket: RAW, key: 'events/dt=2026-11-26/notes.jsonl', size: 10 });
    expect((await transform(event, lambdaContext())).outcomes).toEqual([
      { status: 'ignored', rawKey: 'events/manual-upload.jsonl', reason: 'not events/dt=<yyyy-MM-dd>/<batch id>.jsonl' },
      { status: 'ignored', rawKey: 'events/dt=2026-11-26/notes.jsonl', reason: 'not events/dt=<yyyy-MM-dd>/<batch id>.jsonl' },
    ]);
  });

  it('skips a raw object deleted before its (delayed) event was processed', async () => {
    const key = `events/dt=2026-11-26/${'d'.repeat(32)}.jsonl`;
    await s3.client.send(new PutObjectCommand({ Bucket: RAW, Key: key, Body: '\n' }));
    await Promise.all(invocations);
    await s3.client.send(new DeleteObjectCommand({ Bucket: RAW, Key: key }));
    expect((await transform(s3Notification({ bucket: RAW, key, size: 1 }), lambdaContext())).outcomes).toEqual([{ status: 'gone', rawKey: key }]);
  });

  it('fails on a line the ingestion function would not write, naming it, and writes nothing', async () => {
    const key = `events/dt=2026-11-26/${'b'.repeat(32)}.jsonl`;
    const good = '{"event_id":"a","event_type":"signup","event_time":"2026-11-26 10:00:00.000","received_at":"2026-11-26 10:00:01.000"}';
    const writes = s3.writes[CURATED]!.length;
    await s3.client.send(new PutObjectCommand({ Bucket: RAW, Key: key, Body: `${good}\n{"event_id":"b","event_type":"signup","event_time":"2026-11-26T10:00:00Z","received_at":"2026-11-26 10:00:01.000"}\n` }));
    await expect(invocations[0]).rejects.toThrow('line 2: event_time is not "yyyy-MM-dd HH:mm:ss.SSS"');
    expect(s3.writes[CURATED]!.length).toBe(writes);
  });

  it('fails on an event stored in the wrong partition', async () => {
    const key = `events/dt=2026-11-25/${'c'.repeat(32)}.jsonl`;
    await s3.client.send(new PutObjectCommand({ Bucket: RAW, Key: key, Body: '{"event_id":"a","event_type":"signup","event_time":"2026-11-26 00:00:00.000","received_at":"2026-11-26 10:00:01.000"}\n' }));
    await expect(invocations[0]).rejects.toThrow('line 1: event_time 2026-11-26T00:00:00.000Z belongs in dt=2026-11-26, not dt=2026-11-25');
  });

  it('refuses a raw object over the size limit without downloading it', async () => {
    const event = s3Notification({ bucket: RAW, key: `events/dt=2026-11-26/${'e'.repeat(32)}.jsonl`, size: MAX_RAW_OBJECT_BYTES + 1 });
    await expect(transform(event, lambdaContext())).rejects.toThrow(`is ${MAX_RAW_OBJECT_BYTES + 1} bytes; the transform reads raw objects up to ${MAX_RAW_OBJECT_BYTES} bytes`);
  });
});
