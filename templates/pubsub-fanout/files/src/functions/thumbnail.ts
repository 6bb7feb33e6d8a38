import { sqsImageHandler } from '../lib/consumer.js';
import { resultKeys, thumbnailImage } from '../lib/images.js';
import { integerEnv, outputFormatEnv } from '../lib/settings.js';
import { requiredEnv, writeResult } from '../lib/storage.js';

const outputBucket = requiredEnv('OUTPUT_BUCKET');
const size = integerEnv('THUMBNAIL_SIZE', 16, 1024);
const format = outputFormatEnv();

/** Thumbnail subscriber: a square, centre-cropped thumbnail of each uploaded image, in thumbnails/<key>.<ext>. */
export const handler = sqsImageHandler({
  name: 'thumbnail',
  async run(object, source) {
    const image = await thumbnailImage(source, size, format);
    const key = resultKeys.thumbnail(object.key, format);
    await writeResult(outputBucket, key, image.body, image.contentType, object);
    return key;
  },
});
