import { createFlagsClient } from '../sprout/flags/provider.js';
import { HOLD_LARGE_ORDERS } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Whether this customer's large orders are held. The provider never throws: flags it cannot read
 * give the default, `false`, so an AppConfig outage accepts orders as today instead of failing them
 * (a failure here would send every message of the batch back to the queue).
 */
export function holdLargeOrders(customerId: string): Promise<boolean> {
  return flags.getBooleanValue(HOLD_LARGE_ORDERS, false, { targetingKey: customerId });
}
