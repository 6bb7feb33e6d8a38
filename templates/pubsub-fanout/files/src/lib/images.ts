import exifr from 'exifr';
import { Jimp } from 'jimp';
import { OUTPUT_EXTENSION, OUTPUT_MIME, type OutputFormat } from './image-types.js';

/** JPEG quality of the resized copy and the thumbnail (jimp's scale, 0-100). */
const JPEG_QUALITY = 82;

export interface EncodedImage {
  body: Buffer;
  contentType: string;
  width: number;
  height: number;
}

type Image = Awaited<ReturnType<typeof Jimp.read>>;

/** Decodes an upload; jimp applies the EXIF orientation, so width and height are as displayed. */
export async function decode(source: Buffer): Promise<Image> {
  return Jimp.read(source);
}

async function encode(image: Image, format: OutputFormat): Promise<EncodedImage> {
  const body = format === 'jpeg' ? await image.getBuffer('image/jpeg', { quality: JPEG_QUALITY }) : await image.getBuffer('image/png');
  return { body, contentType: OUTPUT_MIME[format], width: image.bitmap.width, height: image.bitmap.height };
}

/** A web-sized copy `width` pixels wide, keeping the aspect ratio; a narrower image keeps its size. */
export async function resizeImage(source: Buffer, width: number, format: OutputFormat): Promise<EncodedImage> {
  const image = await decode(source);
  if (image.bitmap.width > width) image.resize({ w: width });
  return encode(image, format);
}

/** A square `size` × `size` thumbnail: scaled to cover the square, then centre-cropped. */
export async function thumbnailImage(source: Buffer, size: number, format: OutputFormat): Promise<EncodedImage> {
  const image = await decode(source);
  image.cover({ w: size, h: size });
  return encode(image, format);
}

/** EXIF tags that locate where a photo was taken. */
const LOCATION_TAG = /^GPS/;

export interface ImageMetadata {
  /** The decoded format, from the bytes (not the file name). */
  mime: string;
  /** As displayed, after the EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation (1-8), 1 when the image has none. */
  orientation: number;
  /** The EXIF (TIFF, Exif and GPS) tags, raw values; without the GPS tags unless `includeLocation`. */
  exif: Record<string, unknown>;
  /** Decimal degrees, only when `includeLocation` and the photo has GPS tags. */
  location?: { latitude: number; longitude: number };
}

/**
 * Dimensions, format and EXIF of an upload. Values are kept raw (orientation 6, not "Rotate 90
 * CW"; dates as the camera wrote them, "2024:05:17 10:30:00", since EXIF has no time zone).
 * Location tags are left out unless `includeLocation`: GPS coordinates in a photo are personal data.
 */
export async function describeImage(source: Buffer, { includeLocation }: { includeLocation: boolean }): Promise<ImageMetadata> {
  const image = await decode(source);
  const tags = ((await exifr.parse(source, { tiff: true, exif: true, gps: true, translateValues: false, reviveValues: false }).catch(() => undefined)) ??
    {}) as Record<string, unknown>;
  const exif = Object.fromEntries(
    Object.entries(tags).filter(([name, value]) => isJsonValue(value) && name !== 'latitude' && name !== 'longitude' && (includeLocation || !LOCATION_TAG.test(name))),
  );
  const { latitude, longitude } = tags;
  return {
    mime: image.mime ?? 'application/octet-stream',
    width: image.bitmap.width,
    height: image.bitmap.height,
    orientation: typeof tags.Orientation === 'number' ? tags.Orientation : 1,
    exif,
    ...(includeLocation && typeof latitude === 'number' && typeof longitude === 'number' ? { location: { latitude, longitude } } : {}),
  };
}

/** Binary tags (maker notes, thumbnails) are dropped: they are not useful as JSON. */
function isJsonValue(value: unknown): boolean {
  return !(value instanceof Uint8Array) && !(value instanceof ArrayBuffer);
}

/** Where each job writes its result for `key`: under its own prefix, the source key kept whole, so two sources never share a result. */
export const resultKeys = {
  resized: (key: string, format: OutputFormat) => `resized/${key}.${OUTPUT_EXTENSION[format]}`,
  thumbnail: (key: string, format: OutputFormat) => `thumbnails/${key}.${OUTPUT_EXTENSION[format]}`,
  metadata: (key: string) => `metadata/${key}.json`,
};
