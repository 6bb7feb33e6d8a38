import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { outputsFile } from '../../src/deploy/outputs.js';
import type { DeployTarget } from '../../src/deploy/plan.js';
import { stableReleaseContext } from '../../src/edge/deploy-context.js';
import { tempDir } from '../helpers/cli.js';
import { B, running } from './fixtures.js';

const s3 = mockClient(S3Client);
let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
  s3.reset();
});
afterEach(() => scratch.cleanup());

const target = { name: 'shop', stage: 'dev', region: 'eu-west-1', account: '111111111111' } as DeployTarget;
const credentials = async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' });

async function outputs(values: Record<string, string>) {
  await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
  await writeFile(outputsFile(scratch.path, 'dev'), JSON.stringify({ stage: 'dev', updatedAt: 'x', services: { shop: { account: '1', region: 'eu-west-1', deployedAt: 'x', stacks: { 'shop-dev': values } } } }));
}

describe('stableReleaseContext', () => {
  it('passes the stable release of the document the last deploy recorded', async () => {
    await outputs({ ReleaseBucketName: 'rel-bucket', ReleaseDocumentKey: 'release.json', ReleaseBucketRegion: 'us-east-1' });
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify({ ...running(), stable: B, rollout: null }) } as never, ETag: '"1"' });
    expect(await stableReleaseContext(scratch.path, target, credentials, () => {})).toEqual({ 'sprout:stableRelease': B });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'rel-bucket', Key: 'release.json', ExpectedBucketOwner: '111111111111' });
  });

  it('adds nothing on a first deploy, for an app without a router, or when the document is missing', async () => {
    expect(await stableReleaseContext(scratch.path, target, credentials, () => {})).toEqual({});
    await outputs({ SiteBucketName: 'site' });
    expect(await stableReleaseContext(scratch.path, target, credentials, () => {})).toEqual({});
    await outputs({ ReleaseBucketName: 'rel-bucket' });
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    expect(await stableReleaseContext(scratch.path, target, credentials, () => {})).toEqual({});
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1);
  });

  it('warns and deploys on when the document cannot be read', async () => {
    await outputs({ ReleaseBucketName: 'rel-bucket' });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const warnings: string[] = [];
    expect(await stableReleaseContext(scratch.path, target, credentials, (m) => warnings.push(m))).toEqual({});
    expect(warnings).toEqual([expect.stringContaining('Could not read the release document of shop (Access Denied)')]);
  });
});
