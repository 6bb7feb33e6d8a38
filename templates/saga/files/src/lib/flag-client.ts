import type { EvaluationContext } from '@openfeature/server-sdk';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { PRIORITY_SHIPPING } from './flags.js';
import type { Order } from './saga.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/** Who is asking: the customer (so a customer keeps their variant), and where the order goes. */
export function orderContext(order: Order): EvaluationContext {
  return { targetingKey: order.customerId, country: order.shipTo.country };
}

/**
 * The sample flag for this order. The provider never throws: flags it cannot read give the
 * default, `false` (standard shipping), so an AppConfig outage never fails an order.
 */
export function priorityShipping(order: Order): Promise<boolean> {
  return flags.getBooleanValue(PRIORITY_SHIPPING, false, orderContext(order));
}
