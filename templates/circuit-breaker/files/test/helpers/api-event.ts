import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export interface RequestOptions {
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** The caller's address as API Gateway reports it: the flags' targeting key (src/lib/flag-client.ts). */
  sourceIp?: string;
  requestId?: string;
}

/** A REST API (v1) proxy event for a GET, as API Gateway sends it. */
export function apiEvent(resource: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  const { headers = {}, pathParameters = null, query = null, sourceIp = '192.0.2.10', requestId = `req-${Math.random().toString(36).slice(2)}` } = options;
  const path = resource.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters?.[name] ?? '');
  return {
    httpMethod: 'GET',
    resource,
    path,
    body: null,
    headers,
    multiValueHeaders: {},
    pathParameters,
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test-api',
      authorizer: null,
      httpMethod: 'GET',
      identity: { sourceIp } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/test${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: resource,
      stage: 'test',
    },
  };
}

export function lambdaContext(functionName = 'circuit-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
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
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    // JSON answers parsed; anything else (a downstream answer passed on) as the text it is.
    body: result.body && /json/.test(String(result.headers?.['content-type'] ?? '')) ? JSON.parse(result.body) : result.body || undefined,
  };
}
