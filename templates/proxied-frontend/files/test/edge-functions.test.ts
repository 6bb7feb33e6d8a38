import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_PATH, EDGE_FUNCTION_FILES, UI_BASE_PATH, uiRouterCode } from '../infra/stacks/proxied-frontend-stack.js';
import { type CfRequest, type CfResponse, isResponse, loadCloudFrontFunction, viewerRequest } from './helpers/cloudfront-function.js';

// The two CloudFront Functions, run on CloudFront Functions event objects. test/infra.test.ts
// checks that the stack deploys exactly this code, on which behaviours.

const uiRouter = loadCloudFrontFunction(uiRouterCode(true), 'ui-router.js');
const uiRouterWithoutFallback = loadCloudFrontFunction(uiRouterCode(false), 'ui-router.js (spaFallback false)');
const apiRouter = loadCloudFrontFunction(readFileSync(EDGE_FUNCTION_FILES.apiRouter, 'utf8'), 'api-router.js');

const asRequest = (result: CfRequest | CfResponse): CfRequest => {
  if (isResponse(result)) throw new Error(`expected the request to go on, got a ${result.statusCode} response`);
  return result;
};
const asResponse = (result: CfRequest | CfResponse): CfResponse => {
  if (!isResponse(result)) throw new Error(`expected a response, the request went on to ${result.uri}`);
  return result;
};

describe('the UI router (viewer request on the default behaviour)', () => {
  it.each(['/', '/index.html', '/ui'])('redirects %s to the UI at /ui/', (uri) => {
    const response = asResponse(uiRouter(viewerRequest(uri)));
    expect(response.statusCode).toBe(302);
    expect(response.headers?.location).toEqual({ value: UI_BASE_PATH });
    // A redirect a browser does not keep: the base path may move.
    expect(response.headers?.['cache-control']).toEqual({ value: 'no-cache' });
  });

  it.each([
    ['/ui/', 'the UI root'],
    ['/ui/items/123', 'a client-side route'],
    ['/ui/items/', 'a client-side route ending in /'],
    ['/ui/items/01J0ITEM/edit', 'a nested client-side route'],
  ])('serves /ui/index.html for %s (%s)', (uri) => {
    expect(asRequest(uiRouter(viewerRequest(uri))).uri).toBe('/ui/index.html');
  });

  it.each(['/ui/assets/app-abc.js', '/ui/assets/main-4KXNQ2DA.css', '/ui/config.json', '/ui/index.html', '/ui/items/photo.v2.png'])(
    'leaves %s (a file) as it is',
    (uri) => {
      expect(asRequest(uiRouter(viewerRequest(uri))).uri).toBe(uri);
    },
  );

  it('keeps the rest of the request: method, headers, query string', () => {
    const event = viewerRequest('/ui/items/123', { querystring: { tab: 'history' }, headers: { 'accept-language': 'en' } });
    expect(asRequest(uiRouter(event))).toEqual({ ...event.request, uri: '/ui/index.html' });
  });

  it.each(['/favicon.ico', '/robots.txt', '/api', '/other/page', '/uix/items'])('answers %s with 404 without asking the bucket', (uri) => {
    expect(asResponse(uiRouter(viewerRequest(uri))).statusCode).toBe(404);
  });

  it('with spaFallback off, serves index.html only for paths ending in /, and lets the bucket answer routes', () => {
    expect(asRequest(uiRouterWithoutFallback(viewerRequest('/ui/'))).uri).toBe('/ui/index.html');
    expect(asRequest(uiRouterWithoutFallback(viewerRequest('/ui/items/'))).uri).toBe('/ui/items/index.html');
    expect(asRequest(uiRouterWithoutFallback(viewerRequest('/ui/items/123'))).uri).toBe('/ui/items/123');
    expect(asResponse(uiRouterWithoutFallback(viewerRequest('/'))).statusCode).toBe(302);
  });

  it('is the file as written with spaFallback on, and differs by that one setting with it off', () => {
    const file = readFileSync(EDGE_FUNCTION_FILES.uiRouter, 'utf8');
    expect(uiRouterCode(true)).toBe(file);
    expect(uiRouterCode(false)).toBe(file.replace('var SPA_FALLBACK = true;', 'var SPA_FALLBACK = false;'));
  });
});

describe('the API router (viewer request on /api/*)', () => {
  it('strips /api, so the origin path can put the stage in front', () => {
    expect(asRequest(apiRouter(viewerRequest('/api/items'))).uri).toBe('/items');
    expect(asRequest(apiRouter(viewerRequest('/api/items/01J0ITEM', { method: 'PUT' }))).uri).toBe('/items/01J0ITEM');
    expect(asRequest(apiRouter(viewerRequest('/api/'))).uri).toBe('/');
    expect(API_PATH).toBe('/api');
  });

  it("passes the viewer's IP address on in x-viewer-ip, whatever the client sent there", () => {
    const event = viewerRequest('/api/items', { method: 'POST', viewerIp: '203.0.113.9', headers: { 'x-viewer-ip': '10.0.0.1', 'idempotency-key': 'key-1' } });
    const request = asRequest(apiRouter(event));
    expect(request.headers['x-viewer-ip']).toEqual({ value: '203.0.113.9' });
    // Everything else goes on as the viewer sent it.
    expect(request).toEqual({ ...event.request, uri: '/items', headers: { ...event.request.headers, 'x-viewer-ip': { value: '203.0.113.9' } } });
  });

  it('keeps the query string (limit and cursor of a list call)', () => {
    const request = asRequest(apiRouter(viewerRequest('/api/items', { querystring: { limit: '10', cursor: 'eyJpZCI6IjEifQ' } })));
    expect(request.querystring).toEqual({ limit: { value: '10' }, cursor: { value: 'eyJpZCI6IjEifQ' } });
  });
});

describe('both functions', () => {
  it.each([
    ['ui-router.js', uiRouterCode(true)],
    ['api-router.js', readFileSync(EDGE_FUNCTION_FILES.apiRouter, 'utf8')],
  ])('%s fits CloudFront Functions: under 10 KB, no module system', (_, code) => {
    expect(Buffer.byteLength(code)).toBeLessThan(10 * 1024);
    expect(code).not.toMatch(/\b(require|import|export)\b\s*[({'"*]/);
  });
});
