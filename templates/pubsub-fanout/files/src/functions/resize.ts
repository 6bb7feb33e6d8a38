import { sqsImageHandler } from '../lib/consumer.js';
import { resizeImage, resultKeys } from '../lib/images.js';
import { integerEnv, outputFormatEnv } from '../lib/settings.js';
import { requiredEnv, writeResult } from '../lib/storage.js';

const outputBucket = requiredEnv('OUTPUT_BUCKET');
const width = integerEnv('RESIZE_WIDTH', 16, 8192);
const format = outputFormatEnv();

/** Resize subscriber: a web-sized copy of each uploaded image, in resized/<key>.<ext>. */
export const handler = sqsImageHandler({
  name: 'resize',
  async run(object, source) {
    const image = await resizeImage(source, width, format);
    const key = resultKeys.resized(object.key, format);
    await writeResult(outputBucket, key, image.body, image.contentType, object);
    return key;
  },
});
