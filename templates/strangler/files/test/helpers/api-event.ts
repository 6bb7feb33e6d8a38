import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { parseRouteTable, planRoutes } from '../../infra/route-table.js';
import { matchResource } from './api-gateway.js';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The caller's address as API Gateway reports it: the flags' targeting key (src/lib/flag-client.ts). */
  sourceIp?: string;
  /** The facade's route table the request went through; the project's default one when absent. */
  routes?: Record<string, string>;
  /** Send the body base64-encoded, as the facade does (binaryMediaTypes "*\/*"). Default true. */
  base64?: boolean;
}

const defaultRoutes = { '/orders/*': 'new', '/*': 'legacy' };

/**
 * A REST API (v1) Lambda proxy event as the facade sends it to the new service: the resource and
 * `proxy` path parameter are the ones API Gateway matches for `path` in the planned routes, and
 * the body arrives base64-encoded. Objects in `body` are JSON-encoded first.
 */
export function facadeEvent(httpMethod: string, path: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  const { body, headers = {}, sourceIp = '192.0.2.10', routes = defaultRoutes, base64 = true } = options;
  const plan = planRoutes(parseRouteTable(routes));
  const match = matchResource(new Set(plan.resources), new Set(plan.methods.map((m) => m.resourcePath)), path, { backtrack: false });
  const method = plan.methods.find((m) => m.resourcePath === match?.resourcePath);
  if (!match || method?.target !== 'new') throw new Error(`The facade does not send ${path} to the new service with routes ${JSON.stringify(routes)}`);
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    httpMethod,
    resource: match.resourcePath,
    path,
    body: text === null ? null : base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: text !== null && base64,
    headers: { 'Content-Type': 'application/json', ...headers },
    multiValueHeaders: {},
    pathParameters: match.proxy === undefined ? null : { proxy: match.proxy },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test-api',
      authorizer: null,
      httpMethod,
      identity: { sourceIp } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/test${path}`,
      protocol: 'HTTP/1.1',
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: match.resourcePath,
      stage: 'test',
    },
  };
}

export function lambdaContext(functionName = 'orders-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  // biome-ignore lint: tests read arbitrary fields of the JSON body
  body: any;
}

export function parse(result: APIGatewayProxyResult): ParsedResponse {
  const contentType = String(result.headers?.['content-type'] ?? '');
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    body: result.body && contentType.includes('json') ? JSON.parse(result.body) : result.body || undefined,
  };
}
