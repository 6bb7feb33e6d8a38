import type { EvaluationContext } from '@openfeature/server-sdk';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createFlagsClient } from '../sprout/flags/provider.js';
import { FORCE_CIRCUIT_OPEN } from './flags.js';

// Created once per execution environment, so the fetched flags are cached between invocations
// (45 s). Where they come from: AppConfig when the stack set SPROUT_FLAGS_APPLICATION,
// _ENVIRONMENT and _PROFILE (FeatureFlags.grantRead), the SPROUT_FLAGS variable otherwise.
const flags = createFlagsClient();

/**
 * Who is asking, for targeting lists and percentage splits. This API has no authorizer, so the
 * targeting key is the caller's source IP as API Gateway saw it. `circuit` lets a rule target one
 * circuit (`--rule "circuit equals api.example.com => on"`).
 */
export function callerContext(event: APIGatewayProxyEvent, circuit: string): EvaluationContext {
  return { targetingKey: event.requestContext.identity.sourceIp, circuit };
}

/**
 * The sample flag for this request. The provider never throws: flags it cannot read give the
 * default, `false`, so an AppConfig outage leaves the circuit in charge instead of failing requests.
 */
export function forceCircuitOpen(event: APIGatewayProxyEvent, circuit: string): Promise<boolean> {
  return flags.getBooleanValue(FORCE_CIRCUIT_OPEN, false, callerContext(event, circuit));
}
