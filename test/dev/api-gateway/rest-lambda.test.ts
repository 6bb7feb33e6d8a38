import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApis, type RunningApis } from '../../../src/dev/api-gateway/index.js';
import { ENDPOINTS, fixtureApp } from './fixtures/load.js';
import { fakeInvoker, logSink } from './fixtures/fakes.js';

describe('REST API with Lambda proxy integrations (backend-api)', () => {
  const app = fixtureApp('backend-api', ENDPOINTS);
  const { invoker, calls } = fakeInvoker({
    'GetItemFunction8A87186F': (event) => ({ ok: true, payload: { statusCode: 200, headers: { 'Content-Type': 'application/json', 'X-One': 'a' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: JSON.stringify({ id: event.pathParameters.id }) } }),
    'ListItemsFunction8FC9FFD9': () => ({ ok: true, payload: { statusCode: 200, body: '[]', extra: true } }),
    'CreateItemFunction4680EAD5': (event) => ({ ok: true, payload: { statusCode: '201', body: event.body } }),
    'UpdateItemFunction943AA430': () => ({ ok: false, error: { errorType: 'TypeError', errorMessage: 'boom' } }),
    'DeleteItemFunction6104015E': () => new Promise(() => undefined),
  });
  const { events, log } = logSink();
  let apis: RunningApis;
  let base: string;

  beforeAll(async () => {
    // The DELETE integration's timeout, shortened so the 504 path runs in milliseconds.
    const del = app.ofType('AWS::ApiGateway::Method').find((m) => m.properties.HttpMethod === 'DELETE')!;
    del.properties.Integration.TimeoutInMillis = 100;
    apis = await startApis({ app, invoker, endpoints: ENDPOINTS, log });
    base = apis.apis[0]!.url;
  });
  afterAll(() => apis?.close());

  it('serves the API under its stage and maps the execute-api domain to the local origin', () => {
    expect(apis.apis).toHaveLength(1);
    const [api] = apis.apis;
    expect(api).toMatchObject({ name: 'backend-api-local', kind: 'rest', stage: 'local' });
    expect(api!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local$/);
    expect(apis.originFor(`${api!.id}.execute-api.us-east-1.amazonaws.com`)).toBe(api!.url.replace(/\/local$/, ''));
    expect(apis.originFor(`https://${api!.id}.execute-api.us-east-1.amazonaws.com/local`)).toBe(api!.url.replace(/\/local$/, ''));
    expect(apis.originFor('other.execute-api.us-east-1.amazonaws.com')).toBeUndefined();
  });

  it('builds the v1 proxy event as API Gateway does', async () => {
    const response = await fetch(`${base}/items/ab%20c?limit=5&limit=7&cursor=x%2By`, { headers: { 'X-Multi': 'one', 'User-Agent': 'vitest-agent' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'ab c' });
    expect(response.headers.get('x-one')).toBe('a');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const { target, event } = calls.at(-1)!;
    expect(target).toBe('arn:aws:lambda:us-east-1:000000000000:function:backend-api-local-GetItemFunction8A87186F');
    expect(event.resource).toBe('/items/{id}');
    expect(event.path).toBe('/items/ab%20c');
    expect(event.httpMethod).toBe('GET');
    expect(event.headers['X-Multi']).toBe('one');
    expect(event.headers['User-Agent']).toBe('vitest-agent');
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one']);
    expect(event.queryStringParameters).toEqual({ limit: '7', cursor: 'x+y' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['5', '7'], cursor: ['x+y'] });
    expect(event.pathParameters).toEqual({ id: 'ab c' });
    expect(event.stageVariables).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    const rc = event.requestContext;
    expect(rc.resourcePath).toBe('/items/{id}');
    expect(rc.httpMethod).toBe('GET');
    expect(rc.path).toBe('/local/items/ab%20c');
    expect(rc.stage).toBe('local');
    expect(rc.accountId).toBe('000000000000');
    expect(rc.protocol).toBe('HTTP/1.1');
    expect(rc.apiId).toBe(apis.apis[0]!.id);
    expect(rc.domainName).toBe(`${rc.apiId}.execute-api.us-east-1.amazonaws.com`);
    expect(rc.domainPrefix).toBe(rc.apiId);
    expect(rc.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rc.extendedRequestId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(rc.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof rc.requestTimeEpoch).toBe('number');
    expect(rc.resourceId).toEqual(expect.any(String));
    expect(rc.identity).toMatchObject({ sourceIp: '127.0.0.1', userAgent: 'vitest-agent', caller: null, user: null, accessKey: null, cognitoIdentityId: null });
    expect(rc.authorizer).toBeUndefined();
  });

  it('passes a valid body through and takes a string statusCode', async () => {
    const response = await fetch(`${base}/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'pen' }) });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"name":"pen"}');
    expect(calls.at(-1)!.event.body).toBe('{"name":"pen"}');
  });

  it('refuses a body that fails its model with the BAD_REQUEST_BODY gateway response, without invoking', async () => {
    const before = calls.length;
    const response = await fetch(`${base}/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: '', colour: 'red' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'VALIDATION_ERROR', message: 'Invalid request body' } });
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(calls.length).toBe(before);
    expect(events.at(-1)!.data!.note).toContain('object instance has properties which are not allowed by the schema: ["colour"]');
  });

  it('answers an unknown route with MISSING_AUTHENTICATION_TOKEN as the API customized it (404)', async () => {
    const response = await fetch(`${base}/nothing/here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route matches this method and path' } });
    const wrongMethod = await fetch(`${base}/items`, { method: 'PATCH' });
    expect(wrongMethod.status).toBe(404);
  });

  it('answers 403 Forbidden outside the stage', async () => {
    const response = await fetch(base.replace(/\/local$/, '/prod/items'));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('turns a function error into 502 through DEFAULT_5XX', async () => {
    const response = await fetch(`${base}/items/1`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
  });

  it('turns a malformed proxy response (unexpected field) into 502', async () => {
    const response = await fetch(`${base}/items`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(events.at(-1)!.data!.note).toContain('malformed Lambda proxy response');
  });

  it('answers 504 when the function outlives the integration timeout', async () => {
    const response = await fetch(`${base}/items/1`, { method: 'DELETE' });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Endpoint request timed out' } });
  });

  it('refuses bodies over 10 MB with 413', async () => {
    const response = await fetch(`${base}/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.message).toBe('Request Too Long');
  });

  it('logs each request once', async () => {
    const before = events.length;
    await fetch(`${base}/items/7`);
    const added = events.slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ kind: 'request', source: 'backend-api-local', data: { status: 200, path: '/local/items/7' } });
    expect(added[0]!.message).toMatch(/^GET \/local\/items\/7 200 \d+ms$/);
  });
});
