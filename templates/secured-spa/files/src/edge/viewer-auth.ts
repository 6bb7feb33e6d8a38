// Lambda@Edge, viewer request: the secure static site. Every request for the site needs a valid
// Cognito ID token in the `id_token` cookie (set by the frontend after it signs in), except the
// sign-in shell: /signin (answered with index.html), /config.json and the hashed bundles under
// /assets/ (code and public settings, no data). Without a valid token the viewer is redirected to
// /signin?next=<where they were going>, where the frontend runs the hosted UI + PKCE flow.
//
// Lambda@Edge has no environment variables, so what is known at synth time (region, cookie and
// path names, cache times) is baked into the bundle by esbuild (`SPROUT_VIEWER_AUTH`, see
// infra/constructs/edge-function.ts). The user pool and app client ids only exist once the stack
// is deployed: the function reads them from the site's own /config.json (public, the frontend
// reads the same file) and keeps them in memory, with the pool's signing keys (JWKS).
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import { cognitoIssuer, JwksCache, JwtError, verifyJwt } from '../lib/jwt.js';
import { cookieValue, generatedResponse } from './cloudfront.js';

export interface ViewerAuthSettings {
  /** The user pool's region: the only issuer host accepted. */
  region: string;
  cookieName: string;
  /** The frontend's sign-in route; served as index.html without a token. */
  signInPath: string;
  /** The site's runtime config (public, read by the frontend and by this function). */
  configPath: string;
  /** Paths served without a token: exact paths and prefixes ending in '/'. */
  publicPaths: string[];
  /** How long the ids read from config.json are kept. */
  configTtlSeconds: number;
}

interface PoolConfig {
  issuer: string;
  clientId: string;
  jwks: JwksCache;
  loadedAt: number;
}

export interface ViewerAuthDeps {
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

export function createViewerAuth(settings: ViewerAuthSettings, deps: ViewerAuthDeps = {}) {
  const clock = deps.clock ?? Date.now;
  const fetchImpl = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let pool: PoolConfig | undefined;

  const isPublic = (uri: string) => uri === settings.configPath || settings.publicPaths.some((path) => (path.endsWith('/') ? uri.startsWith(path) : uri === path));

  async function poolConfig(distributionDomainName: string): Promise<PoolConfig> {
    if (pool && clock() - pool.loadedAt < settings.configTtlSeconds * 1000) return pool;
    try {
      const response = await fetchImpl(`https://${distributionDomainName}${settings.configPath}`, { signal: AbortSignal.timeout(1500) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const config = (await response.json()) as Record<string, unknown>;
      const { userPoolId, clientId } = config;
      // Only a pool of the baked region: a tampered config.json cannot point at another issuer host.
      if (typeof userPoolId !== 'string' || !new RegExp(`^${settings.region}_[A-Za-z0-9]+$`).test(userPoolId)) throw new Error('config.json: bad userPoolId');
      if (typeof clientId !== 'string' || !/^[a-z0-9]+$/.test(clientId)) throw new Error('config.json: bad clientId');
      const issuer = cognitoIssuer(settings.region, userPoolId);
      const jwks = pool?.issuer === issuer ? pool.jwks : new JwksCache(`${issuer}/.well-known/jwks.json`, { fetch: fetchImpl, clock });
      pool = { issuer, clientId, jwks, loadedAt: clock() };
    } catch (error) {
      // A stale config beats an outage: keep the last one if there is one.
      if (!pool) throw error;
      pool.loadedAt = clock();
    }
    return pool;
  }

  function toSignIn(request: CloudFrontRequest, clearCookie: boolean): CloudFrontRequestResult {
    const next = request.uri + (request.querystring ? `?${request.querystring}` : '');
    return generatedResponse(302, 'Found', {
      Location: `${settings.signInPath}?next=${encodeURIComponent(next)}`,
      'Cache-Control': 'no-store',
      ...(clearCookie ? { 'Set-Cookie': `${settings.cookieName}=; Path=/; Secure; SameSite=Lax; Max-Age=0` } : {}),
    });
  }

  return async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
    const { request, config } = event.Records[0]!.cf;
    if (request.uri === settings.signInPath) {
      request.uri = '/index.html';
      return request;
    }
    if (isPublic(request.uri)) return request;

    const token = cookieValue(request.headers, settings.cookieName);
    if (!token) return toSignIn(request, false);
    let current: PoolConfig;
    try {
      current = await poolConfig(config.distributionDomainName);
    } catch (error) {
      console.error(JSON.stringify({ message: 'cannot load the sign-in configuration', error: String(error), requestId: config.requestId }));
      return generatedResponse(503, 'Service Unavailable', { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'Retry-After': '5' }, 'Sign-in is unavailable, try again shortly.');
    }
    try {
      await verifyJwt(token, current.jwks.lookup, { issuer: current.issuer, clientId: current.clientId, tokenUse: 'id', now: Math.floor(clock() / 1000) });
    } catch (error) {
      if (error instanceof JwtError) return toSignIn(request, true);
      console.error(JSON.stringify({ message: 'cannot load the signing keys', error: String(error), requestId: config.requestId }));
      return generatedResponse(503, 'Service Unavailable', { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'Retry-After': '5' }, 'Sign-in is unavailable, try again shortly.');
    }
    // The token stays out of the origin request: the cache policy forwards no cookie to S3.
    return request;
  };
}

declare const SPROUT_VIEWER_AUTH: ViewerAuthSettings | undefined;

/** The deployed handler, with the settings esbuild baked in (see infra/constructs/edge-function.ts). */
export const handler = createViewerAuth(
  typeof SPROUT_VIEWER_AUTH === 'undefined'
    ? { region: 'us-east-1', cookieName: 'id_token', signInPath: '/signin', configPath: '/config.json', publicPaths: ['/assets/'], configTtlSeconds: 300 }
    : SPROUT_VIEWER_AUTH,
);
