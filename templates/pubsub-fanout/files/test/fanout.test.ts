import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext, s3Event, s3TestEvent, snsEnvelope, sqsEvent, sqsRecord, type Upload } from './helpers/events.js';
import { pixel, testImage, withExif } from './helpers/images.js';
import { download, type LocalS3, listKeys, startS3rver, upload, useEmulatorEnvironment } from './helpers/s3rver.js';

// The three real handlers against s3rver: each reads the upload from the input bucket, does the
// image work with jimp/exifr and writes its result to the output bucket. SQS and SNS are not
// emulated: the tests build the SQS events Lambda would pass, with the S3 event as the body (raw
// message delivery), and play redeliveries by passing the same event again.

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const INPUT = 'uploads-test';
const OUTPUT = 'results-test';

let s3: LocalS3;
let resize: Handler;
let thumbnail: Handler;
let metadata: Handler;

beforeAll(async () => {
  s3 = await startS3rver([INPUT, OUTPUT]);
  useEmulatorEnvironment(s3.endpoint, { OUTPUT_BUCKET: OUTPUT, RESIZE_WIDTH: '64', THUMBNAIL_SIZE: '24', OUTPUT_FORMAT: 'jpeg' });
  resize = (await import('../src/functions/resize.js')).handler;
  thumbnail = (await import('../src/functions/thumbnail.js')).handler;
  metadata = (await import('../src/functions/metadata.js')).handler;
});

afterAll(async () => {
  await s3?.stop();
});

/** Uploads `body` under `key` and returns what the S3 event will say about it. */
async function put(key: string, body: Buffer): Promise<Upload> {
  const eTag = await upload(s3.client, INPUT, key, body);
  return { bucket: INPUT, key, eTag, size: body.length };
}

const deliver = (handler: Handler, ...uploads: Upload[]) => handler(sqsEvent(...uploads.map((u) => sqsRecord(s3Event(u)))), lambdaContext());
const outputsUnder = async (prefix: string) => (await listKeys(s3.client, OUTPUT)).filter((key) => key.startsWith(prefix));

describe('resize', () => {
  it('writes a copy resized to RESIZE_WIDTH, keeping the aspect ratio, as JPEG', async () => {
    const source = await put('photos/wide.png', await testImage(200, 100, 'image/png'));
    expect(await deliver(resize, source)).toEqual({ batchItemFailures: [] });

    const result = await download(s3.client, OUTPUT, 'resized/photos/wide.png.jpg');
    expect(result.contentType).toBe('image/jpeg');
    expect(result.metadata).toEqual({ 'source-etag': source.eTag });
    const image = await Jimp.read(result.body);
    expect(image.mime).toBe('image/jpeg');
    expect([image.bitmap.width, image.bitmap.height]).toEqual([64, 32]);
  });

  it('never enlarges an image narrower than RESIZE_WIDTH', async () => {
    const source = await put('photos/small.jpg', await testImage(40, 30));
    await deliver(resize, source);
    const image = await Jimp.read((await download(s3.client, OUTPUT, 'resized/photos/small.jpg.jpg')).body);
    expect([image.bitmap.width, image.bitmap.height]).toEqual([40, 30]);
  });

  it('applies the EXIF orientation: a landscape sensor image marked "rotate 90°" comes out portrait', async () => {
    const jpeg = withExif(await testImage(200, 100), { make: 'Sprout', model: 'Test Camera', orientation: 6, dateTimeOriginal: '2024:05:17 10:30:00' });
    await deliver(resize, await put('photos/rotated.jpg', jpeg));
    const image = await Jimp.read((await download(s3.client, OUTPUT, 'resized/photos/rotated.jpg.jpg')).body);
    expect([image.bitmap.width, image.bitmap.height]).toEqual([64, 128]);
  });
});

describe('thumbnail', () => {
  it('writes a THUMBNAIL_SIZE square, centre-cropped: a wide image loses its sides, not its proportions', async () => {
    // 300 × 100: left half red, right half blue. Covering 24 × 24 scales to 72 × 24 and keeps the middle third.
    const source = await put('photos/banner.png', await testImage(300, 100, 'image/png'));
    expect(await deliver(thumbnail, source)).toEqual({ batchItemFailures: [] });

    const result = await download(s3.client, OUTPUT, 'thumbnails/photos/banner.png.jpg');
    expect(result.contentType).toBe('image/jpeg');
    const image = await Jimp.read(result.body);
    expect([image.bitmap.width, image.bitmap.height]).toEqual([24, 24]);
    // The crop is centred on the red/blue edge: red on the left, blue on the right (JPEG, so roughly).
    const [left, right] = [await pixel(result.body, 2, 12), await pixel(result.body, 21, 12)];
    expect(left >>> 24).toBeGreaterThan(200); // red channel
    expect((right >>> 8) & 0xff).toBeGreaterThan(200); // blue channel
  });
});

describe('metadata', () => {
  it('writes dimensions, format, orientation and EXIF as JSON, without the GPS location while the flag is off', async () => {
    const jpeg = withExif(await testImage(120, 80), {
      make: 'Sprout',
      model: 'Test Camera 1',
      orientation: 1,
      dateTimeOriginal: '2024:05:17 10:30:00',
      gps: { latitude: [48, 51, 24.24], longitude: [2, 17, 40] },
    });
    const source = await put('listings/42/front door.jpg', jpeg);
    expect(await deliver(metadata, source)).toEqual({ batchItemFailures: [] });

    const result = await download(s3.client, OUTPUT, 'metadata/listings/42/front door.jpg.json');
    expect(result.contentType).toBe('application/json');
    expect(JSON.parse(result.body.toString('utf8'))).toEqual({
      source: { bucket: INPUT, key: 'listings/42/front door.jpg', eTag: source.eTag, size: jpeg.length },
      mime: 'image/jpeg',
      width: 120,
      height: 80,
      orientation: 1,
      exif: { Make: 'Sprout', Model: 'Test Camera 1', Orientation: 1, DateTimeOriginal: '2024:05:17 10:30:00' },
    });
  });

  it('describes an image without EXIF', async () => {
    const source = await put('plain.png', await testImage(30, 20, 'image/png'));
    await deliver(metadata, source);
    const document = JSON.parse((await download(s3.client, OUTPUT, 'metadata/plain.png.json')).body.toString('utf8'));
    expect(document).toMatchObject({ mime: 'image/png', width: 30, height: 20, orientation: 1, exif: {} });
  });
});

describe('idempotency: SQS delivers at least once', () => {
  it('the same event delivered twice leaves one result per job, identical, instead of two', async () => {
    const source = await put('twice/cat.jpg', await testImage(160, 120));
    for (const handler of [resize, thumbnail, metadata]) {
      expect(await deliver(handler, source)).toEqual({ batchItemFailures: [] });
    }
    const first = await Promise.all(['resized/twice/cat.jpg.jpg', 'thumbnails/twice/cat.jpg.jpg', 'metadata/twice/cat.jpg.json'].map((key) => download(s3.client, OUTPUT, key)));

    for (const handler of [resize, thumbnail, metadata]) {
      expect(await deliver(handler, source)).toEqual({ batchItemFailures: [] });
    }
    expect(await outputsUnder('resized/twice/')).toEqual(['resized/twice/cat.jpg.jpg']);
    expect(await outputsUnder('thumbnails/twice/')).toEqual(['thumbnails/twice/cat.jpg.jpg']);
    expect(await outputsUnder('metadata/twice/')).toEqual(['metadata/twice/cat.jpg.json']);
    const second = await Promise.all(['resized/twice/cat.jpg.jpg', 'thumbnails/twice/cat.jpg.jpg', 'metadata/twice/cat.jpg.json'].map((key) => download(s3.client, OUTPUT, key)));
    second.forEach((result, i) => {
      expect(result.body.equals(first[i]!.body)).toBe(true);
      expect(result.metadata).toEqual({ 'source-etag': source.eTag });
    });
  });

  it('an event about an older upload of the key is skipped: it never overwrites the newer result', async () => {
    const older = await put('replaced/dog.jpg', await testImage(100, 100));
    const newer = await put('replaced/dog.jpg', await testImage(200, 50));
    expect(newer.eTag).not.toBe(older.eTag);

    await deliver(resize, newer);
    // The older event arrives late (or is redelivered): nothing to do, and no failure either.
    expect(await deliver(resize, older)).toEqual({ batchItemFailures: [] });

    const result = await download(s3.client, OUTPUT, 'resized/replaced/dog.jpg.jpg');
    expect(result.metadata).toEqual({ 'source-etag': newer.eTag });
    const image = await Jimp.read(result.body);
    expect([image.bitmap.width, image.bitmap.height]).toEqual([64, 16]);
  });

  it('an event about an upload deleted since is acknowledged without a result', async () => {
    const source = await put('deleted/gone.jpg', await testImage(50, 50));
    await s3.client.send(new DeleteObjectCommand({ Bucket: INPUT, Key: source.key }));
    expect(await deliver(thumbnail, source)).toEqual({ batchItemFailures: [] });
    expect(await outputsUnder('thumbnails/deleted/')).toEqual([]);
  });
});

describe('what reaches a queue besides images', () => {
  it('decodes the URL-encoded key of the event: spaces arrive as "+", other characters as %XX', async () => {
    const source = await put('odd names/été (1)+copy.jpg', await testImage(80, 40));
    const record = sqsRecord(s3Event(source));
    expect(record.body).toContain('"key":"odd+names/%C3%A9t%C3%A9+(1)%2Bcopy.jpg"');
    expect(await resize(sqsEvent(record), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await outputsUnder('resized/odd names/')).toEqual(['resized/odd names/été (1)+copy.jpg.jpg']);
  });

  it('acknowledges the s3:TestEvent S3 sends when the notification is configured, writing nothing', async () => {
    const before = await listKeys(s3.client, OUTPUT);
    expect(await metadata(sqsEvent(sqsRecord(s3TestEvent(INPUT))), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await listKeys(s3.client, OUTPUT)).toEqual(before);
  });

  it('skips a key that is not an image, should the filter policy let one through', async () => {
    const notes = await put('docs/readme.txt', Buffer.from('not an image'));
    expect(await deliver(resize, notes)).toEqual({ batchItemFailures: [] });
    expect(await outputsUnder('resized/docs/')).toEqual([]);
  });

  it('also reads the SNS envelope, should raw message delivery be turned off', async () => {
    const source = await put('envelope/bird.jpg', await testImage(90, 60));
    expect(await thumbnail(sqsEvent(sqsRecord(snsEnvelope(s3Event(source)))), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await outputsUnder('thumbnails/envelope/')).toEqual(['thumbnails/envelope/bird.jpg.jpg']);
  });
});

describe('partial batch failures', () => {
  it('reports only the failed messages of a batch; the others are done and will be deleted', async () => {
    const good = await put('batch/good.jpg', await testImage(100, 50));
    const corrupt = await put('batch/corrupt.jpg', Buffer.from('this is not a JPEG'));
    const records = [sqsRecord(s3Event(good), 'good-1'), sqsRecord(s3Event(corrupt), 'corrupt-1'), sqsRecord('{not json', 'garbled-1')];

    const response = await resize(sqsEvent(...records), lambdaContext());

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['corrupt-1', 'garbled-1']);
    expect(await outputsUnder('resized/batch/')).toEqual(['resized/batch/good.jpg.jpg']);
  });

  it('fails the whole invocation when every message fails, so Lambda retries the batch', async () => {
    const corrupt = await put('batch/all-bad.png', Buffer.from('not a PNG either'));
    await expect(deliver(metadata, corrupt)).rejects.toThrow(/All records failed processing/);
  });
});
