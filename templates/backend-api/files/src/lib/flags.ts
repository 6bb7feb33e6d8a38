import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by create-item and update-item: stricter rules for item names (not
 * blank, no spaces around it, no control characters). Tightening validation can break clients that
 * send such names today, which is why it goes out behind a flag: to a list of testers, then a
 * percentage of callers, then everyone, and off again in seconds if 400s climb.
 */
export const STRICT_ITEM_NAMES = 'strict-item-names';

/**
 * The flags as the stack writes them, once, when it is created (infra/stacks/items-api-stack.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [STRICT_ITEM_NAMES]: newBooleanFlag(
      STRICT_ITEM_NAMES,
      'Create and update refuse item names that are blank, start or end with spaces, or contain control characters',
    ),
  },
};
