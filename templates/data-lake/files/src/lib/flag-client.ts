import type { EvaluationContext } from '@openfeature/server-sdk';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { REDACT_USER_IDS } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/** The targeting key is the event type, so a rule turns redaction on for `purchase` only, or for a percentage of types. */
export function eventContext(eventType: string, dt: string): EvaluationContext {
  return { targetingKey: eventType, dt };
}

/**
 * The sample flag for one event type. The provider never throws: flags it cannot read give the
 * default, `false` (ids kept, as before the flag existed), so an AppConfig outage does not fail
 * the transform.
 */
export function redactUserIds(eventType: string, dt: string): Promise<boolean> {
  return flags.getBooleanValue(REDACT_USER_IDS, false, eventContext(eventType, dt));
}
