import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCurated, sortRecords } from '../src/lib/curated.js';
import { type EventRecord, fromJsonLine, toJsonLine } from '../src/lib/events.js';
import { readJsonLinesGzip, readParquet } from './helpers/parquet.js';

// Property tests of the conversion itself, over records fast-check generates (empty and unicode
// strings, extreme but valid times, negative zero, tiny and huge doubles, empty and absent maps):
// what is written reads back as what went in, in both curated formats and in the raw lines.

const instant = fc.date({ min: new Date('2020-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true });
const record: fc.Arbitrary<EventRecord> = fc.record({
  event_id: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
  event_type: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/),
  event_time: instant,
  user_id: fc.option(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), { nil: null }),
  value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  attributes: fc.option(fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((key) => key !== '__proto__'), fc.string({ maxLength: 30, unit: 'grapheme' }), { minKeys: 1, maxKeys: 6 }), { nil: null }),
  received_at: instant,
});
const batch = fc.uniqueArray(record, { minLength: 1, maxLength: 40, selector: (r) => r.event_id });

/** JSON has no negative zero: -0 is written as 0. */
const jsonNumber = (r: EventRecord): EventRecord => ({ ...r, value: Object.is(r.value, -0) ? 0 : r.value });

describe('the curated formats', () => {
  it('Parquet reads back row for row, sorted by time and id', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (records) => {
        const rows = await readParquet(encodeCurated(records, 'parquet'));
        expect(rows).toEqual(sortRecords(records).map((r) => ({ ...r })));
      }),
      { numRuns: 60 },
    );
  });

  it('gzip JSON Lines reads back row for row through the JSON table format', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const lines = readJsonLinesGzip(encodeCurated(records, 'jsonl-gzip'));
        expect(lines.map((line, i) => fromJsonLine(JSON.stringify(line), i + 1))).toEqual(sortRecords(records).map(jsonNumber));
      }),
      { numRuns: 60 },
    );
  });

  it('are deterministic: the same records in any order give the same bytes', () => {
    fc.assert(
      fc.property(batch, fc.nat(), (records, rotation) => {
        const rotated = [...records.slice(rotation % records.length), ...records.slice(0, rotation % records.length)];
        expect(encodeCurated(rotated, 'parquet')).toEqual(encodeCurated(records, 'parquet'));
        expect(encodeCurated(rotated, 'jsonl-gzip')).toEqual(encodeCurated(records, 'jsonl-gzip'));
      }),
      { numRuns: 30 },
    );
  });
});

describe('raw lines', () => {
  it('read back as the record, timestamps to the millisecond', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(fromJsonLine(toJsonLine(r), 1)).toEqual(jsonNumber(r));
      }),
      { numRuns: 200 },
    );
  });
});
