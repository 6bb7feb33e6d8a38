import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by ArrangeShipping for every order: when it is on for the order's
 * customer, the shipment is booked as priority instead of standard. It goes out behind a flag
 * because priority shipping costs more: to a list of customers first, then a percentage of them.
 * Targeting key: the customer id; attribute `country`: the destination country, so a rule can
 * limit it to one country (`--rule "country equals DE => on"`).
 */
export const PRIORITY_SHIPPING = 'priority-shipping';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/order-services.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [PRIORITY_SHIPPING]: newBooleanFlag(PRIORITY_SHIPPING, 'Book shipments as priority instead of standard for the targeted customers'),
  },
};
