import type { EvaluationContext } from '@openfeature/server-sdk';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { INCLUDE_LOCATION } from './flags.js';
import type { CreatedObject } from './s3-event.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * What an upload is, for targeting lists and percentage splits: the object key is the targeting
 * key, so an object keeps its variant however often it is processed; `prefix` (the key's first
 * path segment, `listings` for `listings/42/front.jpg`) and `bucket` let a rule target a folder.
 */
export function uploadContext(object: CreatedObject): EvaluationContext {
  const slash = object.key.indexOf('/');
  return { targetingKey: object.key, prefix: slash > 0 ? object.key.slice(0, slash) : '', bucket: object.bucket };
}

/**
 * The sample flag for this upload. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage keeps location out of the metadata.
 */
export function includeLocation(object: CreatedObject): Promise<boolean> {
  return flags.getBooleanValue(INCLUDE_LOCATION, false, uploadContext(object));
}
