import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type DevProcess, eventually, project, startDev } from './dev-process.js';

// An upload to the input bucket → S3 notification → SNS topic (body filter policies, raw delivery)
// → three SQS queues → three handlers writing to the output bucket: all in one sprout dev.
describe('sprout dev: pubsub-fanout', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let outputs: Record<string, string>;
  let s3: S3Client;

  beforeAll(async () => {
    app = await project('pubsub-fanout');
    dev = await startDev(app.dir);
    outputs = Object.values(dev.ready.outputs as Record<string, Record<string, string>>)[0]!;
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: (dev.ready.endpoints as { s3: string }).s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }, 300_000);

  afterAll(async () => {
    s3?.destroy();
    await dev?.stop();
    await app?.remove();
  });

  const download = async (key: string): Promise<Buffer | undefined> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: outputs.OutputBucketName, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  it('turns one upload into a resized copy, a thumbnail and a metadata document', async () => {
    const image = new Jimp({ width: 1600, height: 900, color: 0x3366ccff });
    await s3.send(new PutObjectCommand({ Bucket: outputs.InputBucketName, Key: 'photos/wide.png', Body: await image.getBuffer('image/png'), ContentType: 'image/png' }));

    const keys = ['resized/photos/wide.png.jpg', 'thumbnails/photos/wide.png.jpg', 'metadata/photos/wide.png.json'];
    const found = await eventually(
      async () => {
        const objects = await Promise.all(keys.map(download));
        return objects.every(Boolean) ? (objects as Buffer[]) : undefined;
      },
      60_000,
      `all three outputs (${keys.join(', ')})`,
    );
    const resized = await Jimp.read(found[0]!);
    expect(resized.width).toBeLessThan(1600);
    expect(resized.width / resized.height).toBeCloseTo(16 / 9, 1);
    const thumbnail = await Jimp.read(found[1]!);
    expect(thumbnail.width).toBe(thumbnail.height);
    expect(JSON.parse(found[2]!.toString('utf8'))).toMatchObject({ width: 1600, height: 900 });
  });

  it('delivers nothing for a key the filter policies leave out', async () => {
    const invocations = () => dev.logs.filter((line) => line.kind === 'invoke').length;
    const before = invocations();
    await s3.send(new PutObjectCommand({ Bucket: outputs.InputBucketName, Key: 'notes/readme.txt', Body: 'not an image' }));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // No queue got a message, so no handler ran (the three subscriptions filter on image suffixes).
    expect(invocations()).toBe(before);
    expect(await download('metadata/notes/readme.txt.json')).toBeUndefined();
  });
});
