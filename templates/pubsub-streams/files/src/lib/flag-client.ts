import { createFlagsClient } from '../sprout/flags/provider.js';
import { SKIP_INVALID_RECORDS } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Whether an invalid record of this partition key (the order id) is set aside instead of failing.
 * The provider never throws: flags it cannot read give the default, `false`, the strict behaviour.
 */
export function skipInvalidRecords(partitionKey: string): Promise<boolean> {
  return flags.getBooleanValue(SKIP_INVALID_RECORDS, false, { targetingKey: partitionKey });
}
