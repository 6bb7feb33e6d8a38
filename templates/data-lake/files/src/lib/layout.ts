/**
 * Where the data lives: the one place that decides the object keys the functions write and the
 * partition projection the Glue tables declare (infra/constructs/catalog.ts), so the two cannot
 * drift apart. test/layout.test.ts proves that what Athena projects is what the functions write.
 */

/** The table's folder in the raw and in the curated zone. */
export const TABLE_PREFIX = 'events/';

/** The partition column: the event's own date, in UTC. */
export const PARTITION_COLUMN = 'dt';

/**
 * How the partition value is written, as a Java DateTimeFormatter pattern
 * (`projection.dt.format`) and as what partitionOf() produces: `2026-11-26`.
 */
export const PARTITION_FORMAT = 'yyyy-MM-dd';

/**
 * The first date the tables project. Athena's date projection lists every day from here to the end
 * of the range for a query without a `dt` predicate, so it starts where the data can start: the
 * ingestion function refuses events older than this (they would be stored where no query looks).
 * Move it back before you backfill older data.
 */
export const EARLIEST_PARTITION = '2020-01-01';

/**
 * The end of the projected range, evaluated by Athena at query time in UTC. One day past NOW, so
 * an event from a clock a few minutes fast, just before midnight UTC, is visible at once rather
 * than after midnight.
 */
export const PROJECTION_RANGE_END = 'NOW+1DAYS';

/** How far in the future (by the function's clock) an event's time may be: clock skew, not data. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Curated objects, by format: Parquet, or gzip-compressed JSON Lines (Athena picks the codec by the `.gz` extension). */
export type CuratedFormat = 'parquet' | 'jsonl-gzip';
export const CURATED_EXTENSION: Record<CuratedFormat, string> = { parquet: '.parquet', 'jsonl-gzip': '.jsonl.gz' };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The partition an instant belongs to: its UTC date as `yyyy-MM-dd`. */
export function partitionOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The folder of one partition: `events/dt=2026-11-26/`. */
export function partitionPrefix(dt: string): string {
  if (!DATE.test(dt)) throw new Error(`Not a partition date: ${dt}`);
  return `${TABLE_PREFIX}${PARTITION_COLUMN}=${dt}/`;
}

/** A raw object: `events/dt=2026-11-26/<batch id>.jsonl`, the batch id a hash of its events. */
export function rawKey(dt: string, batchId: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(batchId)) throw new Error(`Not a batch id: ${batchId}`);
  return `${partitionPrefix(dt)}${batchId}.jsonl`;
}

const RAW_KEY = /^events\/dt=(\d{4}-\d{2}-\d{2})\/([0-9a-f]{16,64})\.jsonl$/;

/** The partition and batch of a raw key, or undefined for a key the ingestion function does not write. */
export function parseRawKey(key: string): { dt: string; batchId: string } | undefined {
  const match = RAW_KEY.exec(key);
  return match ? { dt: match[1]!, batchId: match[2]! } : undefined;
}

/**
 * The curated object of a raw object: the same partition and name, another extension. One raw
 * object always gives the same curated key, so a redelivered S3 event overwrites the curated copy
 * instead of adding a second one (and a second copy of every row to every query).
 */
export function curatedKey(raw: string, format: CuratedFormat): string {
  const parsed = parseRawKey(raw);
  if (!parsed) throw new Error(`Not a raw object key: ${raw}`);
  return `${partitionPrefix(parsed.dt)}${parsed.batchId}${CURATED_EXTENSION[format]}`;
}

/** `storage.location.template` of a table in `bucket`: one placeholder, ending in "/". */
export function locationTemplate(bucket: string): string {
  return `s3://${bucket}/${TABLE_PREFIX}${PARTITION_COLUMN}=\${${PARTITION_COLUMN}}/`;
}
