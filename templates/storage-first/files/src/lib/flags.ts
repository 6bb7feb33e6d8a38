import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the consumer for every order: when it is on for a customer, an
 * order of more than LARGE_ORDER_UNITS units is stored as HELD (for a person to check) instead of
 * ACCEPTED. A business rule like this changes often and per customer, which is why it lives in a
 * flag: `sprout flags` turns it on for a list of customers, a percentage, or everyone, without a
 * deploy. The targeting key is the order's customerId.
 */
export const HOLD_LARGE_ORDERS = 'hold-large-orders';

/** Orders of more units than this are held while hold-large-orders is on. */
export const LARGE_ORDER_UNITS = 50;

/**
 * The flags as the stack writes them, once, when it is created: the sample flag, off. From then on
 * `sprout flags … --stage <stage>` owns them, and a redeploy never reverts them.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [HOLD_LARGE_ORDERS]: newBooleanFlag(HOLD_LARGE_ORDERS, `Orders of more than ${LARGE_ORDER_UNITS} units are stored as HELD for a manual check instead of ACCEPTED`),
  },
};
