/**
 * The Lambda proxy integration's payload format 1.0 (REST APIs, and HTTP APIs that ask for 1.0):
 * the event as API Gateway builds it, and the rules it applies to what the function returns.
 */
import { LOCAL_ACCOUNT } from '../types.js';
import type { ApiResponse } from './messages.js';
import { headerValue, mediaType, mediaTypeMatches } from './messages.js';

export interface ProxyEventInput {
  resource: string;
  /** The path below the stage, percent-encoding kept (as AWS's REST APIs do). */
  path: string;
  httpMethod: string;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  body: Buffer;
  /** Whether the body goes base64 (its Content-Type is one of the API's binary media types). */
  binary: boolean;
  requestContext: V1RequestContext;
}

export interface V1RequestContext {
  resourceId: string;
  resourcePath: string;
  httpMethod: string;
  extendedRequestId: string;
  requestTime: string;
  path: string;
  accountId: string;
  protocol: string;
  stage: string;
  domainPrefix: string;
  requestTimeEpoch: number;
  requestId: string;
  identity: Record<string, string | null>;
  domainName: string;
  deploymentId?: string;
  apiId: string;
  authorizer?: Record<string, unknown>;
}

/** requestContext.identity with the fields a local caller cannot have set to null, as for an unauthenticated AWS caller. */
export function identity(sourceIp: string, userAgent: string | undefined): Record<string, string | null> {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: userAgent ?? null,
    user: null,
  };
}

export function localDomain(apiId: string): string {
  return `${apiId}.execute-api.us-east-1.amazonaws.com`;
}

export const LOCAL_ACCOUNT_ID = LOCAL_ACCOUNT;

/** Single-value (last wins) and multi-value maps, null when empty, as in the v1 event. */
export function valueMaps(pairs: Array<[string, string]>): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  if (pairs.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of pairs) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return { single, multi };
}

export function buildV1Event(input: ProxyEventInput): Record<string, unknown> {
  const headers = valueMaps(input.headers);
  const query = valueMaps(input.query);
  const hasBody = input.body.length > 0;
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.httpMethod,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: Object.keys(input.pathParameters).length ? input.pathParameters : null,
    stageVariables: Object.keys(input.stageVariables).length ? input.stageVariables : null,
    requestContext: input.requestContext,
    body: hasBody ? input.body.toString(input.binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody && input.binary,
  };
}

export type ProxyResult = { ok: true; response: ApiResponse } | { ok: false; reason: string };

/**
 * Turns a v1 proxy result into the HTTP response. Anything that is not an object with a numeric
 * (or numeric-string) statusCode, string headers and a string body is malformed: API Gateway
 * answers 502 for it. A base64 body is decoded only when the request's Accept matches a binary
 * media type, else the base64 text is returned as is (AWS's behaviour).
 */
export function parseV1Result(payload: unknown, binaryMediaTypes: string[], accept: string | undefined): ProxyResult {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { ok: false, reason: 'the function did not return an object' };
  const result = payload as Record<string, unknown>;
  const status = typeof result.statusCode === 'string' && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : result.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return { ok: false, reason: 'statusCode is missing or not a valid status' };
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);
  const unexpected = Object.keys(result).filter((key) => !allowed.has(key));
  if (unexpected.length) return { ok: false, reason: `unexpected field(s) ${unexpected.join(', ')}` };
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return { ok: false, reason: 'body must be a string' };

  const headers: Array<[string, string]> = [];
  const single = (result.headers ?? {}) as Record<string, unknown>;
  const multi = (result.multiValueHeaders ?? {}) as Record<string, unknown>;
  if (typeof single !== 'object' || typeof multi !== 'object') return { ok: false, reason: 'headers must be objects' };
  for (const [key, values] of Object.entries(multi)) {
    if (!Array.isArray(values)) return { ok: false, reason: `multiValueHeaders.${key} must be an array` };
    for (const value of values) headers.push([key, String(value)]);
  }
  // A header in both maps: API Gateway keeps the multi-value ones and appends the single value.
  for (const [key, value] of Object.entries(single)) {
    if (value === null || typeof value === 'object') return { ok: false, reason: `headers.${key} must be a string` };
    headers.push([key, String(value)]);
  }
  if (!headerValue(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);

  const text = typeof result.body === 'string' ? result.body : '';
  const base64 = result.isBase64Encoded === true;
  const acceptType = accept?.split(',')[0] ? mediaType(accept.split(',')[0]) : undefined;
  const decode = base64 && acceptType !== undefined && binaryMediaTypes.some((pattern) => mediaTypeMatches(pattern, acceptType));
  return { ok: true, response: { statusCode: status, headers, body: decode ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') } };
}
