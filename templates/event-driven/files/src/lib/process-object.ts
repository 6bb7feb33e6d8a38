import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectTooLargeError, splitLines } from './lines.js';
import { BatchTally, type BatchCounts, CLOCK_SKEW_LIMITS, type ClockSkewCheck, parseReading } from './readings.js';
import type { UploadedObject } from './s3-event.js';
import { MAX_LINE_BYTES, MAX_OBJECT_BYTES, READINGS_PREFIX, SUMMARIES_PREFIX } from './settings.js';

export { ObjectTooLargeError };

/** S3 refuses keys longer than 1,024 bytes (UTF-8). */
const MAX_KEY_BYTES = 1024;

export interface ProcessDependencies {
  s3: S3Client;
  outputBucket: string;
  inputPrefix: string;
  inputSuffix: string;
  /** The sample flag for this object's key. */
  dropClockSkew: (key: string) => Promise<boolean>;
  now?: () => Date;
}

export type Outcome =
  | { status: 'processed'; key: string; eTag: string; readingsKey: string; summaryKey: string; counts: BatchCounts }
  /** The result for this key and ETag exists: found before the work, or written meanwhile by a concurrent delivery. */
  | { status: 'duplicate'; key: string; eTag: string; summaryKey: string; detectedBy: 'head-object' | 'conditional-put' }
  /** The object was overwritten after this event: the newer upload has its own event. */
  | { status: 'superseded'; key: string; eTag: string }
  /** The object was deleted before it could be read. */
  | { status: 'gone'; key: string }
  /** Outside the prefix and suffix this function processes (the notification filter should prevent it). */
  | { status: 'ignored'; key: string; reason: string };

/** What the summary object holds: where the batch came from, what came out, and the counts. */
export interface Summary extends BatchCounts {
  source: { bucket: string; key: string; eTag: string; size: number; uploadedAt: string };
  readings: { bucket: string; key: string };
  checks: { dropClockSkew: boolean };
  processedAt: string;
}

/**
 * Where the result of one version of one input object goes: the input key and its ETag. A
 * re-delivered event finds its result there; a new upload under the same key has a new ETag
 * (different content) and gets its own result next to the old one.
 */
export function resultKeys(key: string, eTag: string): { readingsKey: string; summaryKey: string } {
  const keys = { readingsKey: `${READINGS_PREFIX}${key}/${eTag}.jsonl`, summaryKey: `${SUMMARIES_PREFIX}${key}/${eTag}.json` };
  if (Buffer.byteLength(keys.readingsKey) > MAX_KEY_BYTES || Buffer.byteLength(keys.summaryKey) > MAX_KEY_BYTES) {
    throw new Error(`The result keys for "${key}" would be longer than S3's ${MAX_KEY_BYTES} bytes: shorten the input key`);
  }
  return keys;
}

const status = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * Processes one uploaded object, at most once per key and ETag:
 * 1. HeadObject on the summary: when it exists this version was done already (a re-delivered
 *    event, or a retry after a later step failed) and nothing is read or written.
 * 2. GetObject with If-Match on the event's ETag, streamed line by line: an object overwritten
 *    since the event is left to the newer event instead of being stored under the old ETag.
 * 3. PutObject of the normalized readings (deterministic for a given object and flag value, so a
 *    retry that rewrites them writes the same thing).
 * 4. PutObject of the summary with If-None-Match: *, last: it marks the work done, and of two
 *    deliveries racing past step 1 only one creates it; the other gets 412 and reports a duplicate.
 */
export async function processObject(object: UploadedObject, deps: ProcessDependencies): Promise<Outcome> {
  const { key, bucket } = object;
  if (!key.startsWith(deps.inputPrefix) || !key.endsWith(deps.inputSuffix)) {
    return { status: 'ignored', key, reason: `outside ${deps.inputPrefix}*${deps.inputSuffix}` };
  }
  if (object.size !== undefined && object.size > MAX_OBJECT_BYTES) {
    // Failing (rather than skipping) sends the event to the failed-events queue once Lambda's
    // retries are spent: someone has to decide what to do with it. Nothing was downloaded.
    throw new ObjectTooLargeError(`s3://${bucket}/${key} is ${object.size} bytes; this function processes objects up to ${MAX_OBJECT_BYTES} bytes`);
  }

  let eTag = object.eTag;
  if (!eTag) {
    try {
      eTag = (await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag?.replace(/"/g, '');
    } catch (error) {
      if (status(error) === 404) return { status: 'gone', key };
      throw error;
    }
    if (!eTag) throw new Error(`s3://${bucket}/${key} has no ETag`);
  }
  const { readingsKey, summaryKey } = resultKeys(key, eTag);

  if (await exists(deps.s3, deps.outputBucket, summaryKey)) return { status: 'duplicate', key, eTag, summaryKey, detectedBy: 'head-object' };

  let body: AsyncIterable<Uint8Array>;
  try {
    const response = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${eTag}"` }));
    body = (response.Body as AsyncIterable<Uint8Array> | undefined) ?? emptyBody();
  } catch (error) {
    if (status(error) === 412) return { status: 'superseded', key, eTag };
    if (status(error) === 404) return { status: 'gone', key };
    throw error;
  }

  const dropSkewed = await deps.dropClockSkew(key);
  const clockSkew: ClockSkewCheck | undefined = dropSkewed ? { reference: new Date(object.eventTime), ...CLOCK_SKEW_LIMITS } : undefined;
  const tally = new BatchTally();
  const out: string[] = [];
  let size = 0;
  for await (const line of splitLines(countBytes(body, (n) => (size += n)), { maxLineBytes: MAX_LINE_BYTES, maxTotalBytes: MAX_OBJECT_BYTES })) {
    if (line.tooLong) {
      tally.add({ dropped: 'line-too-long' });
      continue;
    }
    if (line.text.trim() === '') continue;
    const parsed = parseReading(line.text, clockSkew);
    tally.add(parsed);
    if ('reading' in parsed) out.push(JSON.stringify(parsed.reading));
  }

  const readings = out.length ? `${out.join('\n')}\n` : '';
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.outputBucket,
      Key: readingsKey,
      Body: readings,
      // Explicit, so an empty result is not mistaken for a stream of unknown length.
      ContentLength: Buffer.byteLength(readings),
      ContentType: 'application/x-ndjson',
      Metadata: { 'source-etag': eTag },
    }),
  );

  const counts = tally.counts();
  const summary: Summary = {
    source: { bucket, key, eTag, size, uploadedAt: object.eventTime },
    readings: { bucket: deps.outputBucket, key: readingsKey },
    ...counts,
    checks: { dropClockSkew: dropSkewed },
    processedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.outputBucket,
        Key: summaryKey,
        Body: `${JSON.stringify(summary, null, 2)}\n`,
        ContentType: 'application/json',
        Metadata: { 'source-etag': eTag },
        // Create-only: S3 answers 412 when the summary exists, and 409 (ConditionalRequestConflict)
        // when another conditional write of it is in flight. A 409 is thrown, so Lambda retries,
        // and the retry finds the summary in step 1.
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    if (status(error) === 412) return { status: 'duplicate', key, eTag, summaryKey, detectedBy: 'conditional-put' };
    throw error;
  }
  return { status: 'processed', key, eTag, readingsKey, summaryKey, counts };
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    // 404 needs s3:ListBucket on the bucket; without it S3 answers 403 for a missing key.
    if (status(error) === 404) return false;
    throw error;
  }
}

async function* countBytes(body: AsyncIterable<Uint8Array>, count: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    count(chunk.byteLength);
    yield chunk;
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
