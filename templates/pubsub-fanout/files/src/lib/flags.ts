import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the metadata function: whether the metadata JSON keeps where a
 * photo was taken (the EXIF GPS tags, and latitude/longitude in decimal degrees). Location is
 * personal data, so it is left out unless the flag is on for the upload: for one prefix
 * (`--rule "prefix equals listings => on"`), a list of keys, a percentage of uploads, or all.
 */
export const INCLUDE_LOCATION = 'metadata-include-location';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/image-fanout.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [INCLUDE_LOCATION]: newBooleanFlag(INCLUDE_LOCATION, 'The metadata JSON keeps the GPS location of photos (EXIF GPS tags and latitude/longitude)'),
  },
};
