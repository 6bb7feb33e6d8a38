import { createFlagsClient } from '../sprout/flags/provider.js';
import { VOLUME_DISCOUNT } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * The sample flag for one customer. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage prices as today instead of failing the workflow.
 */
export function volumeDiscount(customerId: string): Promise<boolean> {
  return flags.getBooleanValue(VOLUME_DISCOUNT, false, { targetingKey: customerId });
}
