import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tracer } from './powertools.js';
import type { CreatedObject } from './s3-event.js';

// The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_S3 in the tests, which
// point it at s3rver); an emulator on 127.0.0.1 has no bucket subdomains, so path-style addressing
// is used whenever such an endpoint is set. In Lambda neither is set: the regional endpoint, virtual-hosted.
export const s3 = tracer.captureAWSv3Client(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));

/** Reads a required environment variable, failing at cold start rather than on first use. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

const unquote = (eTag: string | undefined) => (eTag ?? '').replace(/^"|"$/g, '');

/** Why a source object was not read. */
export type SkipReason = 'deleted' | 'superseded';

/**
 * The bytes of the object version the event is about, or why there is nothing to do:
 * - `deleted`: the key no longer exists (uploaded and removed before this message was handled);
 * - `superseded`: the key now holds a newer upload (another ETag), whose own event produces the
 *   result; processing this older event would overwrite the newer result with a stale one.
 * On a versioned bucket the event's version is read, which never changes.
 */
export async function readSource(object: CreatedObject): Promise<{ body: Buffer; contentType?: string } | { skipped: SkipReason }> {
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...(object.versionId ? { VersionId: object.versionId } : {}) }),
    );
    if (!object.versionId && unquote(response.ETag) !== unquote(object.eTag)) return { skipped: 'superseded' };
    const body = Buffer.from(await response.Body!.transformToByteArray());
    return { body, ...(response.ContentType ? { contentType: response.ContentType } : {}) };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return { skipped: 'deleted' };
    throw error;
  }
}

/**
 * Writes one result. The key is derived from the source key only, so a redelivered message (SQS
 * delivers at least once) overwrites the same object instead of adding a second one; the source
 * ETag in the object's metadata says which upload it was made from.
 */
export async function writeResult(bucket: string, key: string, body: Buffer | string, contentType: string, source: CreatedObject): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      Metadata: { 'source-etag': unquote(source.eTag) },
    }),
  );
}
