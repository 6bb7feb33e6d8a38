import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createViewerAuth, type ViewerAuthSettings } from '../src/edge/viewer-auth.js';
import { DISTRIBUTION, viewerRequestEvent } from './helpers/cloudfront-events.js';
import { CLIENT_ID, fakeFetch, JWKS_URL, REGION, signToken, testKey, USER_POOL_ID } from './helpers/tokens.js';

const settings: ViewerAuthSettings = {
  region: REGION,
  cookieName: 'id_token',
  signInPath: '/signin',
  configPath: '/config.json',
  publicPaths: ['/assets/', '/favicon.ico'],
  configTtlSeconds: 300,
};
const CONFIG_URL = `https://${DISTRIBUTION.distributionDomainName}/config.json`;
const key = testKey();

function setup(config: unknown = { apiUrl: 'https://api.example.com/', userPoolId: USER_POOL_ID, clientId: CLIENT_ID }) {
  const fake = fakeFetch({ [CONFIG_URL]: () => config, [JWKS_URL]: () => ({ keys: [key.jwk] }) });
  return { handler: createViewerAuth(settings, { fetch: fake.fetch }), calls: fake.calls };
}
const asResponse = (result: unknown) => result as CloudFrontResultResponse;
const asRequest = (result: unknown) => result as CloudFrontRequest;

describe('viewer-request: the secure static site', () => {
  it('lets a request with a valid ID token cookie through, unchanged', async () => {
    const { handler } = setup();
    const event = viewerRequestEvent({ uri: '/items/42', headers: { Cookie: `theme=dark; id_token=${signToken(key)}` } });
    const before = structuredClone(event.Records[0]!.cf.request);
    expect(await handler(event)).toEqual(before);
  });

  it('redirects a request without the cookie to /signin, remembering where it was going', async () => {
    const { handler, calls } = setup();
    const response = asResponse(await handler(viewerRequestEvent({ uri: '/items/42', querystring: 'tab=history' })));
    expect(response.status).toBe('302');
    expect(response.headers?.location).toEqual([{ key: 'Location', value: `/signin?next=${encodeURIComponent('/items/42?tab=history')}` }]);
    expect(response.headers?.['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
    // No cookie: nothing to verify, no network.
    expect(calls).toEqual([]);
  });

  it.each([
    ['expired', () => signToken(key, { exp: Math.floor(Date.now() / 1000) - 600 })],
    ['for another client', () => signToken(key, { aud: 'another' })],
    ['signed by another key', () => signToken({ ...testKey(), kid: key.kid })],
    ['an access token', () => signToken(key, { token_use: 'access' })],
  ])('redirects and clears the cookie when the token is %s', async (_, token) => {
    const { handler } = setup();
    const response = asResponse(await handler(viewerRequestEvent({ uri: '/', headers: { Cookie: `id_token=${token()}` } })));
    expect(response.status).toBe('302');
    expect(response.headers?.['set-cookie']?.[0]?.value).toBe('id_token=; Path=/; Secure; SameSite=Lax; Max-Age=0');
  });

  it('serves the sign-in route as index.html, and config.json and the hashed assets, without a token', async () => {
    const { handler } = setup();
    expect(asRequest(await handler(viewerRequestEvent({ uri: '/signin', querystring: 'code=abc&state=xyz' }))).uri).toBe('/index.html');
    expect(asRequest(await handler(viewerRequestEvent({ uri: '/config.json' }))).uri).toBe('/config.json');
    expect(asRequest(await handler(viewerRequestEvent({ uri: '/assets/main-4KXNQ2DA.js' }))).uri).toBe('/assets/main-4KXNQ2DA.js');
    // Exact paths only: /signin/anything and /config.json.bak are protected.
    expect(asResponse(await handler(viewerRequestEvent({ uri: '/signin/x' }))).status).toBe('302');
    expect(asResponse(await handler(viewerRequestEvent({ uri: '/config.json.bak' }))).status).toBe('302');
  });

  it("reads the pool and client ids from the site's config.json and the keys from the pool once per instance", async () => {
    const { handler, calls } = setup();
    for (let i = 0; i < 3; i++) await handler(viewerRequestEvent({ uri: '/', headers: { Cookie: `id_token=${signToken(key)}` } }));
    expect(calls).toEqual([CONFIG_URL, JWKS_URL]);
  });

  it('refuses a config.json that names a pool outside the baked region, with a 503 (fails closed)', async () => {
    const { handler } = setup({ apiUrl: 'x', userPoolId: 'us-west-2_Evil', clientId: CLIENT_ID });
    const response = asResponse(await handler(viewerRequestEvent({ uri: '/', headers: { Cookie: `id_token=${signToken(key)}` } })));
    expect(response.status).toBe('503');
  });

  it('keeps the generated responses far below the 40 KB viewer-trigger limit', async () => {
    const { handler } = setup();
    const response = asResponse(await handler(viewerRequestEvent({ uri: `/${'a'.repeat(2000)}` })));
    expect(JSON.stringify(response).length).toBeLessThan(40 * 1024);
  });
});
