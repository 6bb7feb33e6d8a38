import { createFlagsClient } from '../sprout/flags/provider.js';
import { MUTE_ANOMALY_ALERTS } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Whether an anomaly of this metric key is kept out of SNS. The provider never throws: flags it
 * cannot read give the default, `false`, so an AppConfig outage never silences an alert.
 */
export function alertsMuted(metricKey: string): Promise<boolean> {
  return flags.getBooleanValue(MUTE_ANOMALY_ALERTS, false, { targetingKey: metricKey });
}
