import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { PreconditionError } from '../core/errors.js';
import { parseReleaseDocument } from '../runtime/edge-router/release-document.js';
import { conflict, invalidDocument, type ReleaseStore, serialize } from './release-store.js';

export interface S3ReleaseLocation {
  bucket: string;
  key: string;
  /** The account that must own the bucket: its name is predictable, so a bucket someone else created first is refused. */
  expectedOwner?: string;
}

/**
 * The release document in S3 (the us-east-1 bucket the web templates create). Writes use S3
 * conditional writes: `If-Match: <ETag read>` to replace, `If-None-Match: *` to create. S3 answers
 * 412 PreconditionFailed when the object changed, and 409 ConditionalRequestConflict when another
 * conditional write to the key is in flight; both mean someone else won, and nothing was written.
 */
export function s3ReleaseStore(location: S3ReleaseLocation, s3: S3Client): ReleaseStore {
  const where = `s3://${location.bucket}/${location.key}`;
  return {
    location: where,
    async read() {
      let body: string;
      let etag: string;
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...owner(location) }));
        body = (await object.Body?.transformToString('utf8')) ?? '';
        etag = object.ETag ?? '';
      } catch (error) {
        if (isNamed(error, 'NoSuchKey')) return undefined;
        if (isNamed(error, 'NoSuchBucket')) throw notDeployed(location.bucket, error);
        throw error;
      }
      try {
        return { document: parseReleaseDocument(body), etag };
      } catch (error) {
        throw invalidDocument(where, error);
      }
    },
    async write(document, expected) {
      try {
        const result = await s3.send(
          new PutObjectCommand({
            Bucket: location.bucket,
            Key: location.key,
            Body: serialize(document),
            ContentType: 'application/json',
            CacheControl: 'no-store',
            ...(expected === null ? { IfNoneMatch: '*' } : { IfMatch: expected }),
            ...owner(location),
          }),
        );
        return { etag: result.ETag ?? '' };
      } catch (error) {
        if (isNamed(error, 'PreconditionFailed') || isNamed(error, 'ConditionalRequestConflict') || status(error) === 412 || status(error) === 409) throw conflict(where);
        if (isNamed(error, 'NoSuchBucket')) throw notDeployed(location.bucket, error);
        throw error;
      }
    },
  };
}

function owner(location: S3ReleaseLocation): { ExpectedBucketOwner?: string } {
  return location.expectedOwner ? { ExpectedBucketOwner: location.expectedOwner } : {};
}

function notDeployed(bucket: string, cause: unknown): PreconditionError {
  return new PreconditionError('RELEASE_BUCKET_MISSING', `The release bucket ${bucket} does not exist.`, {
    suggestions: ['Deploy the stage first: sprout deploy --stage <stage>.'],
    cause,
  });
}

function isNamed(error: unknown, name: string): boolean {
  return (error as { name?: string } | undefined)?.name === name;
}

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
