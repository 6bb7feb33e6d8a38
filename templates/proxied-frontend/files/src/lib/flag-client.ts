import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { STRICT_ITEM_NAMES } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * The header the CloudFront Function on /api/* (infra/edge/api-router.js) sets to the viewer's IP
 * address. Behind CloudFront, API Gateway's source IP is the address of a CloudFront edge server,
 * which changes from one connection to the next and is shared by many viewers.
 */
export const VIEWER_IP_HEADER = 'x-viewer-ip';

/**
 * Who is asking, for targeting lists and percentage splits. This API has no authorizer, so the
 * targeting key is the caller's IP address: the viewer's, as CloudFront saw it, for requests that
 * came through the distribution, and the source IP for direct calls to the API's own URL (those can
 * set the header themselves, and so pick their own variant: flags decide rollouts, not access).
 * Once the API has users, use the authenticated user id instead (for a Cognito authorizer,
 * `event.requestContext.authorizer?.claims.sub`), so a user keeps a variant everywhere.
 * `operation` lets a rule target one endpoint (`--rule "operation equals createItem => on"`).
 */
export function callerContext(event: APIGatewayProxyEvent, operation: string): EvaluationContext {
  return { targetingKey: viewerIp(event) ?? event.requestContext.identity.sourceIp, operation };
}

function viewerIp(event: APIGatewayProxyEvent): string | undefined {
  // API Gateway keeps the header names as sent; CloudFront sends them in lower case.
  const found = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === VIEWER_IP_HEADER);
  return found?.[1]?.trim() || undefined;
}

/**
 * The sample flag for this request. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage keeps today's name rules instead of failing requests.
 */
export function strictItemNames(event: APIGatewayProxyEvent, operation: string): Promise<boolean> {
  return flags.getBooleanValue(STRICT_ITEM_NAMES, false, callerContext(event, operation));
}
