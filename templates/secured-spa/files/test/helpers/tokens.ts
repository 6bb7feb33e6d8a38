// A local RSA key pair standing in for a Cognito user pool: a fake JWKS and tokens signed like
// Cognito's (RS256, kid in the header, Cognito's claims).
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { cognitoIssuer, type Jwk } from '../../src/lib/jwt.js';

export const REGION = 'eu-west-1';
export const USER_POOL_ID = 'eu-west-1_AbCdEf123';
export const CLIENT_ID = '4example7clientid0abcdefgh';
export const ISSUER = cognitoIssuer(REGION, USER_POOL_ID);
export const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Jwk;
}

export function testKey(kid = 'test-key-1'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kid, privateKey, jwk: { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n: exported.n, e: exported.e } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const body = { sub: 'user-1', iss: ISSUER, aud: CLIENT_ID, token_use: 'id', email: 'ada@example.com', iat: now, exp: now + 3600, ...claims };
  const input = `${b64({ kid: key.kid, alg: 'RS256', ...header })}.${b64(body)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** A fetch that answers like Cognito's JWKS endpoint (and the site's config.json), counting calls. */
export function fakeFetch(routes: Record<string, () => unknown>) {
  const calls: string[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    const route = routes[url];
    if (!route) return new Response('not found', { status: 404 });
    const body = route();
    return body instanceof Response ? body : Response.json(body);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}
