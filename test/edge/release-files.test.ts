import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cacheControlOf, contentTypeOf, localReleaseUploader, readBuild, RELEASE_MANIFEST } from '../../src/edge/release-files.js';
import { s3ReleaseUploader } from '../../src/edge/s3-release-uploader.js';
import { isReleaseId } from '../../src/runtime/edge-router/release-document.js';
import { tempDir } from '../helpers/cli.js';

const s3 = mockClient(S3Client);
let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
  s3.reset();
});
afterEach(() => scratch.cleanup());

async function site(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch.path, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const FILES = { 'index.html': '<html></html>', 'assets/main-ABC.js': 'console.log(1)', 'assets/main-ABC.css': 'body{}' };

describe('readBuild', () => {
  it('derives the id from paths and contents: same files, same id; any change, another id', async () => {
    const one = await readBuild(await site('one', FILES));
    const two = await readBuild(await site('two', { ...FILES, '.DS_Store': 'ignored' }));
    const changed = await readBuild(await site('three', { ...FILES, 'index.html': '<html> </html>' }));
    const renamed = await readBuild(await site('four', { 'index.html': FILES['index.html'], 'assets/main-ABD.js': FILES['assets/main-ABC.js'], 'assets/main-ABC.css': FILES['assets/main-ABC.css'] }));
    expect(isReleaseId(one.id)).toBe(true);
    expect(two.id).toBe(one.id);
    expect(changed.id).not.toBe(one.id);
    expect(renamed.id).not.toBe(one.id);
    expect(one.files.map((f) => f.path)).toEqual(['assets/main-ABC.css', 'assets/main-ABC.js', 'index.html']);
    expect(one.bytes).toBe(Object.values(FILES).join('').length);
  });

  it('says how to build when the folder is missing or empty (exit 3)', async () => {
    await expect(readBuild(join(scratch.path, 'nope'))).rejects.toMatchObject({ code: 'BUILD_NOT_FOUND', exitCode: 3 });
    await mkdir(join(scratch.path, 'empty'));
    await expect(readBuild(join(scratch.path, 'empty'))).rejects.toMatchObject({ code: 'BUILD_EMPTY', exitCode: 3 });
  });

  it('gives hashed assets a year and everything else a short lifetime', () => {
    expect(cacheControlOf('assets/main-ABC.js')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlOf('index.html')).toBe('public, max-age=60');
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('x.WOFF2')).toBe('font/woff2');
    expect(contentTypeOf('blob')).toBe('application/octet-stream');
  });
});

describe('localReleaseUploader', () => {
  it('copies the release whole, with its manifest, under .sprout/local/site/releases/<id>/', async () => {
    const build = await readBuild(await site('one', FILES));
    const uploader = localReleaseUploader(scratch.path);
    expect(await uploader.uploaded(build.id)).toBe(false);
    await uploader.upload(build);
    const target = join(scratch.path, '.sprout', 'local', 'site', 'releases', build.id);
    expect(await readFile(join(target, 'assets', 'main-ABC.js'), 'utf8')).toBe('console.log(1)');
    expect(JSON.parse(await readFile(join(target, RELEASE_MANIFEST), 'utf8')).files).toHaveLength(3);
    expect(await uploader.uploaded(build.id)).toBe(true);
    expect((await readdir(join(scratch.path, '.sprout', 'local', 'site', 'releases'))).filter((n) => n.includes('tmp'))).toEqual([]);
  });
});

describe('s3ReleaseUploader', () => {
  it('puts every file under releases/<id>/ with its type and cache lifetime, and the manifest last', async () => {
    s3.on(PutObjectCommand).resolves({});
    const build = await readBuild(await site('one', FILES));
    await s3ReleaseUploader('site-bucket', new S3Client({ region: 'eu-west-1' })).upload(build);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(4);
    expect(puts.at(-1)).toMatchObject({ Bucket: 'site-bucket', Key: `releases/${build.id}/${RELEASE_MANIFEST}`, ContentType: 'application/json' });
    expect(puts).toContainEqual(expect.objectContaining({ Bucket: 'site-bucket', Key: `releases/${build.id}/assets/main-ABC.js`, ContentType: 'text/javascript; charset=utf-8', CacheControl: 'public, max-age=31536000, immutable' }));
    expect(puts).toContainEqual(expect.objectContaining({ Key: `releases/${build.id}/index.html`, ContentType: 'text/html; charset=utf-8', CacheControl: 'public, max-age=60' }));
  });

  it('knows a finished upload by its manifest', async () => {
    s3.on(HeadObjectCommand, { Key: `releases/r-aaaaaaaaaaaa/${RELEASE_MANIFEST}` }).resolves({});
    s3.on(HeadObjectCommand, { Key: `releases/r-bbbbbbbbbbbb/${RELEASE_MANIFEST}` }).rejects(new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    const uploader = s3ReleaseUploader('site-bucket', new S3Client({ region: 'eu-west-1' }));
    expect(await uploader.uploaded('r-aaaaaaaaaaaa')).toBe(true);
    expect(await uploader.uploaded('r-bbbbbbbbbbbb')).toBe(false);
  });
});
