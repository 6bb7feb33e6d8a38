import type { EvaluationContext } from '@openfeature/server-sdk';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { DROP_CLOCK_SKEW } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Who uploaded the object, for targeting lists and percentage splits: the first folder under the
 * input prefix (`incoming/gateway-7/2026-11-26T10.jsonl` → `gateway-7`), or the file name when
 * there is no folder. Lay keys out as `<prefix><gateway or device id>/<file>` and a rule can turn
 * the flag on for one gateway, or for 10% of them, and each keeps its variant.
 */
export function sourceOf(key: string, inputPrefix: string): string {
  const rest = key.startsWith(inputPrefix) ? key.slice(inputPrefix.length) : key;
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : rest;
}

export function uploadContext(key: string, inputPrefix: string): EvaluationContext {
  return { targetingKey: sourceOf(key, inputPrefix), key };
}

/**
 * The sample flag for one object. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage keeps every reading instead of failing the batch.
 */
export function dropClockSkew(key: string, inputPrefix: string): Promise<boolean> {
  return flags.getBooleanValue(DROP_CLOCK_SKEW, false, uploadContext(key, inputPrefix));
}
