/**
 * HTTP APIs (AWS::ApiGatewayV2::Api, ProtocolType HTTP) served locally: routes by route key
 * (most specific first, `$default` last), Lambda proxy integrations in payload format 1.0 or 2.0,
 * HTTP_PROXY, the stage's path prefix (none for `$default`), CORS and JWT authorizers (claims
 * decoded without verifying signatures).
 */
import { randomUUID } from 'node:crypto';

import type { Invoker, ResolvedApp, ResolvedResource } from '../types.js';
import { forward, forwardableHeaders } from './forward.js';
import { decodeJwt, tokenScopes } from './jwt.js';
import type { ApiRequest, ApiResponse } from './messages.js';
import { clfTime, decodePathSegment, extendedRequestId, headerValue, jsonResponse, mediaType, parseQuery, valueMapsJoined, withTimeout } from './messages.js';
import { buildV1Event, identity, LOCAL_ACCOUNT_ID, localDomain, parseV1Result } from './proxy-v1.js';

export interface HttpRoute {
  routeKey: string;
  method: string;
  /** Path segments of the route (`['items', '{id}']`); empty for `$default`. */
  segments: string[];
  integration?: HttpIntegration;
  authorizationType: string;
  authorizer?: HttpAuthorizer;
  authorizationScopes: string[];
}

export interface HttpIntegration {
  type: 'AWS_PROXY' | 'HTTP_PROXY';
  uri: string;
  method: string;
  payloadFormatVersion: '1.0' | '2.0';
  timeoutMs: number;
}

export interface HttpAuthorizer {
  id: string;
  name: string;
  type: string;
  identitySource: string[];
  audience: string[];
  issuer?: string;
}

export interface HttpCors {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface HttpApiModel {
  id: string;
  logicalId: string;
  stack: string;
  name: string;
  stage: string;
  stageVariables: Record<string, string>;
  routes: HttpRoute[];
  cors?: HttpCors;
  warnings: string[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

export function readHttpApis(app: ResolvedApp): { apis: HttpApiModel[]; warnings: string[] } {
  const warnings: string[] = [];
  const apis: HttpApiModel[] = [];
  for (const api of app.ofType('AWS::ApiGatewayV2::Api')) {
    const protocol = str(api.properties.ProtocolType) ?? 'HTTP';
    if (protocol !== 'HTTP') {
      warnings.push(`${str(api.properties.Name) ?? api.logicalId}: ${protocol} APIs are not served locally`);
      continue;
    }
    apis.push(readHttpApi(app, api));
  }
  return { apis, warnings };
}

function readHttpApi(app: ResolvedApp, api: ResolvedResource): HttpApiModel {
  const warnings: string[] = [];
  const name = str(api.properties.Name) ?? api.logicalId;
  const belongs = (resource: ResolvedResource) => resource.properties.ApiId === api.ref;
  const integrations = new Map<string, HttpIntegration>();
  for (const integration of app.ofType('AWS::ApiGatewayV2::Integration').filter(belongs)) {
    const p = integration.properties;
    const type = str(p.IntegrationType)?.toUpperCase();
    const uri = str(p.IntegrationUri);
    if ((type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') || !uri) {
      warnings.push(`${name}: integration ${integration.logicalId} (${type ?? '?'}) is not served locally`);
      continue;
    }
    integrations.set(integration.ref, {
      type,
      uri: type === 'AWS_PROXY' ? (/\/functions\/(.+)\/invocations$/.exec(uri)?.[1] ?? uri) : uri,
      method: (str(p.IntegrationMethod) ?? 'ANY').toUpperCase(),
      payloadFormatVersion: str(p.PayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
      timeoutMs: p.TimeoutInMillis === undefined ? 30_000 : Number(p.TimeoutInMillis),
    });
  }
  const authorizers = new Map<string, HttpAuthorizer>();
  for (const authorizer of app.ofType('AWS::ApiGatewayV2::Authorizer').filter(belongs)) {
    const p = authorizer.properties;
    const type = str(p.AuthorizerType) ?? 'JWT';
    if (type !== 'JWT') warnings.push(`${name}: ${type} authorizer ${authorizer.logicalId} is not run locally; its routes refuse every call`);
    authorizers.set(authorizer.ref, {
      id: authorizer.ref,
      name: str(p.Name) ?? authorizer.logicalId,
      type,
      identitySource: strList(p.IdentitySource).length ? strList(p.IdentitySource) : ['$request.header.Authorization'],
      audience: strList(p.JwtConfiguration?.Audience),
      issuer: str(p.JwtConfiguration?.Issuer),
    });
  }
  const routes: HttpRoute[] = [];
  for (const route of app.ofType('AWS::ApiGatewayV2::Route').filter(belongs)) {
    const p = route.properties;
    const routeKey = str(p.RouteKey) ?? '$default';
    const target = str(p.Target)?.replace(/^integrations\//, '');
    routes.push({
      ...parseRouteKey(routeKey),
      integration: target ? integrations.get(target) : undefined,
      authorizationType: str(p.AuthorizationType) ?? 'NONE',
      authorizer: str(p.AuthorizerId) ? authorizers.get(p.AuthorizerId) : undefined,
      authorizationScopes: strList(p.AuthorizationScopes),
    });
  }
  // Quick create: Target (a function ARN) and RouteKey on the API itself.
  const quickTarget = str(api.properties.Target);
  if (quickTarget) {
    routes.push({ ...parseRouteKey(str(api.properties.RouteKey) ?? '$default'), integration: { type: /^arn:/.test(quickTarget) ? 'AWS_PROXY' : 'HTTP_PROXY', uri: quickTarget, method: 'ANY', payloadFormatVersion: '2.0', timeoutMs: 30_000 }, authorizationType: 'NONE', authorizationScopes: [] });
  }
  const stages = app.ofType('AWS::ApiGatewayV2::Stage').filter(belongs);
  const stage = stages.find((s) => s.properties.StageName === '$default') ?? stages[0];
  const stageVariables: Record<string, string> = {};
  for (const [key, value] of Object.entries(stage?.properties.StageVariables ?? {})) if (typeof value === 'string') stageVariables[key] = value;
  const corsRaw = api.properties.CorsConfiguration;
  const cors: HttpCors | undefined = corsRaw
    ? {
        allowOrigins: strList(corsRaw.AllowOrigins),
        allowMethods: strList(corsRaw.AllowMethods).map((m) => m.toUpperCase()),
        allowHeaders: strList(corsRaw.AllowHeaders).map((h) => h.toLowerCase()),
        exposeHeaders: strList(corsRaw.ExposeHeaders).map((h) => h.toLowerCase()),
        allowCredentials: corsRaw.AllowCredentials === true,
        maxAge: corsRaw.MaxAge === undefined ? undefined : Number(corsRaw.MaxAge),
      }
    : undefined;
  return { id: api.ref, logicalId: api.logicalId, stack: api.stack, name, stage: str(stage?.properties.StageName) ?? '$default', stageVariables, routes, cors, warnings };
}

function parseRouteKey(routeKey: string): Pick<HttpRoute, 'routeKey' | 'method' | 'segments'> {
  if (routeKey === '$default') return { routeKey, method: 'ANY', segments: [] };
  const [method, path] = routeKey.split(/\s+/, 2);
  return { routeKey, method: (method ?? 'ANY').toUpperCase(), segments: (path ?? '/').split('/').filter(Boolean) };
}

interface RouteMatch {
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

/** The most specific route: literal segments before variables before greedy, then an exact method before ANY; `$default` last. */
export function matchHttpRoute(routes: HttpRoute[], method: string, segments: string[]): RouteMatch | undefined {
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < route.segments.length && ok; i++) {
      const part = route.segments[i]!;
      if (/^\{.+\+\}$/.test(part)) {
        if (i >= segments.length || i !== route.segments.length - 1) ok = false;
        else {
          params[part.slice(1, -2)] = segments.slice(i).map(decodePathSegment).join('/');
          score.push(1);
        }
        break;
      }
      const segment = segments[i];
      if (segment === undefined) ok = false;
      else if (/^\{.+\}$/.test(part)) {
        params[part.slice(1, -1)] = decodePathSegment(segment);
        score.push(2);
      } else if (part === decodePathSegment(segment)) score.push(3);
      else ok = false;
    }
    const greedy = route.segments.length > 0 && /^\{.+\+\}$/.test(route.segments[route.segments.length - 1]!);
    if (!ok || (!greedy && route.segments.length !== segments.length)) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compare(score, best.score) > 0) best = { match: { route, pathParameters: params }, score };
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

export interface HttpApiDeps {
  invoker: Invoker;
  now?: () => number;
}

export interface HttpApiHandler {
  model: HttpApiModel;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

const TEXT_TYPES = [/^text\//, /^application\/(.+\+)?json$/, /^application\/(.+\+)?xml$/, /^application\/javascript$/];

export function createHttpApi(model: HttpApiModel, deps: HttpApiDeps): HttpApiHandler {
  const now = deps.now ?? Date.now;
  const domainName = localDomain(model.id);

  async function handle(request: ApiRequest): Promise<ApiResponse> {
    const method = request.method.toUpperCase();
    let segments = request.path.split('/').filter(Boolean);
    if (model.stage !== '$default') {
      if (segments[0] !== model.stage) return jsonResponse(404, { message: 'Not Found' });
      segments = segments.slice(1);
    }
    const origin = headerValue(request.headers, 'origin');
    // With CORS configured, API Gateway answers preflight requests itself.
    if (model.cors && method === 'OPTIONS' && origin && headerValue(request.headers, 'access-control-request-method')) return preflight(model.cors, origin, request);
    const response = await route(request, method, segments);
    if (model.cors && origin) addCorsHeaders(model.cors, origin, response);
    return response;
  }

  async function route(request: ApiRequest, method: string, segments: string[]): Promise<ApiResponse> {
    if (request.tooLarge) return jsonResponse(413, { message: 'Request Entity Too Large' });
    const match = matchHttpRoute(model.routes, method, segments);
    if (!match) return { ...jsonResponse(404, { message: 'Not Found' }), note: 'no route' };
    const { route, pathParameters } = match;
    const epoch = now();
    const requestId = extendedRequestId();
    let authorizer: Record<string, unknown> | undefined;
    if (route.authorizationType === 'JWT' || route.authorizationType === 'CUSTOM') {
      const result = jwtAuthorize(route, request, epoch);
      if (!result.ok) return result.response;
      authorizer = result.authorizer;
    }
    const integration = route.integration;
    if (!integration) return { ...jsonResponse(500, { message: 'Internal Server Error' }), note: `route ${route.routeKey} has no local integration` };
    if (integration.type === 'HTTP_PROXY') return httpProxy(request, integration, pathParameters, method);

    if (!deps.invoker.has(integration.uri)) return { ...jsonResponse(500, { message: 'Internal Server Error' }), note: `no local function ${integration.uri}` };
    const event =
      integration.payloadFormatVersion === '2.0'
        ? buildV2Event({ request, route, pathParameters, requestId, epoch, authorizer })
        : { version: '1.0', ...buildV1Event({ resource: route.routeKey === '$default' ? '$default' : `/${route.segments.join('/')}`, path: request.path, httpMethod: method, headers: withForwarded(request), query: parseQuery(request.rawQuery), pathParameters, stageVariables: model.stageVariables, body: request.body, binary: !isText(request), requestContext: { ...v1Context(request, route, requestId, epoch), ...(authorizer ? { authorizer } : {}) } as any }) };
    const outcome = await withTimeout(deps.invoker.invoke(integration.uri, event), integration.timeoutMs);
    if (outcome.timedOut) return { ...jsonResponse(503, { message: 'Service Unavailable' }), note: `function did not answer within ${integration.timeoutMs} ms` };
    if (!outcome.value.ok) return { ...jsonResponse(500, { message: 'Internal Server Error' }), note: `function error ${outcome.value.error.errorType}: ${outcome.value.error.errorMessage}` };
    const parsed = integration.payloadFormatVersion === '2.0' ? parseV2Result(outcome.value.payload) : parseV1Result(outcome.value.payload, ['*/*'], '*/*');
    if (!parsed.ok) return { ...jsonResponse(500, { message: 'Internal Server Error' }), note: `malformed Lambda response: ${parsed.reason}` };
    return parsed.response;
  }

  function v1Context(request: ApiRequest, route: HttpRoute, requestId: string, epoch: number): Record<string, unknown> {
    return {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: model.id,
      domainName,
      domainPrefix: model.id,
      extendedRequestId: requestId,
      httpMethod: request.method.toUpperCase(),
      identity: identity(request.sourceIp, headerValue(request.headers, 'user-agent')),
      path: request.path,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: clfTime(epoch),
      requestTimeEpoch: epoch,
      resourceId: route.routeKey,
      resourcePath: route.routeKey === '$default' ? '$default' : `/${route.segments.join('/')}`,
      routeKey: route.routeKey,
      stage: model.stage,
    };
  }

  function buildV2Event(input: { request: ApiRequest; route: HttpRoute; pathParameters: Record<string, string>; requestId: string; epoch: number; authorizer?: Record<string, unknown> }): Record<string, unknown> {
    const { request } = input;
    const headers = withForwarded(request);
    const cookies: string[] = [];
    const otherHeaders: Array<[string, string]> = [];
    for (const [key, value] of headers) {
      if (key.toLowerCase() === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      else otherHeaders.push([key.toLowerCase(), value]);
    }
    const query = parseQuery(request.rawQuery);
    // HTTP APIs hand the path on decoded (and so does http.path).
    const rawPath = decodePathSegment(request.path);
    const text = isText(request);
    const event: Record<string, unknown> = {
      version: '2.0',
      routeKey: input.route.routeKey,
      rawPath,
      rawQueryString: request.rawQuery,
    };
    if (cookies.length) event.cookies = cookies;
    event.headers = valueMapsJoined(otherHeaders);
    if (query.length) event.queryStringParameters = valueMapsJoined(query);
    event.requestContext = {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: model.id,
      ...(input.authorizer ? { authorizer: input.authorizer } : {}),
      domainName,
      domainPrefix: model.id,
      http: { method: request.method.toUpperCase(), path: rawPath, protocol: 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: headerValue(request.headers, 'user-agent') ?? '' },
      requestId: input.requestId,
      routeKey: input.route.routeKey,
      stage: model.stage,
      time: clfTime(input.epoch),
      timeEpoch: input.epoch,
    };
    if (request.body.length) event.body = request.body.toString(text ? 'utf8' : 'base64');
    if (Object.keys(input.pathParameters).length) event.pathParameters = input.pathParameters;
    event.isBase64Encoded = request.body.length > 0 && !text;
    if (Object.keys(model.stageVariables).length) event.stageVariables = model.stageVariables;
    return event;
  }

  function jwtAuthorize(route: HttpRoute, request: ApiRequest, epoch: number): { ok: true; authorizer: Record<string, unknown> } | { ok: false; response: ApiResponse } {
    const unauthorized = (note: string) => ({ ok: false as const, response: { ...jsonResponse(401, { message: 'Unauthorized' }, [['www-authenticate', 'Bearer']]), note } });
    const authorizer = route.authorizer;
    if (!authorizer || authorizer.type !== 'JWT') return unauthorized('the route\'s authorizer is not run locally');
    const source = authorizer.identitySource[0] ?? '$request.header.Authorization';
    const headerName = /^\$request\.header\.(.+)$/.exec(source)?.[1];
    const queryName = /^\$request\.querystring\.(.+)$/.exec(source)?.[1];
    let token = headerName ? headerValue(request.headers, headerName) : queryName ? parseQuery(request.rawQuery).find(([k]) => k === queryName)?.[1] : undefined;
    if (!token) return unauthorized('no token');
    // JWT authorizers accept the token with or without the Bearer scheme.
    token = token.replace(/^Bearer\s+/i, '');
    const decoded = decodeJwt(token, epoch);
    if (!decoded.ok) return unauthorized(`token ${decoded.reason}`);
    const claims = decoded.claims;
    if (authorizer.issuer && claims.iss !== authorizer.issuer) return unauthorized(`issuer ${String(claims.iss)} is not ${authorizer.issuer}`);
    if (authorizer.audience.length) {
      const audiences = [claims.aud, claims.client_id].flat().filter((a): a is string => typeof a === 'string');
      if (!audiences.some((a) => authorizer.audience.includes(a))) return unauthorized('audience does not match');
    }
    const scopes = tokenScopes(claims);
    if (route.authorizationScopes.length && !route.authorizationScopes.some((scope) => scopes.includes(scope))) {
      return { ok: false, response: { ...jsonResponse(403, { message: 'Forbidden' }), note: 'missing scope' } };
    }
    const stringClaims: Record<string, string> = {};
    for (const [key, value] of Object.entries(claims)) stringClaims[key] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'string' ? value : JSON.stringify(value);
    return { ok: true, authorizer: { jwt: { claims: stringClaims, scopes: scopes.length ? scopes : null } } };
  }

  async function httpProxy(request: ApiRequest, integration: HttpIntegration, pathParameters: Record<string, string>, method: string): Promise<ApiResponse> {
    let url = integration.uri.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => (pathParameters[name] ?? '').split('/').map(encodeURIComponent).join('/'));
    if (request.rawQuery) url += `${url.includes('?') ? '&' : '?'}${request.rawQuery}`;
    const result = await forward({ method: integration.method === 'ANY' ? method : integration.method, url, headers: forwardableHeaders(withForwarded(request)), body: request.body, timeoutMs: integration.timeoutMs });
    if (result.kind === 'timeout') return { ...jsonResponse(504, { message: 'Gateway Timeout' }), note: `${url} did not answer within ${integration.timeoutMs} ms` };
    if (result.kind === 'error') return { ...jsonResponse(500, { message: 'Internal Server Error' }), note: `${url}: ${result.message}` };
    return { statusCode: result.status, headers: result.headers, body: result.body };
  }

  return { model, handle };
}

function isText(request: ApiRequest): boolean {
  const type = mediaType(headerValue(request.headers, 'content-type'));
  return type !== undefined && TEXT_TYPES.some((pattern) => pattern.test(type));
}

function withForwarded(request: ApiRequest): Array<[string, string]> {
  const headers = [...request.headers];
  const has = (name: string) => headers.some(([key]) => key.toLowerCase() === name);
  if (!has('x-forwarded-for')) headers.push(['X-Forwarded-For', request.sourceIp]);
  if (!has('x-forwarded-proto')) headers.push(['X-Forwarded-Proto', 'https']);
  if (!has('x-forwarded-port')) headers.push(['X-Forwarded-Port', '443']);
  if (!has('x-amzn-trace-id')) headers.push(['X-Amzn-Trace-Id', `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`]);
  return headers;
}

/**
 * Payload 2.0 response rules: an object with statusCode is the response; anything else (an
 * object without statusCode, a string, a number) is the 200 application/json body, JSON-encoded.
 */
export function parseV2Result(payload: unknown): { ok: true; response: ApiResponse } | { ok: false; reason: string } {
  if (payload === undefined) return { ok: false, reason: 'the function returned nothing' };
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || !('statusCode' in payload)) {
    return { ok: true, response: { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(payload)) } };
  }
  const result = payload as Record<string, unknown>;
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return { ok: false, reason: 'statusCode is not a valid status' };
  const headers: Array<[string, string]> = [];
  for (const [key, value] of Object.entries((result.headers ?? {}) as Record<string, unknown>)) headers.push([key, String(value)]);
  for (const [key, values] of Object.entries((result.multiValueHeaders ?? {}) as Record<string, unknown>)) if (Array.isArray(values)) for (const value of values) headers.push([key, String(value)]);
  if (Array.isArray(result.cookies)) for (const cookie of result.cookies) headers.push(['set-cookie', String(cookie)]);
  if (!headerValue(headers, 'content-type')) headers.push(['content-type', 'application/json']);
  const body = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  return { ok: true, response: { statusCode: status, headers, body: result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8') } };
}

function originAllowed(cors: HttpCors, origin: string): string | undefined {
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

function preflight(cors: HttpCors, origin: string, request: ApiRequest): ApiResponse {
  const allowedOrigin = originAllowed(cors, origin);
  const requestedMethod = headerValue(request.headers, 'access-control-request-method')!.toUpperCase();
  const requestedHeaders = (headerValue(request.headers, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const methodOk = cors.allowMethods.includes('*') || cors.allowMethods.includes(requestedMethod);
  const headersOk = cors.allowHeaders.includes('*') || requestedHeaders.every((h) => cors.allowHeaders.includes(h));
  const headers: Array<[string, string]> = [];
  if (allowedOrigin && methodOk && headersOk) {
    headers.push(['access-control-allow-origin', allowedOrigin]);
    headers.push(['access-control-allow-methods', cors.allowMethods.includes('*') ? requestedMethod : cors.allowMethods.join(',')]);
    if (requestedHeaders.length) headers.push(['access-control-allow-headers', cors.allowHeaders.includes('*') ? requestedHeaders.join(',') : cors.allowHeaders.join(',')]);
    if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (cors.maxAge !== undefined) headers.push(['access-control-max-age', String(cors.maxAge)]);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0), note: allowedOrigin && methodOk && headersOk ? 'CORS preflight' : 'CORS preflight refused' };
}

function addCorsHeaders(cors: HttpCors, origin: string, response: ApiResponse): void {
  const allowedOrigin = originAllowed(cors, origin);
  if (!allowedOrigin) return;
  // API Gateway's CORS headers replace the integration's own.
  response.headers = response.headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
  response.headers.push(['access-control-allow-origin', allowedOrigin]);
  if (cors.allowCredentials) response.headers.push(['access-control-allow-credentials', 'true']);
  if (cors.exposeHeaders.length) response.headers.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  if (allowedOrigin !== '*') response.headers.push(['vary', 'origin']);
}
