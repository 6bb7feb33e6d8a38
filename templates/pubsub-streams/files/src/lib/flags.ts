import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the consumer for each record it cannot use (not JSON, not an order
 * event, or an event that does not follow from the order's status). Off (the default): such a
 * record fails like any other, its order waits while Lambda retries, and after the last retry its
 * batch's sequence range goes to the on-failure queue. On for an order (`--target <orderId>=on`,
 * the targeting key is the partition key) or for everyone: the record is set aside on the order's
 * item (`rejected`) and the order's next events go on. Turn it on to unblock an order in seconds
 * during an incident, without a deploy.
 */
export const SKIP_INVALID_RECORDS = 'skip-invalid-records';

/**
 * The flags as the stack writes them, once, when it is created: the sample flag, off. From then on
 * `sprout flags … --stage <stage>` owns them, and a redeploy never reverts them.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [SKIP_INVALID_RECORDS]: newBooleanFlag(
      SKIP_INVALID_RECORDS,
      'Set aside order events that can never be applied (bad data, impossible status change) instead of retrying them and sending their batch to the on-failure queue',
    ),
  },
};
