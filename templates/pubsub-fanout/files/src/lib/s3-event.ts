import type { S3Event, S3EventRecord, SNSMessage } from 'aws-lambda';

/** One object that S3 reported as created, with its key decoded. */
export interface CreatedObject {
  bucket: string;
  /** The object key as stored (S3 events URL-encode it, with spaces as '+'). */
  key: string;
  /** The ETag of the version the event is about, without quotes. */
  eTag: string;
  size: number;
  /** Only on versioned buckets. */
  versionId?: string;
  eventName: string;
}

/** What one SQS message of this pipeline carries. */
export type Notification =
  /** Sent once by S3 when the notification configuration is written (`s3:TestEvent`). */
  | { kind: 'test'; bucket: string }
  | { kind: 'objects'; objects: CreatedObject[] };

/**
 * S3 event notifications URL-encode the object key the way HTML forms do: `red flower.jpg`
 * arrives as `red+flower.jpg`, `(` as `%28`. A literal '+' in a key arrives as `%2B`, so the
 * '+' → ' ' replacement must come before percent-decoding.
 */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses the body of one SQS message: the S3 event itself (the subscriptions use raw message
 * delivery) or, should raw delivery be turned off, the SNS envelope around it. Throws on anything
 * else, so the message is retried and ends in the dead-letter queue for someone to look at.
 */
export function parseNotification(body: string): Notification {
  let parsed: unknown = JSON.parse(body);
  if (isObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    parsed = JSON.parse((parsed as unknown as SNSMessage).Message);
  }
  if (isObject(parsed) && parsed.Event === 's3:TestEvent') {
    return { kind: 'test', bucket: String(parsed.Bucket ?? '') };
  }
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    throw new Error('The message is neither an S3 event notification nor an S3 test event');
  }
  const objects = (parsed as unknown as S3Event).Records.filter((record) => record.eventName?.startsWith('ObjectCreated:')).map(toCreatedObject);
  return { kind: 'objects', objects };
}

function toCreatedObject(record: S3EventRecord): CreatedObject {
  const { bucket, object } = record.s3;
  return {
    bucket: bucket.name,
    key: decodeS3Key(object.key),
    eTag: object.eTag,
    size: object.size,
    ...(object.versionId ? { versionId: object.versionId } : {}),
    eventName: record.eventName,
  };
}
