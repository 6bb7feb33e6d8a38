import { SIMULATED_FAILURES } from './flags.js';
import type { Job, Model } from './job.js';
import { createFlagsClient } from '../sprout/flags/provider.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Whether this job's `fail` and `sleepSeconds` are obeyed. The provider never throws: flags it
 * cannot read give the default, `false`, so an AppConfig outage makes the functions ignore failure
 * requests rather than fail for real.
 */
export function simulatedFailures(model: Model, job: Job): Promise<boolean> {
  return flags.getBooleanValue(SIMULATED_FAILURES, false, { targetingKey: job.id, model });
}
