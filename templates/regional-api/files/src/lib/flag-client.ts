import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { STRICT_ITEM_NAMES } from './flags.js';
import { header } from './http.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * The caller's IP address. Behind CloudFront, API Gateway's source IP is a CloudFront server's,
 * shared by thousands of viewers; CloudFront puts the viewer's own address and port in
 * CloudFront-Viewer-Address (`198.51.100.10:46532`, `2001:db8::1:46532`) when the origin request
 * policy asks for it, as this stack's does for /items*. A viewer cannot forge it: CloudFront sets
 * it, and requests that did not come through CloudFront never reach a handler (the origin-verify
 * authorizer). Without the header (tests, or a path whose policy does not forward it), API
 * Gateway's source IP.
 */
export function viewerIp(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string {
  const address = header(event.headers, 'cloudfront-viewer-address');
  const portAt = address?.lastIndexOf(':') ?? -1;
  if (address && portAt > 0) return address.slice(0, portAt);
  return event.requestContext.identity.sourceIp;
}

/**
 * Who is asking, for targeting lists and percentage splits: the viewer's IP address (see
 * viewerIp), so a caller keeps its variant while its address stays the same. Once the API has
 * users, use the authenticated user id instead, so a user keeps it everywhere.
 * `operation` lets a rule target one endpoint (`--rule "operation equals createItem => on"`).
 */
export function callerContext(event: APIGatewayProxyEvent, operation: string): EvaluationContext {
  return { targetingKey: viewerIp(event), operation };
}

/**
 * The sample flag for this request. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage keeps today's name rules instead of failing requests.
 */
export function strictItemNames(event: APIGatewayProxyEvent, operation: string): Promise<boolean> {
  return flags.getBooleanValue(STRICT_ITEM_NAMES, false, callerContext(event, operation));
}
