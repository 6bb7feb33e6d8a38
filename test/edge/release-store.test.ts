import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { localReleaseStore } from '../../src/edge/release-store.js';
import { s3ReleaseStore } from '../../src/edge/s3-release-store.js';
import { emptyReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { tempDir } from '../helpers/cli.js';
import { running, withReleases } from './fixtures.js';

const s3 = mockClient(S3Client);
let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
  s3.reset();
});
afterEach(() => scratch.cleanup());

// The part of the SDK's streaming body the store uses.
const body = (text: string) => ({ transformToString: async () => text }) as never;
const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

describe('the local release store', () => {
  it('creates, reads and replaces the document conditionally', async () => {
    const store = localReleaseStore(scratch.path);
    expect(await store.read()).toBeUndefined();
    const { etag } = await store.write(withReleases('local'), null);
    const read = await store.read();
    expect(read).toEqual({ document: withReleases('local'), etag });
    await store.write({ ...withReleases('local'), revision: 9 }, etag);
    expect(JSON.parse(await readFile(join(scratch.path, '.sprout', 'local', 'release.json'), 'utf8')).revision).toBe(9);
  });

  it('refuses a write based on a stale read (exit 4) and leaves the document alone', async () => {
    const store = localReleaseStore(scratch.path);
    const { etag } = await store.write(withReleases('local'), null);
    await store.write({ ...withReleases('local'), revision: 5 }, etag);
    await expect(store.write({ ...withReleases('local'), revision: 6 }, etag)).rejects.toMatchObject({ code: 'RELEASE_DOCUMENT_CHANGED', exitCode: 4 });
    await expect(store.write(withReleases('local'), null)).rejects.toMatchObject({ exitCode: 4 });
    expect((await store.read())?.document.revision).toBe(5);
  });

  it('lets exactly one of many concurrent writers win; the others get exit 4', async () => {
    const store = localReleaseStore(scratch.path);
    const { etag } = await store.write(withReleases('local'), null);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => localReleaseStore(scratch.path).write({ ...withReleases('local'), revision: 100 + i }, etag)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.exitCode)).toEqual(Array(7).fill(4));
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await store.read())?.document.revision).toBe(100 + winner);
  });

  it('reports a hand-broken document as a precondition error (exit 3)', async () => {
    await mkdir(join(scratch.path, '.sprout', 'local'), { recursive: true });
    await writeFile(join(scratch.path, '.sprout', 'local', 'release.json'), '{"schema":1}');
    await expect(localReleaseStore(scratch.path).read()).rejects.toMatchObject({ code: 'RELEASE_DOCUMENT_INVALID', exitCode: 3 });
  });

  it('never writes a document the router would reject', async () => {
    await expect(localReleaseStore(scratch.path).write({ ...emptyReleaseDocument('local'), stable: 'r-cccccccccccc' }, null)).rejects.toThrow(/refusing to write an invalid release document/);
  });
});

describe('the S3 release store', () => {
  const location = { bucket: 'sprout-releases-abc', key: 'release.json' };

  it('reads the document and its ETag; a missing key is no document yet', async () => {
    s3.on(GetObjectCommand).resolvesOnce({ Body: body(JSON.stringify(running())), ETag: '"e1"' }).rejectsOnce(s3Error('NoSuchKey', 404));
    const store = s3ReleaseStore(location, new S3Client({ region: 'us-east-1' }));
    expect(await store.read()).toEqual({ document: running(), etag: '"e1"' });
    expect(await store.read()).toBeUndefined();
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'sprout-releases-abc', Key: 'release.json' });
  });

  it('names the expected bucket owner on every call when given one', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(running())), ETag: '"e1"' });
    s3.on(PutObjectCommand).resolves({ ETag: '"e2"' });
    const store = s3ReleaseStore({ ...location, expectedOwner: '111111111111' }, new S3Client({ region: 'us-east-1' }));
    await store.write(running(), (await store.read())!.etag);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { ExpectedBucketOwner: '111111111111' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { ExpectedBucketOwner: '111111111111', IfMatch: '"e1"' });
  });

  it('creates with If-None-Match: * and replaces with If-Match: <ETag>', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e2"' });
    const store = s3ReleaseStore(location, new S3Client({ region: 'us-east-1' }));
    expect(await store.write(withReleases(), null)).toEqual({ etag: '"e2"' });
    await store.write(running(), '"e2"');
    const calls = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ Bucket: 'sprout-releases-abc', Key: 'release.json', IfNoneMatch: '*', ContentType: 'application/json', CacheControl: 'no-store' });
    expect(calls[0]).not.toHaveProperty('IfMatch');
    expect(calls[1]).toMatchObject({ IfMatch: '"e2"' });
    expect(calls[1]).not.toHaveProperty('IfNoneMatch');
    expect(JSON.parse(calls[1]!.Body as string)).toEqual(running());
  });

  it.each([
    ['PreconditionFailed', 412],
    ['ConditionalRequestConflict', 409],
  ])('turns %s into a conflict (exit 4)', async (name, status) => {
    s3.on(PutObjectCommand).rejects(s3Error(name, status));
    await expect(s3ReleaseStore(location, new S3Client({ region: 'us-east-1' })).write(running(), '"old"')).rejects.toMatchObject({ code: 'RELEASE_DOCUMENT_CHANGED', exitCode: 4 });
  });

  it('of two writers holding the same ETag, exactly one wins', async () => {
    // S3 semantics: the first If-Match with the current ETag succeeds and changes the ETag; the second fails with 412.
    let current = '"e1"';
    s3.on(PutObjectCommand).callsFake((input: { IfMatch?: string }) => {
      if (input.IfMatch !== current) throw s3Error('PreconditionFailed', 412);
      current = `"e${Number(current.slice(2, -1)) + 1}"`;
      return { ETag: current };
    });
    const client = new S3Client({ region: 'us-east-1' });
    const results = await Promise.allSettled([s3ReleaseStore(location, client).write(running(), '"e1"'), s3ReleaseStore(location, client).write(withReleases(), '"e1"')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.exitCode).toBe(4);
  });

  it('says to deploy when the bucket does not exist (exit 3)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    await expect(s3ReleaseStore(location, new S3Client({ region: 'us-east-1' })).read()).rejects.toMatchObject({ code: 'RELEASE_BUCKET_MISSING', exitCode: 3 });
  });
});
