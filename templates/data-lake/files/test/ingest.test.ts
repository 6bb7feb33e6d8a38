import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../src/functions/ingest.js';
import { fromJsonLine } from '../src/lib/events.js';
import { ingest } from '../src/lib/ingest.js';
import { MAX_EVENTS_PER_BATCH } from '../src/lib/settings.js';
import { lambdaContext } from './helpers/events.js';
import { expectedRow, generateEvents, utcDate } from './helpers/generate.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';

// The real ingestion handler against s3rver: batches in, JSON Lines objects in the raw bucket out.

const RAW = 'lake-raw';
let s3: LocalS3;
let handler: typeof Handler;
let seed = 1;

beforeAll(async () => {
  s3 = await startS3rver([RAW, 'lake-other']);
  useEmulatorEnvironment(s3.endpoint, { RAW_BUCKET: RAW });
  handler = (await import('../src/functions/ingest.js')).handler;
});
afterAll(async () => {
  await s3?.stop();
});
beforeEach(() => {
  seed += 1;
});

const invoke = (payload: unknown) => handler(payload, lambdaContext());
const rowsOf = async (key: string) => (await s3.text(RAW, key)).trimEnd().split('\n').map((line, i) => fromJsonLine(line, i + 1));

describe('a batch of valid events', () => {
  it('is written as one JSON Lines object per UTC event date, under events/dt=<yyyy-MM-dd>/', async () => {
    const events = generateEvents(300, { now: new Date(), days: 5, seed });
    const before = new Date();
    const result = await invoke({ events });

    const dates = [...new Set(events.map((e) => utcDate(expectedRow(e).event_time)))].sort();
    expect(dates.length, 'the generated events span several dates').toBeGreaterThanOrEqual(4);
    expect(result.accepted).toBe(300);
    expect(result.rejected).toEqual([]);
    expect(result.objects.map((o) => o.key.slice(0, 'events/dt=yyyy-MM-dd/'.length))).toEqual(dates.map((d) => `events/dt=${d}/`));
    for (const { key } of result.objects) expect(key).toMatch(/^events\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.jsonl$/);

    for (const { key, events: count } of result.objects) {
      const dt = key.slice('events/dt='.length, 'events/dt='.length + 10);
      const rows = await rowsOf(key);
      expect(rows).toHaveLength(count);
      const expected = events.filter((e) => utcDate(expectedRow(e).event_time) === dt).map(expectedRow);
      expect(rows.map(({ received_at: _, ...row }) => row)).toEqual(expected);
      for (const row of rows) {
        expect(row.received_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
        expect(row.received_at.getTime()).toBeLessThanOrEqual(Date.now());
      }
    }
    expect(result.objects.reduce((sum, o) => sum + o.events, 0)).toBe(300);
  });

  it('writes the same keys when the producer retries the same events, so a retry does not duplicate them', async () => {
    const events = generateEvents(40, { now: new Date(), days: 3, seed });
    const first = await invoke({ events });
    const writes = s3.writes[RAW]!.length;
    const second = await invoke({ events });

    expect(second.objects).toEqual(first.objects);
    expect(s3.writes[RAW]!.length - writes, 'the retry overwrote the same objects').toBe(first.objects.length);
    const keys = await s3.keys(RAW);
    for (const { key } of first.objects) expect(keys.filter((k) => k === key)).toHaveLength(1);
  });

  it('writes a different object for a different batch on the same day', async () => {
    const now = new Date();
    const one = await invoke({ events: [{ id: `a-${seed}`, type: 'signup', time: now.toISOString() }] });
    const two = await invoke({ events: [{ id: `b-${seed}`, type: 'signup', time: now.toISOString() }] });
    expect(one.objects[0]!.key).not.toBe(two.objects[0]!.key);
  });
});

describe('invalid events', () => {
  it('are refused one by one with every problem, and the valid ones in the same batch are stored', async () => {
    const now = new Date();
    const result = await invoke({
      events: [
        { id: `ok-${seed}`, type: 'page_view', time: now.toISOString(), attributes: { page: '/' } },
        { id: 'no-time', type: 'page_view' },
        { id: 'bad-time', type: 'page_view', time: 'yesterday' },
        { id: 'no-zone', type: 'page_view', time: '2026-11-26T10:00:00' },
        { id: 'feb-30', type: 'page_view', time: '2026-02-30T10:00:00Z' },
        { id: 'future', type: 'page_view', time: new Date(now.getTime() + 3_600_000).toISOString() },
        { id: 'ancient', type: 'page_view', time: '2019-12-31T23:59:59Z' },
        { type: 'Page View', time: now.toISOString(), extra: 1, value: 'ten', userId: 7, attributes: { nested: { a: 1 } } },
        'not an object',
        { id: `ok-${seed}`, type: 'page_view', time: now.toISOString() },
        // What a producer's JSON can hold: an own "__proto__" key (an object literal would set the prototype).
        { id: 'proto', type: 'page_view', time: now.toISOString(), attributes: JSON.parse('{"__proto__": "x"}') },
      ],
    });

    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, id: 'no-time', errors: ['time is missing'] },
      { index: 2, id: 'bad-time', errors: ['time "yesterday" is not an ISO 8601 date-time with a time zone (such as 2026-11-26T10:00:00Z) nor epoch milliseconds'] },
      { index: 3, id: 'no-zone', errors: [expect.stringMatching(/^time "2026-11-26T10:00:00" is not an ISO 8601 date-time with a time zone/)] },
      { index: 4, id: 'feb-30', errors: ['time "2026-02-30T10:00:00Z" is not a valid date-time'] },
      { index: 5, id: 'future', errors: [expect.stringMatching(/is more than 5 minutes in the future$/)] },
      { index: 6, id: 'ancient', errors: ['time 2019-12-31T23:59:59.000Z is before 2020-01-01, the first date the tables project (see src/lib/layout.ts)'] },
      {
        index: 7,
        errors: [
          'unknown field "extra" (the fields are id, type, time, userId, value, attributes; put anything else in attributes)',
          'id is missing',
          'type must be 1 to 64 lowercase letters, digits or _ . - starting with a letter, such as page_view',
          'userId must be a string of 1 to 256 characters, or null',
          'value must be a finite number, or null',
          'attribute "nested" must be a string, a finite number or a boolean (nested values are not stored)',
        ],
      },
      { index: 8, errors: ['an event must be a JSON object'] },
      { index: 9, id: `ok-${seed}`, errors: [`id "ok-${seed}" appears earlier in this batch`] },
      { index: 10, id: 'proto', errors: ['attribute key "__proto__" is reserved'] },
    ]);
    expect(result.objects).toHaveLength(1);
    expect((await rowsOf(result.objects[0]!.key)).map((r) => r.event_id)).toEqual([`ok-${seed}`]);
  });

  it('writes nothing when every event is refused', async () => {
    const writes = s3.writes[RAW]!.length;
    const result = await invoke({ events: [{ id: 'x', type: 'signup', time: 'soon' }] });
    expect(result).toEqual({ accepted: 0, rejected: [expect.objectContaining({ index: 0 })], objects: [] });
    expect(s3.writes[RAW]!.length).toBe(writes);
  });

  it('accepts epoch milliseconds and any zone, and stores the UTC instant to the millisecond', async () => {
    const result = await invoke({
      events: [
        { id: `z-${seed}`, type: 'signup', time: '2024-02-29T23:30:00.123456+05:30' },
        { id: `e-${seed}`, type: 'signup', time: Date.UTC(2024, 1, 29, 18, 0, 0, 124) },
        { id: `m-${seed}`, type: 'signup', time: '2024-02-29T23:30Z' },
      ],
    });
    expect(result.objects.map((o) => o.key.slice(0, 21))).toEqual(['events/dt=2024-02-29/']);
    const lines = (await s3.text(RAW, result.objects[0]!.key)).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event_time)).toEqual(['2024-02-29 18:00:00.123', '2024-02-29 18:00:00.124', '2024-02-29 23:30:00.000']);
  });
});

describe('requests that are not a batch', () => {
  it.each([[null], ['events'], [[{ id: 'a' }]], [{ events: 'x' }], [{}]])('fail the invocation for %j, writing nothing', async (payload) => {
    const writes = s3.writes[RAW]!.length;
    await expect(invoke(payload)).rejects.toThrow('Expected a JSON object {"events": [ … ]}');
    expect(s3.writes[RAW]!.length).toBe(writes);
  });

  it(`fail for more than ${MAX_EVENTS_PER_BATCH} events`, async () => {
    const events = generateEvents(MAX_EVENTS_PER_BATCH + 1, { now: new Date(), days: 1, seed });
    await expect(invoke({ events })).rejects.toThrow(`A batch holds at most ${MAX_EVENTS_PER_BATCH} events (got ${MAX_EVENTS_PER_BATCH + 1}); split it`);
  });
});

describe('a failed write', () => {
  it('fails the whole invocation, so nothing is reported stored that is not', async () => {
    const events = generateEvents(5, { now: new Date(), days: 1, seed });
    const client = s3.client;
    await expect(ingest({ events }, { s3: client, rawBucket: 'no-such-bucket' })).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
