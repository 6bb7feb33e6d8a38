import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApis, type RunningApis } from '../../../src/dev/api-gateway/index.js';
import { fakeInvoker, jwt, logSink } from './fixtures/fakes.js';
import { ENDPOINTS, fixtureApp } from './fixtures/load.js';

describe('REST authorizers', () => {
  let apis: RunningApis;
  let secured: string;
  let regional: string;
  const verdicts: Record<string, string> = { good: 'Allow', bad: 'Deny' };
  const { invoker, calls } = fakeInvoker({
    GetItemFunction8A87186F: (event) => ({ ok: true, payload: { statusCode: 200, body: JSON.stringify(event.requestContext.authorizer ?? null) } }),
    OriginVerifyAuthorizerFunctionF6F9336F: (event) => {
      const secret = event.headers['X-Origin-Verify'];
      if (secret === 'throw') return { ok: false, error: { errorType: 'Error', errorMessage: 'Unauthorized' } };
      return { ok: true, payload: { principalId: 'cloudfront', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: verdicts[secret] ?? 'Deny', Resource: event.methodArn }] }, context: { origin: 'edge', n: 1 } } };
    },
  });

  beforeAll(async () => {
    const app = fixtureApp(['secured-spa', 'regional-api'], ENDPOINTS);
    apis = await startApis({ app, invoker, endpoints: ENDPOINTS, log: logSink().log });
    secured = apis.apis.find((a) => a.name === 'secured-spa-local')!.url;
    regional = apis.apis.find((a) => a.name === 'regional-api-local')!.url;
  });
  afterAll(() => apis?.close());

  it('Cognito: 401 without a token, through DEFAULT_4XX', async () => {
    const response = await fetch(`${secured}/items/1`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Unauthorized' } });
  });

  it('Cognito: decodes the bare ID token into requestContext.authorizer.claims (strings, Java dates)', async () => {
    const token = jwt({ sub: 'u-1', email: 'a@b.c', 'cognito:groups': ['admin'], email_verified: true, exp: 4102444800, token_use: 'id' });
    const response = await fetch(`${secured}/items/1`, { headers: { Authorization: token } });
    expect(response.status).toBe(200);
    const authorizer: any = await response.json();
    expect(authorizer.claims).toEqual({ sub: 'u-1', email: 'a@b.c', 'cognito:groups': 'admin', email_verified: 'true', exp: 'Fri Jan 01 00:00:00 UTC 2100', token_use: 'id' });
    const expired = await fetch(`${secured}/items/1`, { headers: { Authorization: jwt({ sub: 'u', exp: 1000 }) } });
    expect(expired.status).toBe(401);
    const bearer = await fetch(`${secured}/items/1`, { headers: { Authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(401);
  });

  it('says in warnings() that Cognito tokens are not verified', () => {
    expect(apis.warnings().some((w) => w.includes('secured-spa-local') && /not verified/.test(w))).toBe(true);
  });

  it('REQUEST authorizer: missing identity source → UNAUTHORIZED (customized to 403) without invoking', async () => {
    const before = calls.length;
    const response = await fetch(`${regional}/items/1`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Call this API through its CloudFront distribution' } });
    expect(calls.length).toBe(before);
  });

  it('REQUEST authorizer: Allow passes its context on; the event carries methodArn and the request', async () => {
    const response = await fetch(`${regional}/items/9?x=1`, { headers: { 'X-Origin-Verify': 'good' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ origin: 'edge', n: 1, principalId: 'cloudfront', integrationLatency: 0 });
    const authorizerCall = calls.find((c) => c.event.type === 'REQUEST')!;
    const apiId = apis.apis.find((a) => a.name === 'regional-api-local')!.id;
    expect(authorizerCall.event).toMatchObject({ type: 'REQUEST', methodArn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/local/GET/items/9`, resource: '/items/{id}', path: '/items/9', httpMethod: 'GET', queryStringParameters: { x: '1' }, pathParameters: { id: '9' } });
    expect(authorizerCall.event.headers['X-Origin-Verify']).toBe('good');
  });

  it('REQUEST authorizer: caches the policy per identity, so a policy for one method ARN refuses another route', async () => {
    const before = calls.length;
    const response = await fetch(`${regional}/items/10`, { headers: { 'X-Origin-Verify': 'good' } });
    // Cached: no new authorizer call; the cached Allow names /items/9 only → ACCESS_DENIED (403).
    expect(calls.slice(before).some((c) => c.event.type === 'REQUEST')).toBe(false);
    expect(response.status).toBe(403);
  });

  it('REQUEST authorizer: Deny → ACCESS_DENIED; "Unauthorized" error → UNAUTHORIZED', async () => {
    const denied = await fetch(`${regional}/items/1`, { headers: { 'X-Origin-Verify': 'bad' } });
    expect(denied.status).toBe(403);
    const thrown = await fetch(`${regional}/items/1`, { headers: { 'X-Origin-Verify': 'throw' } });
    expect(thrown.status).toBe(403);
    expect(((await thrown.json()) as any).error.code).toBe('FORBIDDEN');
  });
});
