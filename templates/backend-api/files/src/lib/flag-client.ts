import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { STRICT_ITEM_NAMES } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Who is asking, for targeting lists and percentage splits. This API has no authorizer, so the
 * targeting key is the caller's source IP as API Gateway saw it: a caller keeps its variant while
 * its address stays the same. Once the API has users, use the authenticated user id instead (for a
 * Cognito authorizer, `event.requestContext.authorizer?.claims.sub`), so a user keeps it everywhere.
 * `operation` lets a rule target one endpoint (`--rule "operation equals createItem => on"`).
 */
export function callerContext(event: APIGatewayProxyEvent, operation: string): EvaluationContext {
  return { targetingKey: event.requestContext.identity.sourceIp, operation };
}

/**
 * The sample flag for this request. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage keeps today's name rules instead of failing requests.
 */
export function strictItemNames(event: APIGatewayProxyEvent, operation: string): Promise<boolean> {
  return flags.getBooleanValue(STRICT_ITEM_NAMES, false, callerContext(event, operation));
}
