import { sqsImageHandler } from '../lib/consumer.js';
import { includeLocation } from '../lib/flag-client.js';
import { describeImage, resultKeys } from '../lib/images.js';
import { requiredEnv, writeResult } from '../lib/storage.js';

const outputBucket = requiredEnv('OUTPUT_BUCKET');

/**
 * Metadata subscriber: dimensions, format and EXIF of each uploaded image as JSON, in
 * metadata/<key>.json. The sample flag, metadata-include-location, decides whether the GPS
 * location stays in it.
 */
export const handler = sqsImageHandler({
  name: 'metadata',
  async run(object, source) {
    const metadata = await describeImage(source, { includeLocation: await includeLocation(object) });
    const document = {
      source: { bucket: object.bucket, key: object.key, eTag: object.eTag, size: object.size, ...(object.versionId ? { versionId: object.versionId } : {}) },
      ...metadata,
    };
    const key = resultKeys.metadata(object.key);
    await writeResult(outputBucket, key, `${JSON.stringify(document, null, 2)}\n`, 'application/json', object);
    return key;
  },
});
