import { createFlagsClient } from '../sprout/flags/provider.js';
import { EXCLUDE_STOP_WORDS } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * The sample flag for one job (the execution name). The provider never throws: flags it cannot
 * read give the default, `false`, so an AppConfig outage counts every word instead of failing the job.
 */
export function excludeStopWords(job: string): Promise<boolean> {
  return flags.getBooleanValue(EXCLUDE_STOP_WORDS, false, { targetingKey: job });
}
