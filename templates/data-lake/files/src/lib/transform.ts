import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CONTENT_TYPE, encodeCurated } from './curated.js';
import { type EventRecord, fromJsonLine, RawFormatError } from './events.js';
import { type CuratedFormat, curatedKey, parseRawKey, partitionOf } from './layout.js';
import type { UploadedObject } from './s3-event.js';
import { MAX_RAW_OBJECT_BYTES } from './settings.js';

export { RawFormatError };

export interface TransformDependencies {
  s3: S3Client;
  curatedBucket: string;
  format: CuratedFormat;
  /** The sample flag for one event type in one partition. */
  redactUserIds: (eventType: string, dt: string) => Promise<boolean>;
}

export type TransformOutcome =
  | { status: 'transformed'; rawKey: string; curatedKey: string; rows: number; redactedTypes: string[] }
  /** Not a key the ingestion function writes (the notification filter lets only events/*.jsonl through). */
  | { status: 'ignored'; rawKey: string; reason: string }
  /** Deleted before it was read (the raw zone's lifecycle rule, or by hand): nothing left to transform. */
  | { status: 'gone'; rawKey: string };

const status = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** The records of a raw object; a line that is not what the ingestion function writes fails the object, naming the line. */
export function parseRaw(text: string, dt: string): EventRecord[] {
  const records: EventRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const record = fromJsonLine(line, index + 1);
    const belongs = partitionOf(record.event_time);
    if (belongs !== dt) throw new RawFormatError(`line ${index + 1}: event_time ${record.event_time.toISOString()} belongs in dt=${belongs}, not dt=${dt}`);
    records.push(record);
  });
  return records;
}

/**
 * Turns one raw object into its curated copy. The curated key is derived from the raw key alone
 * (same partition, same batch id, the format's extension), and the output is a function of the
 * raw object and the flag, so a redelivered S3 event, a retry and two concurrent deliveries all
 * write the same object to the same key: the last write wins and the curated zone holds each
 * batch once.
 */
export async function transformObject(object: UploadedObject, deps: TransformDependencies): Promise<TransformOutcome> {
  const parsed = parseRawKey(object.key);
  if (!parsed) return { status: 'ignored', rawKey: object.key, reason: 'not events/dt=<yyyy-MM-dd>/<batch id>.jsonl' };
  if (object.size !== undefined && object.size > MAX_RAW_OBJECT_BYTES) {
    throw new Error(`s3://${object.bucket}/${object.key} is ${object.size} bytes; the transform reads raw objects up to ${MAX_RAW_OBJECT_BYTES} bytes`);
  }

  let text: string;
  try {
    const response = await deps.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (status(error) === 404) return { status: 'gone', rawKey: object.key };
    throw error;
  }
  const records = parseRaw(text, parsed.dt);

  const redactedTypes: string[] = [];
  for (const type of [...new Set(records.map((r) => r.event_type))].sort()) {
    if (await deps.redactUserIds(type, parsed.dt)) redactedTypes.push(type);
  }
  const rows = redactedTypes.length === 0 ? records : records.map((r) => (redactedTypes.includes(r.event_type) ? { ...r, user_id: null } : r));

  const key = curatedKey(object.key, deps.format);
  await deps.s3.send(
    new PutObjectCommand({ Bucket: deps.curatedBucket, Key: key, Body: encodeCurated(rows, deps.format), ContentType: CONTENT_TYPE[deps.format] }),
  );
  return { status: 'transformed', rawKey: object.key, curatedKey: key, rows: rows.length, redactedTypes };
}
