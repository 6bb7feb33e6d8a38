import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { SKIP_OPTIONAL_SOURCES } from './flags.js';
import type { Source } from './sources.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Who is asking, for targeting lists and percentage splits, and about which source. This API has
 * no authorizer, so the targeting key is the caller's source IP as API Gateway saw it: a caller
 * keeps its variant while its address stays the same. Once the API has users, use the
 * authenticated user id instead. `source` lets a rule target one source
 * (`--rule "source equals recommendations => on"`).
 */
export function callerContext(event: APIGatewayProxyEvent, source: string): EvaluationContext {
  return { targetingKey: event.requestContext.identity.sourceIp, source };
}

/**
 * The optional sources the sample flag says to skip for this request (required sources are never
 * asked about). The provider never throws: flags it cannot read give the default, `false`, so an
 * AppConfig outage calls every source as usual instead of failing or shedding anything.
 */
export async function sourcesToSkip(event: APIGatewayProxyEvent, sources: readonly Source[]): Promise<Set<string>> {
  const optional = sources.filter((source) => !source.required);
  const skipped = await Promise.all(optional.map((source) => flags.getBooleanValue(SKIP_OPTIONAL_SOURCES, false, callerContext(event, source.name))));
  return new Set(optional.filter((_, index) => skipped[index]).map((source) => source.name));
}
