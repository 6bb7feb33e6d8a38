import { readFile } from 'node:fs/promises';

import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { mapConcurrent } from '../core/concurrency.js';
import { type BuiltRelease, cacheControlOf, contentTypeOf, manifestOf, RELEASE_MANIFEST, type ReleaseUploader, releaseKey } from './release-files.js';

/** How many files upload at once. */
const CONCURRENCY = 8;

/**
 * Uploads a release to the site bucket under releases/<id>/. The manifest goes last, so a release
 * whose manifest exists is complete; an interrupted upload is simply redone (same id, same keys).
 */
export function s3ReleaseUploader(bucket: string, s3: S3Client, expectedOwner?: string): ReleaseUploader {
  const owner = expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {};
  return {
    location: `s3://${bucket}/releases/`,
    async uploaded(id) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: releaseKey(id, RELEASE_MANIFEST), ...owner }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    },
    async upload(release: BuiltRelease, progress) {
      let done = 0;
      await mapConcurrent(release.files, CONCURRENCY, async (file) => {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: releaseKey(release.id, file.path),
            Body: await readFile(file.absolutePath),
            ContentType: contentTypeOf(file.path),
            CacheControl: cacheControlOf(file.path),
            ...owner,
          }),
        );
        progress?.(++done, release.files.length);
      });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: releaseKey(release.id, RELEASE_MANIFEST), Body: manifestOf(release), ContentType: 'application/json', ...owner }));
    },
  };
}
