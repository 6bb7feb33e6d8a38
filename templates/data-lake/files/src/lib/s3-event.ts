import type { S3EventRecord } from 'aws-lambda';

/** One object an ObjectCreated notification is about, with its key decoded. */
export interface UploadedObject {
  bucket: string;
  /** The object key as stored in S3 (the event carries it form-URL-encoded). */
  key: string;
  /** The object's ETag without quotes; absent only in unusual events. */
  eTag?: string;
  size?: number;
  /** When S3 finished the upload (ISO 8601). */
  eventTime: string;
  eventName: string;
}

/**
 * The message S3 sends once when a notification configuration is saved, to check the destination:
 * `{ "Service": "Amazon S3", "Event": "s3:TestEvent", "Time", "Bucket", "RequestId", "HostId" }`.
 * It has no Records and nothing to process.
 */
export function isTestEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { Event?: unknown }).Event === 's3:TestEvent';
}

/**
 * S3 writes the key in the event form-URL-encoded: a space becomes `+` and other characters
 * percent-escapes (`reading 1+2.jsonl` arrives as `reading+1%2B2.jsonl`). `+` must become a space
 * before the percent-decoding, or an encoded `%2B` would turn into a space too.
 */
export function decodeKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/** The ObjectCreated records of a notification, decoded; other records are returned apart. */
export function createdObjects(event: unknown): { objects: UploadedObject[]; ignored: Array<{ eventName: string; reason: string }> } {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) throw new Error('Not an S3 event notification: no Records array');
  const objects: UploadedObject[] = [];
  const ignored: Array<{ eventName: string; reason: string }> = [];
  for (const record of records as S3EventRecord[]) {
    const eventName = String(record?.eventName ?? '');
    if (record?.eventSource !== 'aws:s3' || !eventName.startsWith('ObjectCreated:')) {
      ignored.push({ eventName, reason: 'not an ObjectCreated record from S3' });
      continue;
    }
    const { bucket, object } = record.s3;
    objects.push({
      bucket: bucket.name,
      key: decodeKey(object.key),
      ...(object.eTag ? { eTag: object.eTag.replace(/"/g, '') } : {}),
      ...(typeof object.size === 'number' ? { size: object.size } : {}),
      eventTime: record.eventTime,
      eventName,
    });
  }
  return { objects, ignored };
}
