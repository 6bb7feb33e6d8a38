import { describe, expect, it } from 'vitest';

import { forwardedRequest, MANAGED_ORIGIN_REQUEST_POLICIES, parametersOf } from '../../../src/dev/edge/forwarding.js';
import { behaviourFor, pathPatternMatches } from '../../../src/dev/edge/path-pattern.js';
import { applyResponseHeadersPolicy, MANAGED_RESPONSE_HEADERS_POLICIES } from '../../../src/dev/edge/response-headers.js';
import { bucketOfDomain } from '../../../src/dev/edge/origins.js';
import { globMatches } from '../../../src/dev/edge/bucket-deployment.js';
import type { CloudFrontResponse } from '../../../src/runtime/edge-router/cloudfront.js';

const h = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), [{ key: k, value: v }]]));

describe('path patterns', () => {
  it("follow CloudFront's wildcards: * any run (slashes too), ? one character, case-sensitive, leading slash optional", () => {
    expect(pathPatternMatches('/assets/*', '/assets/a/b.js')).toBe(true);
    expect(pathPatternMatches('assets/*', '/assets/x')).toBe(true);
    expect(pathPatternMatches('/assets/*', '/assets')).toBe(false);
    expect(pathPatternMatches('/items*', '/items')).toBe(true);
    expect(pathPatternMatches('/items*', '/items/1')).toBe(true);
    expect(pathPatternMatches('/*.jpg', '/a/b.jpg')).toBe(true);
    expect(pathPatternMatches('/img?.png', '/img1.png')).toBe(true);
    expect(pathPatternMatches('/img?.png', '/img.png')).toBe(false);
    expect(pathPatternMatches('/Assets/*', '/assets/x')).toBe(false);
  });

  it('pick the first matching behaviour in order, else the default', () => {
    const behaviours = [{ pattern: '/api/*', id: 1 }, { pattern: '/api/public/*', id: 2 }];
    expect(behaviourFor('/api/public/x', behaviours, { pattern: '*', id: 0 }).id).toBe(1);
    expect(behaviourFor('/other', behaviours, { pattern: '*', id: 0 }).id).toBe(0);
  });
});

describe('response headers policies', () => {
  it("keep the origin's header when Override is false and replace it when true", () => {
    const response: CloudFrontResponse = { status: '200', headers: h({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'whatever', 'X-Powered-By': 'php' }) };
    applyResponseHeadersPolicy({ ...MANAGED_RESPONSE_HEADERS_POLICIES['67f7725c-6f97-4210-82d7-5512b31e9d03']!.config, RemoveHeadersConfig: { Items: [{ Header: 'X-Powered-By' }] } }, { method: 'GET', headers: {} }, response);
    expect(response.headers['x-frame-options']![0]!.value).toBe('DENY');
    expect(response.headers['x-content-type-options']![0]!.value).toBe('nosniff');
    expect(response.headers['strict-transport-security']![0]!.value).toBe('max-age=31536000');
    expect(response.headers['x-xss-protection']![0]!.value).toBe('1; mode=block');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('add CORS headers only to CORS requests, the preflight ones only to preflights', () => {
    const policy = MANAGED_RESPONSE_HEADERS_POLICIES['5cc3b908-e619-4b99-88e5-2cf7f45965bd']!.config;
    const plain: CloudFrontResponse = { status: '200', headers: {} };
    applyResponseHeadersPolicy(policy, { method: 'GET', headers: {} }, plain);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const simple: CloudFrontResponse = { status: '200', headers: {} };
    applyResponseHeadersPolicy(policy, { method: 'GET', headers: h({ Origin: 'https://a.example' }) }, simple);
    expect(simple.headers['access-control-allow-origin']![0]!.value).toBe('*');
    expect(simple.headers['access-control-expose-headers']![0]!.value).toBe('*');
    expect(simple.headers['access-control-allow-methods']).toBeUndefined();
    const preflight: CloudFrontResponse = { status: '200', headers: {} };
    applyResponseHeadersPolicy(policy, { method: 'OPTIONS', headers: h({ Origin: 'https://a.example', 'Access-Control-Request-Method': 'PUT' }) }, preflight);
    expect(preflight.headers['access-control-allow-methods']![0]!.value).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
    const specific: CloudFrontResponse = { status: '200', headers: {} };
    applyResponseHeadersPolicy(
      { CorsConfig: { AccessControlAllowOrigins: { Items: ['https://*.example.com'] }, AccessControlAllowHeaders: { Items: [] }, AccessControlAllowMethods: { Items: ['ALL'] }, AccessControlAllowCredentials: true, OriginOverride: true } },
      { method: 'GET', headers: h({ Origin: 'https://app.example.com' }) },
      specific,
    );
    expect(specific.headers['access-control-allow-origin']![0]!.value).toBe('https://app.example.com');
    expect(specific.headers['access-control-allow-credentials']![0]!.value).toBe('true');
  });
});

describe('what reaches the origin', () => {
  const viewer = { clientIp: '10.0.0.1', querystring: 'a=1&b=2', headers: h({ Host: 'd111.cloudfront.net', Cookie: 'x=1; y=2', 'X-Sprout-Release': 'r-aaaaaaaaaaaa', 'User-Agent': 'curl' }) };

  it('with a cache policy keyed on two headers and nothing else: only those, the origin Host, no cookies or query', () => {
    const policy = parametersOf({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-sprout-release', 'x-sprout-experiment'] }, CookiesConfig: { CookieBehavior: 'none' }, QueryStringsConfig: { QueryStringBehavior: 'none' } });
    const out = forwardedRequest(viewer, [policy], 'bucket.s3.us-east-1.amazonaws.com');
    expect(out.headers['x-sprout-release']![0]!.value).toBe('r-aaaaaaaaaaaa');
    expect(out.headers['host']![0]!.value).toBe('bucket.s3.us-east-1.amazonaws.com');
    expect(out.headers['cookie']).toBeUndefined();
    expect(out.headers['user-agent']![0]!.value).toBe('Amazon CloudFront');
    expect(out.headers['x-forwarded-for']![0]!.value).toBe('10.0.0.1');
    expect(out.querystring).toBe('');
  });

  it('with AllViewerExceptHostHeader: everything but Host', () => {
    const out = forwardedRequest(viewer, [MANAGED_ORIGIN_REQUEST_POLICIES['b689b0a8-53d0-40ab-baf2-68738e2966ac']!.parameters], 'api.example.com');
    expect(out.headers['host']![0]!.value).toBe('api.example.com');
    expect(out.headers['cookie']![0]!.value).toBe('x=1; y=2');
    expect(out.querystring).toBe('a=1&b=2');
  });

  it('whitelisted cookies and query strings only', () => {
    const policy = parametersOf({ CookiesConfig: { CookieBehavior: 'whitelist', Cookies: ['y'] }, QueryStringsConfig: { QueryStringBehavior: 'allExcept', QueryStrings: ['a'] } });
    const out = forwardedRequest(viewer, [policy], 'o');
    expect(out.headers['cookie']![0]!.value).toBe('y=2');
    expect(out.querystring).toBe('b=2');
  });
});

describe('origin domains and deployment filters', () => {
  it('recognizes S3 REST endpoints, not website endpoints', () => {
    expect(bucketOfDomain('my-bucket.s3.us-east-1.amazonaws.com')).toBe('my-bucket');
    expect(bucketOfDomain('my.bucket.s3.amazonaws.com')).toBe('my.bucket');
    expect(bucketOfDomain('my-bucket.s3-website-us-east-1.amazonaws.com')).toBeUndefined();
    expect(bucketOfDomain('abc.execute-api.us-east-1.amazonaws.com')).toBeUndefined();
  });

  it("matches aws s3 sync's fnmatch filters (a * crosses folders)", () => {
    expect(globMatches('assets/*', 'assets/a/b.js')).toBe(true);
    expect(globMatches('*', 'index.html')).toBe(true);
    expect(globMatches('releases/*', 'assets/x')).toBe(false);
    expect(globMatches('*.htm?', 'a/b.html')).toBe(true);
  });
});
