/**
 * One REST API (API Gateway v1) served locally: route by the resource tree under the stage,
 * authorize, validate, run the integration (Lambda proxy, AWS service, HTTP, HTTP proxy, mock)
 * and answer with API Gateway's own gateway responses when it refuses or fails.
 */
import { randomUUID } from 'node:crypto';

import type { Invoker, LocalEndpoints } from '../types.js';
import { RestAuthorizers } from './authorizers.js';
import { forward, forwardableHeaders, type ForwardResult } from './forward.js';
import { gatewayError, renderGatewayResponse, type GatewayError } from './gateway-responses.js';
import { evaluateJsonPath } from './jsonpath.js';
import type { ApiRequest, ApiResponse } from './messages.js';
import { clfTime, extendedRequestId, headerValue, mediaType, mediaTypeMatches, parseQuery, withTimeout } from './messages.js';
import { signedHeaders } from './sign.js';
import { buildV1Event, identity, LOCAL_ACCOUNT_ID, localDomain, parseV1Result, valueMaps, type V1RequestContext } from './proxy-v1.js';
import { matchResource, type RestApiModel, type RestIntegration, type RestMethod, type RestResourceNode } from './rest-model.js';
import { parseServiceUri } from './service-uri.js';
import { validateBody } from './validation.js';
import { renderTemplate, type TemplateParams } from './vtl.js';

export interface RestApiDeps {
  invoker: Invoker;
  endpoints: LocalEndpoints;
  now?: () => number;
}

export interface RestApiHandler {
  model: RestApiModel;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

/** Everything known about one request once routed: what templates, mappings and events read. */
interface Call {
  request: ApiRequest;
  requestId: string;
  epoch: number;
  stagePath: string;
  node?: RestResourceNode;
  method?: RestMethod;
  pathParameters: Record<string, string>;
  query: Array<[string, string]>;
  params: TemplateParams;
  context: Record<string, any>;
}

export function createRestApi(model: RestApiModel, deps: RestApiDeps): RestApiHandler {
  const now = deps.now ?? Date.now;
  const authorizers = new RestAuthorizers(deps.invoker, now);
  const domainName = localDomain(model.id);

  async function handle(request: ApiRequest): Promise<ApiResponse> {
    const segments = request.path.split('/').filter(Boolean);
    // The invoke URL is /<stage>/...; anything else never reaches the API.
    if (segments[0] !== model.stage) return { statusCode: 403, headers: [['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'ForbiddenException']], body: Buffer.from('{"message":"Forbidden"}'), note: `no stage ${segments[0] ?? '(none)'}` };
    const below = segments.slice(1);
    const stagePath = `/${request.path.split('/').filter(Boolean).slice(1).join('/')}`;
    const call = newCall(request, stagePath);
    if (request.tooLarge) return fail(call, gatewayError('REQUEST_TOO_LARGE', 'Request Too Long'));

    const match = matchResource(model.root, below);
    const method = match ? (match.node.methods.get(request.method.toUpperCase()) ?? match.node.methods.get('ANY')) : undefined;
    if (!match || !method) return fail(call, gatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'), 'no route');
    route(call, match.node, method, match.pathParameters);

    if (method.authorizer && (method.authorizationType === 'CUSTOM' || method.authorizationType === 'COGNITO_USER_POOLS')) {
      const outcome = await authorizers.authorize(method.authorizer, {
        methodArn: `arn:aws:execute-api:us-east-1:${LOCAL_ACCOUNT_ID}:${model.id}/${model.stage}/${request.method.toUpperCase()}/${below.join('/')}`,
        lookup: (source) => lookupSource(call, source),
        requestEvent: () => authorizerRequestEvent(call),
        scopes: method.authorizationScopes,
      });
      if (!outcome.ok) return fail(call, outcome.error, `authorizer ${method.authorizer.name}`);
      call.context.authorizer = outcome.authorizer;
    }

    const invalid = await validate(call, method);
    if (invalid) return fail(call, invalid, 'validation');
    return integrate(call, method);
  }

  function newCall(request: ApiRequest, stagePath: string): Call {
    const epoch = now();
    const requestId = randomUUID();
    const query = parseQuery(request.rawQuery);
    const userAgent = headerValue(request.headers, 'user-agent');
    const call: Call = {
      request,
      requestId,
      epoch,
      stagePath,
      pathParameters: {},
      query,
      params: { path: {}, querystring: valueMaps(query).single ?? {}, header: valueMaps(request.headers).single ?? {} },
      context: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: model.id,
        domainName,
        domainPrefix: model.id,
        extendedRequestId: extendedRequestId(),
        httpMethod: request.method.toUpperCase(),
        identity: identity(request.sourceIp, userAgent),
        path: request.path,
        protocol: 'HTTP/1.1',
        requestId,
        requestTime: clfTime(epoch),
        requestTimeEpoch: epoch,
        stage: model.stage,
        resourcePath: stagePath,
        resourceId: '',
        responseOverride: { status: undefined, header: {} },
      },
    };
    return call;
  }

  function route(call: Call, node: RestResourceNode, method: RestMethod, pathParameters: Record<string, string>): void {
    call.node = node;
    call.method = method;
    call.pathParameters = pathParameters;
    call.params.path = pathParameters;
    call.context.resourcePath = node.path;
    call.context.resourceId = node.id;
  }

  function fail(call: Call, error: GatewayError, note?: string): Promise<ApiResponse> {
    return renderGatewayResponse(error, model.gatewayResponses, { context: call.context, stageVariables: model.stageVariables, params: call.params }).then((response) => ({
      ...response,
      note: [note, error.validationErrorString ?? (error.message ?? error.type)].filter(Boolean).join(': '),
    }));
  }

  async function validate(call: Call, method: RestMethod): Promise<GatewayError | undefined> {
    if (!method.validator) return undefined;
    if (method.validator.parameters) {
      const missing = Object.entries(method.requestParameters)
        .filter(([, required]) => required)
        .map(([key]) => key)
        .filter((key) => {
          const value = lookupSource(call, key);
          return value === undefined || value === '';
        })
        .map((key) => key.replace(/^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\./, ''));
      if (missing.length) return gatewayError('BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.join(', ')}]`);
    }
    if (method.validator.body) {
      const contentType = mediaType(headerValue(call.request.headers, 'content-type')) ?? 'application/json';
      const schema = method.requestModels[contentType] ?? method.requestModels.$default;
      if (schema) {
        const errors = await validateBody(schema, call.request.body.toString('utf8'));
        if (errors) return gatewayError('BAD_REQUEST_BODY', 'Invalid request body', { validationErrorString: errors });
      }
    }
    return undefined;
  }

  async function integrate(call: Call, method: RestMethod): Promise<ApiResponse> {
    const integration = method.integration;
    switch (integration.type) {
      case 'AWS_PROXY':
        return lambdaProxy(call, integration);
      case 'HTTP_PROXY':
        return httpProxy(call, integration);
      case 'MOCK':
      case 'AWS':
      case 'HTTP':
        return mapped(call, integration);
    }
  }

  async function lambdaProxy(call: Call, integration: RestIntegration): Promise<ApiResponse> {
    const functionArn = /\/functions\/(.+)\/invocations$/.exec(integration.uri ?? '')?.[1];
    if (!functionArn || !deps.invoker.has(functionArn)) return fail(call, gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), `no local function for ${integration.uri ?? '(no uri)'}`);
    const contentType = mediaType(headerValue(call.request.headers, 'content-type'));
    const binary = contentType !== undefined && model.binaryMediaTypes.some((pattern) => mediaTypeMatches(pattern, contentType));
    const event = proxyEvent(call, call.request.body, binary);
    const outcome = await withTimeout(deps.invoker.invoke(functionArn, event), integration.timeoutMs);
    if (outcome.timedOut) return fail(call, gatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out'), `function did not answer within ${integration.timeoutMs} ms`);
    if (!outcome.value.ok) return fail(call, gatewayError('DEFAULT_5XX', 'Internal server error', { status: 502 }), `function error ${outcome.value.error.errorType}: ${outcome.value.error.errorMessage}`);
    const parsed = parseV1Result(outcome.value.payload, model.binaryMediaTypes, headerValue(call.request.headers, 'accept'));
    if (!parsed.ok) return fail(call, gatewayError('DEFAULT_5XX', 'Internal server error', { status: 502 }), `malformed Lambda proxy response: ${parsed.reason}`);
    return parsed.response;
  }

  function requestContext(call: Call): V1RequestContext {
    const c = call.context;
    return {
      resourceId: c.resourceId,
      resourcePath: c.resourcePath,
      httpMethod: c.httpMethod,
      extendedRequestId: c.extendedRequestId,
      requestTime: c.requestTime,
      path: c.path,
      accountId: c.accountId,
      protocol: c.protocol,
      stage: c.stage,
      domainPrefix: c.domainPrefix,
      requestTimeEpoch: c.requestTimeEpoch,
      requestId: c.requestId,
      identity: c.identity,
      domainName: c.domainName,
      deploymentId: `${model.id}-deployment`,
      apiId: c.apiId,
      ...(c.authorizer ? { authorizer: c.authorizer } : {}),
    };
  }

  /** The v1 proxy event of a call: what a Lambda proxy integration gets, and (without the body) a REQUEST authorizer. */
  function proxyEvent(call: Call, body: Buffer, binary: boolean): Record<string, unknown> {
    return buildV1Event({
      resource: call.node!.path,
      path: call.stagePath,
      httpMethod: call.request.method.toUpperCase(),
      headers: withForwardedHeaders(call.request),
      query: call.query,
      pathParameters: call.pathParameters,
      stageVariables: model.stageVariables,
      body,
      binary,
      requestContext: requestContext(call),
    });
  }

  function authorizerRequestEvent(call: Call): Record<string, unknown> {
    const event = proxyEvent(call, Buffer.alloc(0), false);
    delete event.body;
    delete event.isBase64Encoded;
    return event;
  }

  async function httpProxy(call: Call, integration: RestIntegration): Promise<ApiResponse> {
    const target = integrationRequestParts(call, integration);
    if (!integration.uri) return fail(call, gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), 'HTTP_PROXY without a URI');
    const url = withQuery(substitutePath(integration.uri, target.path), call.request.rawQuery, Object.entries(target.query));
    const headers = [...forwardableHeaders(call.request.headers).filter(([name]) => !(name.toLowerCase() in lowerKeys(target.header))), ...Object.entries(target.header)];
    const method = !integration.httpMethod || integration.httpMethod === 'ANY' ? call.request.method.toUpperCase() : integration.httpMethod;
    const result = await forward({ method, url, headers, body: call.request.body, timeoutMs: integration.timeoutMs });
    if (result.kind === 'timeout') return fail(call, gatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out'), `${url} did not answer within ${integration.timeoutMs} ms`);
    if (result.kind === 'error') return fail(call, gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), `${url}: ${result.message}`);
    return { statusCode: result.status, headers: result.headers, body: result.body };
  }

  /** AWS, HTTP and MOCK integrations: request template and parameter mapping, then integration responses. */
  async function mapped(call: Call, integration: RestIntegration): Promise<ApiResponse> {
    const contentType = mediaType(headerValue(call.request.headers, 'content-type')) ?? 'application/json';
    const templates = integration.requestTemplates;
    const template = templates[contentType];
    const hasTemplates = Object.keys(templates).length > 0;
    if (template === undefined && (integration.passthroughBehavior === 'NEVER' || (integration.passthroughBehavior === 'WHEN_NO_TEMPLATES' && hasTemplates))) {
      return fail(call, gatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'), `no request template for ${contentType}`);
    }
    const payload = template === undefined ? call.request.body.toString('utf8') : await renderTemplate(template, { body: call.request.body.toString('utf8'), params: call.params, context: call.context, stageVariables: model.stageVariables });
    const parts = integrationRequestParts(call, integration);

    let backend: { status: number; headers: Array<[string, string]>; body: string; lambdaError?: string };
    if (integration.type === 'MOCK') {
      // A mock's status comes from the request template's `statusCode`.
      const status = Number(/"?statusCode"?\s*:\s*(\d{3})/.exec(payload)?.[1] ?? 200);
      backend = { status, headers: [], body: '' };
    } else {
      const result = await callBackend(call, integration, payload, parts);
      if ('error' in result) return fail(call, result.error, result.note);
      backend = result;
    }
    return integrationResponse(call, integration, backend);
  }

  async function callBackend(
    call: Call,
    integration: RestIntegration,
    payload: string,
    parts: MappedParts,
  ): Promise<{ status: number; headers: Array<[string, string]>; body: string; lambdaError?: string } | { error: GatewayError; note: string }> {
    let url: string;
    let headers: Array<[string, string]> = [['Accept', 'application/json']];
    let service = 'http';
    if (integration.type === 'AWS') {
      const target = parseServiceUri(integration.uri ?? '', deps.endpoints);
      if ('error' in target) return { error: gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), note: target.error };
      service = target.service;
      url = withQuery(target.url, '', [...target.query, ...Object.entries(parts.query)]);
      headers.push(['Content-Type', 'application/json'], ...Object.entries(target.headers));
    } else {
      url = withQuery(substitutePath(integration.uri ?? '', parts.path), '', Object.entries(parts.query));
      headers.push(['Content-Type', headerValue(call.request.headers, 'content-type') ?? 'application/json']);
    }
    // Mapped headers win over the defaults (SQS's form content type, Lambda's invocation type).
    const mappedNames = lowerKeys(parts.header);
    headers = [...headers.filter(([name]) => !(name.toLowerCase() in mappedNames)), ...Object.entries(parts.header)];
    const method = !integration.httpMethod || integration.httpMethod === 'ANY' ? call.request.method.toUpperCase() : integration.httpMethod;
    const body = Buffer.from(payload, 'utf8');
    if (integration.type === 'AWS') headers = await signedHeaders({ method, url, headers, body, service });
    const result: ForwardResult = await forward({ method, url, headers, body, timeoutMs: integration.timeoutMs });
    if (result.kind === 'timeout') return { error: gatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out'), note: `${url} did not answer within ${integration.timeoutMs} ms` };
    if (result.kind === 'error') return { error: gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), note: `${url}: ${result.message}` };
    const text = result.body.toString('utf8');
    // A Lambda (non-proxy) function error: selection patterns match its errorMessage.
    let lambdaError: string | undefined;
    if (service === 'lambda' && headerValue(result.headers, 'x-amz-function-error')) {
      try {
        lambdaError = String(JSON.parse(text).errorMessage ?? '');
      } catch {
        lambdaError = text;
      }
    }
    return { status: result.status, headers: result.headers, body: text, lambdaError };
  }

  async function integrationResponse(call: Call, integration: RestIntegration, backend: { status: number; headers: Array<[string, string]>; body: string; lambdaError?: string }): Promise<ApiResponse> {
    const isLambda = integration.type === 'AWS' && /:lambda:path\//.test(integration.uri ?? '');
    // Lambda integrations select on the error message (successes take the default); others on the status code.
    const key = isLambda ? backend.lambdaError : String(backend.status);
    const responses = integration.integrationResponses;
    const byPattern = key === undefined ? undefined : responses.find((r) => r.selectionPattern !== undefined && r.selectionPattern !== '' && fullMatch(r.selectionPattern, key));
    const chosen = byPattern ?? responses.find((r) => r.selectionPattern === undefined || r.selectionPattern === '');
    if (!chosen) return fail(call, gatewayError('API_CONFIGURATION_ERROR', 'Internal server error'), `no integration response matches ${key ?? 'the response'} and there is no default`);

    const context = { ...call.context, responseOverride: { status: undefined as unknown, header: {} as Record<string, unknown> } };
    const [contentType, template] = pickResponseTemplate(chosen.responseTemplates, headerValue(call.request.headers, 'accept'));
    const body = template === undefined ? backend.body : await renderTemplate(template, { body: backend.body, params: call.params, context, stageVariables: model.stageVariables });
    const headers: Array<[string, string]> = [['Content-Type', contentType]];
    for (const [target, source] of Object.entries(chosen.responseParameters)) {
      const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
      if (!name) continue;
      const value = responseParameterValue(source, backend, context);
      if (value === undefined) continue;
      if (name.toLowerCase() === 'content-type') headers.splice(0, 1);
      headers.push([name, value]);
    }
    for (const [name, value] of Object.entries(context.responseOverride.header)) {
      if (value === undefined || value === null) continue;
      for (let i = headers.length - 1; i >= 0; i--) if (headers[i]![0].toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
      headers.push([name, String(value)]);
    }
    const override = Number(context.responseOverride.status);
    const statusCode = Number.isInteger(override) && override >= 100 && override <= 599 ? override : Number(chosen.statusCode);
    return { statusCode, headers, body: Buffer.from(body, 'utf8') };
  }

  function responseParameterValue(source: string, backend: { headers: Array<[string, string]>; body: string }, context: Record<string, any>): string | undefined {
    const literal = /^'(.*)'$/s.exec(source);
    if (literal) return literal[1];
    const header = /^integration\.response\.header\.(.+)$/.exec(source);
    if (header) return headerValue(backend.headers, header[1]!);
    if (source === 'integration.response.body') return backend.body;
    const bodyPath = /^integration\.response\.body\.(.+)$/.exec(source);
    if (bodyPath) {
      try {
        const value = evaluateJsonPath(JSON.parse(backend.body), `$.${bodyPath[1]}`);
        return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
      } catch {
        return undefined;
      }
    }
    if (source.startsWith('context.')) return dotted(context, source.slice('context.'.length));
    if (source.startsWith('stageVariables.')) return model.stageVariables[source.slice('stageVariables.'.length)];
    return undefined;
  }

  interface MappedParts {
    header: Record<string, string>;
    query: Record<string, string>;
    path: Record<string, string>;
  }

  /** integration.request.{header,querystring,path}.X from literals, method request values, context and stage variables. */
  function integrationRequestParts(call: Call, integration: RestIntegration): MappedParts {
    const parts: MappedParts = { header: {}, query: {}, path: {} };
    for (const [target, source] of Object.entries(integration.requestParameters)) {
      const match = /^integration\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.(.+)$/.exec(target);
      if (!match) continue;
      const value = lookupSource(call, source);
      if (value === undefined) continue;
      const kind = match[1]!.replace('multivalue', '');
      (kind === 'header' ? parts.header : kind === 'path' ? parts.path : parts.query)[match[2]!] = value;
    }
    return parts;
  }

  /** A mapping source or identity source: `'literal'`, `method.request.*`, `context.*`, `stageVariables.*`. */
  function lookupSource(call: Call, source: string): string | undefined {
    const literal = /^'(.*)'$/s.exec(source);
    if (literal) return literal[1];
    const request = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(source);
    if (request) {
      const [, kind, name] = request;
      if (kind === 'path') return call.pathParameters[name!];
      if (kind === 'header') return headerValue(call.request.headers, name!);
      if (kind === 'multivalueheader') {
        const values = call.request.headers.filter(([key]) => key.toLowerCase() === name!.toLowerCase()).map(([, value]) => value);
        return values.length ? values.join(',') : undefined;
      }
      const values = call.query.filter(([key]) => key === name).map(([, value]) => value);
      if (values.length === 0) return undefined;
      return kind === 'querystring' ? values[values.length - 1] : values.join(',');
    }
    if (source === 'method.request.body') return call.request.body.toString('utf8');
    const bodyPath = /^method\.request\.body\.(.+)$/.exec(source);
    if (bodyPath) {
      try {
        const value = evaluateJsonPath(JSON.parse(call.request.body.toString('utf8')), `$.${bodyPath[1]}`);
        return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
      } catch {
        return undefined;
      }
    }
    if (source.startsWith('context.')) return dotted(call.context, source.slice('context.'.length));
    if (source.startsWith('stageVariables.')) return model.stageVariables[source.slice('stageVariables.'.length)];
    return undefined;
  }

  return { model, handle };
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

function pickResponseTemplate(templates: Record<string, string>, accept: string | undefined): [string, string | undefined] {
  const entries = Object.entries(templates);
  if (entries.length === 0) return ['application/json', undefined];
  const wanted = accept?.split(',').map((part) => mediaType(part)).filter((t): t is string => !!t) ?? [];
  for (const type of wanted) {
    const found = entries.find(([key]) => mediaTypeMatches(type, key));
    if (found) return found;
  }
  return entries.find(([key]) => key === 'application/json') ?? entries[0]!;
}

function dotted(root: Record<string, any>, path: string): string | undefined {
  let value: any = root;
  for (const key of path.split('.')) value = value?.[key];
  return value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function lowerKeys(map: Record<string, string>): Record<string, true> {
  return Object.fromEntries(Object.keys(map).map((key) => [key.toLowerCase(), true]));
}

function substitutePath(uri: string, path: Record<string, string>): string {
  // A greedy value keeps its slashes; other characters are encoded for the URL.
  return uri.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => (path[name] === undefined ? '' : path[name]!.split('/').map(encodeURIComponent).join('/')));
}

function withQuery(url: string, rawQuery: string, extra: Array<[string, string]>): string {
  const parts: string[] = [];
  if (rawQuery) parts.push(rawQuery);
  for (const [key, value] of extra) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  if (parts.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

/** What API Gateway adds in front of the function: the caller's address and the scheme it used. */
function withForwardedHeaders(request: ApiRequest): Array<[string, string]> {
  const headers = [...request.headers];
  const has = (name: string) => headers.some(([key]) => key.toLowerCase() === name.toLowerCase());
  if (!has('x-forwarded-for')) headers.push(['X-Forwarded-For', request.sourceIp]);
  if (!has('x-forwarded-proto')) headers.push(['X-Forwarded-Proto', 'https']);
  if (!has('x-forwarded-port')) headers.push(['X-Forwarded-Port', '443']);
  if (!has('x-amzn-trace-id')) headers.push(['X-Amzn-Trace-Id', `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`]);
  return headers;
}
