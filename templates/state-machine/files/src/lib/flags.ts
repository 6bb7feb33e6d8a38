import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by price-line (once per order line, in the Map state): 5% off every
 * line of 10 or more units, on top of the business discount. A pricing change is exactly what you
 * want to roll out gradually: to a list of test customers, then a percentage of customers, then
 * everyone, and off again in seconds if margins look wrong. The targeting key is the customer id,
 * so every line of one order, and every order of one customer, gets the same answer.
 */
export const VOLUME_DISCOUNT = 'volume-discount';

/** The volume discount: percent off, and from how many units of one line. */
export const VOLUME_DISCOUNT_RULE = { percent: 5, minQuantity: 10 } as const;

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/order-workflow.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [VOLUME_DISCOUNT]: newBooleanFlag(
      VOLUME_DISCOUNT,
      `Quotes take ${VOLUME_DISCOUNT_RULE.percent}% off every order line of ${VOLUME_DISCOUNT_RULE.minQuantity} or more units`,
    ),
  },
};
