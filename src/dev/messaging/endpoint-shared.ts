/** What the endpoint's protocol handlers share: the parts they serve, AWS error mapping, response writers. */
import type { ServerResponse } from 'node:http';

import type { DevLog, Invoker, Queues, StateMachines } from '../types.js';
import { AwsServiceError } from './errors.js';
import type { LocalEventBuses } from './eventbridge.js';
import type { LocalTopics } from './sns.js';
import type { LocalQueues } from './sqs.js';
import { toXml } from './wire.js';

export interface AwsEndpointParts {
  /** Read on every request, so late-bound stand-ins work. The LocalQueues extras (urlOf, attributes, purge) are used when present. */
  queues: Queues | LocalQueues;
  topics: LocalTopics;
  buses: LocalEventBuses;
  invoker: Invoker;
  stateMachines: StateMachines;
  log: DevLog;
}

/** Protocol payloads are AWS's loosely typed JSON; each handler checks the fields it reads. */
export type Json = Record<string, any>;

export function parseJson(body: string): Json {
  if (!body) return {};
  try {
    return JSON.parse(body) as Json;
  } catch {
    throw new AwsServiceError('SerializationException', 'Request body is not valid JSON');
  }
}

/** JSON-RPC (1.0/1.1): `__type` errors; SQS also sends `x-amzn-query-error` so query-compatible SDKs report the query code. */
export async function jsonRpc(res: ServerResponse, requestId: string, version: string, typePrefix: string, queryCompatible: boolean, run: () => Promise<unknown>): Promise<void> {
  const contentType = `application/x-amz-json-${version}`;
  try {
    const result = await run();
    res.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': requestId });
    res.end(JSON.stringify(result ?? {}));
  } catch (error) {
    const e = asServiceError(error);
    const headers: Record<string, string> = { 'content-type': contentType, 'x-amzn-requestid': requestId };
    if (queryCompatible) headers['x-amzn-query-error'] = `${e.queryCode};${e.fault}`;
    res.writeHead(e.status, headers);
    res.end(JSON.stringify({ __type: `${typePrefix}${e.code}`, message: e.message }));
  }
}

export function asServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  const e = error as Error & { code?: string };
  const code = e?.code ?? e?.name;
  // A named error from another part (ExecutionAlreadyExists, ...) is the client's; anything else is ours.
  if (typeof code === 'string' && /^[A-Z][A-Za-z.]+$/.test(code) && !/^(Error|TypeError|RangeError|SyntaxError|ReferenceError)$/.test(code)) {
    return new AwsServiceError(code, e.message);
  }
  return new AwsServiceError('InternalFailure', e?.message ?? String(error), { status: 500 });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
  res.end(JSON.stringify(body));
}

export function sendXml(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(`<?xml version="1.0"?>${xml}`);
}

export function queryError(res: ServerResponse, requestId: string, e: AwsServiceError, wantsJson: boolean, xmlns: string): void {
  if (wantsJson) return sendJson(res, e.status, { Error: { Type: e.fault, Code: e.queryCode, Message: e.message }, RequestId: requestId }, requestId);
  sendXml(res, e.status, `<ErrorResponse xmlns="${xmlns}">${toXml('Error', { Type: e.fault, Code: e.queryCode, Message: e.message })}<RequestId>${requestId}</RequestId></ErrorResponse>`, requestId);
}

/** The last segment of a queue URL, queue/topic/function ARN: for log lines. */
export function shortName(arnOrUrl: string): string {
  return arnOrUrl.split(/[/:]/).filter(Boolean).pop() ?? arnOrUrl;
}
