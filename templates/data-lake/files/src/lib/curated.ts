import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';
import { COLUMNS } from './columns.js';
import { type EventRecord, toJsonLine } from './events.js';
import type { CuratedFormat } from './layout.js';

/**
 * The Parquet schema of a curated file, column for column the Hive types of COLUMNS, in the forms
 * Athena reads (its Parquet SerDe matches columns by name):
 * - string → BYTE_ARRAY annotated UTF8;
 * - timestamp → INT64 annotated TIMESTAMP_MILLIS: a built-in Parquet time type, at the millisecond
 *   precision Athena engine 3 requires of timestamp columns (finer precision fails the query);
 * - double → DOUBLE;
 * - map<string,string> → the standard three-level MAP group (key_value, key, value).
 * event_id, event_type and the two times are never null (REQUIRED); the rest are OPTIONAL.
 */
export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: COLUMNS.length },
  { name: 'event_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'event_type', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'event_time', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
  { name: 'user_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'attributes', converted_type: 'MAP', repetition_type: 'OPTIONAL', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'received_at', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
];

export const CONTENT_TYPE: Record<CuratedFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  'jsonl-gzip': 'application/x-ndjson',
};

/** Rows in a stable order (time, then id), so the same raw object always gives the same bytes. */
export function sortRecords(records: EventRecord[]): EventRecord[] {
  return [...records].sort((a, b) => a.event_time.getTime() - b.event_time.getTime() || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

/**
 * One curated file. Parquet: snappy-compressed (Athena's default codec for Parquet), one row group
 * (a raw object holds at most one batch), with column statistics, so Athena can skip a file by
 * its event_time range. jsonl-gzip: the JSON table's lines, gzip-compressed.
 */
export function encodeCurated(records: EventRecord[], format: CuratedFormat): Uint8Array {
  const rows = sortRecords(records);
  if (format === 'jsonl-gzip') {
    return gzipSync(rows.map((r) => `${toJsonLine(r)}\n`).join(''));
  }
  const buffer = parquetWriteBuffer({
    schema: PARQUET_SCHEMA,
    codec: 'SNAPPY',
    statistics: true,
    rowGroupSize: Math.max(rows.length, 1),
    columnData: [
      { name: 'event_id', data: rows.map((r) => r.event_id) },
      { name: 'event_type', data: rows.map((r) => r.event_type) },
      { name: 'event_time', data: rows.map((r) => r.event_time) },
      { name: 'user_id', data: rows.map((r) => r.user_id) },
      { name: 'value', data: rows.map((r) => r.value) },
      { name: 'attributes', data: rows.map((r) => r.attributes) },
      { name: 'received_at', data: rows.map((r) => r.received_at) },
    ],
  });
  return new Uint8Array(buffer);
}
