import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { LEGACY_READ_THROUGH } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Who is asking, for targeting lists and percentage splits. The facade has no authorizer (the
 * legacy backend authenticates its own routes), so the targeting key is the caller's source IP as
 * API Gateway saw it: a caller keeps its variant while its address stays the same. Once the facade
 * knows its users, use the user id instead. `operation` lets a rule target one endpoint.
 */
export function callerContext(event: APIGatewayProxyEvent, operation: string): EvaluationContext {
  return { targetingKey: event.requestContext.identity.sourceIp, operation };
}

/**
 * The sample flag for this request. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage means "no read-through" (404 for unmigrated orders),
 * never a failed request.
 */
export function legacyReadThrough(event: APIGatewayProxyEvent, operation: string): Promise<boolean> {
  return flags.getBooleanValue(LEGACY_READ_THROUGH, false, callerContext(event, operation));
}
