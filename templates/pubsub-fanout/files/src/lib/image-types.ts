/**
 * The uploads this project processes, by file name suffix: the formats jimp decodes (JPEG, PNG,
 * GIF, BMP, TIFF). One list for both places that decide: the SNS subscription filter policies
 * (infra/constructs/image-fanout.ts), which keep other uploads out of the queues, and the
 * handlers, which skip anything else that still arrives (a filter policy change takes up to
 * 15 minutes to apply, and a subscription without a filter receives everything).
 */
export const IMAGE_SUFFIXES = ['.jpg', '.jpeg', '.png', '.gif', '.bmp', '.tif', '.tiff'] as const;

/** Output formats of the resized copy and the thumbnail (jimp's encoders, no native code). */
export const OUTPUT_FORMATS = ['jpeg', 'png'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const OUTPUT_MIME: Record<OutputFormat, 'image/jpeg' | 'image/png'> = { jpeg: 'image/jpeg', png: 'image/png' };
export const OUTPUT_EXTENSION: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png' };

/**
 * The suffixes as the SNS filter policy lists them. SNS string matching is case-sensitive, so
 * each suffix is listed in lower and upper case (`photo.JPG` from a camera is common).
 */
export function filterPolicySuffixes(): string[] {
  return IMAGE_SUFFIXES.flatMap((suffix) => [suffix, suffix.toUpperCase()]);
}

/** Whether the handlers process this object key (case-insensitive suffix). */
export function isImageKey(key: string): boolean {
  const lower = key.toLowerCase();
  return IMAGE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}
