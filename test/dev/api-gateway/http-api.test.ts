import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApis, type RunningApis } from '../../../src/dev/api-gateway/index.js';
import { fakeInvoker, jwt, logSink, stubServer } from './fixtures/fakes.js';
import { ENDPOINTS, fixtureApp } from './fixtures/load.js';

describe('HTTP API (ApiGatewayV2)', () => {
  let apis: RunningApis;
  let base: string;
  let reply: (event: any) => any = () => ({ statusCode: 200, body: 'ok' });
  const { invoker, calls } = fakeInvoker({
    ItemsFunction: async (event) => {
      const payload = reply(event);
      return payload instanceof Error ? { ok: false, error: { errorType: 'Error', errorMessage: payload.message } } : { ok: true, payload };
    },
    V1Function: () => ({ ok: true, payload: { statusCode: 200, body: 'v1' } }),
  });
  const legacy = stubServer((request) => ({ status: 200, body: JSON.stringify({ url: request.url, method: request.method }) }));
  let stub: Awaited<typeof legacy>;

  beforeAll(async () => {
    stub = await legacy;
    const app = fixtureApp('http-api', ENDPOINTS);
    const integration = app.ofType('AWS::ApiGatewayV2::Integration').find((i) => i.properties.IntegrationType === 'HTTP_PROXY')!;
    integration.properties.IntegrationUri = `${stub.url}/{proxy}`;
    apis = await startApis({ app, invoker, endpoints: ENDPOINTS, log: logSink().log });
    base = apis.apis[0]!.url;
  });
  afterAll(async () => {
    await apis?.close();
    await stub?.close();
  });

  it('serves the $default stage without a path prefix', () => {
    expect(apis.apis[0]).toMatchObject({ name: 'items-http', kind: 'http', stage: '$default' });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('builds the 2.0 event', async () => {
    reply = () => ({ statusCode: 200, body: 'ok' });
    await fetch(`${base}/items/a%20b?x=1&x=2&y=`, { headers: { 'X-Dup': 'one', Cookie: 'a=1; b=2', 'User-Agent': 'ua' } });
    const { event } = calls.at(-1)!;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /items/{id}');
    expect(event.rawPath).toBe('/items/a b');
    expect(event.rawQueryString).toBe('x=1&x=2&y=');
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers['x-dup']).toBe('one');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['user-agent']).toBe('ua');
    expect(Object.keys(event.headers).every((k: string) => k === k.toLowerCase())).toBe(true);
    expect(event.queryStringParameters).toEqual({ x: '1,2', y: '' });
    expect(event.pathParameters).toEqual({ id: 'a b' });
    expect(event.stageVariables).toEqual({ env: 'local' });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBeUndefined();
    const rc = event.requestContext;
    expect(rc).toMatchObject({ accountId: '000000000000', apiId: apis.apis[0]!.id, domainPrefix: apis.apis[0]!.id, routeKey: 'GET /items/{id}', stage: '$default', http: { method: 'GET', path: '/items/a b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'ua' } });
    expect(rc.domainName).toBe(`${rc.apiId}.execute-api.us-east-1.amazonaws.com`);
    expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof rc.timeEpoch).toBe('number');
    expect(rc.authorizer).toBeUndefined();
  });

  it('base64-encodes non-text bodies and keeps JSON as text', async () => {
    await fetch(`${base}/items/x/y`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([1, 2, 3]) });
    expect(calls.at(-1)!.event).toMatchObject({ routeKey: 'ANY /items/{proxy+}', pathParameters: { proxy: 'x/y' }, isBase64Encoded: true, body: 'AQID' });
    await fetch(`${base}/items/x/y`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(calls.at(-1)!.event).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
  });

  it('applies the 2.0 response rules', async () => {
    reply = () => ({ hello: 'world' });
    let response = await fetch(`${base}/items/1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
    reply = () => 'plain';
    response = await fetch(`${base}/items/1`);
    expect(await response.text()).toBe('"plain"');
    reply = () => ({ statusCode: 201, headers: { 'x-a': 'b' }, cookies: ['s=1; HttpOnly', 't=2'], body: 'made' });
    response = await fetch(`${base}/items/1`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-a')).toBe('b');
    expect(response.headers.getSetCookie()).toEqual(['s=1; HttpOnly', 't=2']);
    expect(await response.text()).toBe('made');
  });

  it('answers 500 Internal Server Error for a function error', async () => {
    reply = () => new Error('boom');
    const response = await fetch(`${base}/items/1`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('falls back to $default, and prefers the more specific route', async () => {
    reply = () => ({ statusCode: 200, body: 'ok' });
    await fetch(`${base}/nowhere`, { method: 'DELETE' });
    expect(calls.at(-1)!.event.routeKey).toBe('$default');
    await fetch(`${base}/items/7`);
    expect(calls.at(-1)!.event.routeKey).toBe('GET /items/{id}');
  });

  it('sends payload format 1.0 events with version 1.0', async () => {
    const response = await fetch(`${base}/v1/zed?q=1`);
    expect(await response.text()).toBe('v1');
    const { event } = calls.at(-1)!;
    expect(event).toMatchObject({ version: '1.0', resource: '/v1/{name}', path: '/v1/zed', httpMethod: 'GET', pathParameters: { name: 'zed' }, queryStringParameters: { q: '1' }, multiValueQueryStringParameters: { q: ['1'] } });
    expect(event.requestContext).toMatchObject({ routeKey: 'GET /v1/{name}', stage: '$default' });
  });

  it('JWT authorizer: 401 without/with a bad token, 403 without the scope, claims in the event when valid', async () => {
    const post = (token?: string) => fetch(`${base}/items`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) }, body: '{}' });
    expect((await post()).status).toBe(401);
    const iss = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool';
    expect((await post(`Bearer ${jwt({ iss, client_id: 'other', scope: 'items/write' })}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt({ iss, client_id: 'client-1', scope: 'items/read' })}`)).status).toBe(403);
    const ok = await post(`Bearer ${jwt({ iss, client_id: 'client-1', sub: 'u1', scope: 'items/write openid' })}`);
    expect(ok.status).toBe(200);
    expect(calls.at(-1)!.event.requestContext.authorizer).toEqual({ jwt: { claims: { iss, client_id: 'client-1', sub: 'u1', scope: 'items/write openid' }, scopes: ['items/write', 'openid'] } });
  });

  it('answers CORS preflights itself and adds CORS headers for allowed origins', async () => {
    const preflight = await fetch(`${base}/items`, { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const other = await fetch(`${base}/items`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    reply = () => ({ statusCode: 200, body: 'ok' });
    const actual = await fetch(`${base}/items/1`, { headers: { Origin: 'https://app.example.com' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(actual.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  it('HTTP_PROXY forwards to the integration URI with the greedy path', async () => {
    const response = await fetch(`${base}/legacy/a/b?z=9`, { method: 'POST', body: 'x' });
    expect(await response.json()).toEqual({ url: '/a/b?z=9', method: 'POST' });
  });
});
