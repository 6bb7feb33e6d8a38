import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the orders service on `GET /orders/{id}`: when an order is not in
 * the new service's table, read it from the legacy backend (`<legacyBaseUrl>/orders/{id}`) instead
 * of answering 404. It lets `/orders/*` move to the new service before every old order has been
 * migrated: switch it on, move the route, migrate the data in the background, then switch it off.
 * Rolled out like any flag: to a list of testers, a percentage of callers, then everyone.
 */
export const LEGACY_READ_THROUGH = 'orders-legacy-read-through';

/**
 * The flags as the stack writes them, once, when it is created: the sample flag, off. From then
 * on `sprout flags … --stage <stage>` owns them, and a redeploy never reverts them; editing this
 * document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [LEGACY_READ_THROUGH]: newBooleanFlag(
      LEGACY_READ_THROUGH,
      'GET /orders/{id} reads an order the new service does not have from the legacy backend instead of answering 404',
    ),
  },
};
