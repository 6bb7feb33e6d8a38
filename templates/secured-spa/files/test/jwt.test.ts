import { describe, expect, it } from 'vitest';
import { JwksCache, JwtError, verifyJwt } from '../src/lib/jwt.js';
import { CLIENT_ID, fakeFetch, ISSUER, JWKS_URL, signToken, testKey } from './helpers/tokens.js';

const key = testKey();
const other = testKey('other-key');
const jwks = () => fakeFetch({ [JWKS_URL]: () => ({ keys: [key.jwk] }) });
const verifyWith = (token: string, options: Partial<Parameters<typeof verifyJwt>[2]> = {}) =>
  verifyJwt(token, new JwksCache(JWKS_URL, { fetch: jwks().fetch }).lookup, { issuer: ISSUER, clientId: CLIENT_ID, ...options });

describe('verifyJwt (node:crypto, a JWKS)', () => {
  it('accepts an ID token signed by the pool, for the client, not expired', async () => {
    const claims = await verifyWith(signToken(key));
    expect(claims).toMatchObject({ sub: 'user-1', email: 'ada@example.com', token_use: 'id' });
  });

  it('accepts an access token only when asked for one, checking client_id instead of aud', async () => {
    const access = signToken(key, { token_use: 'access', aud: undefined, client_id: CLIENT_ID });
    await expect(verifyWith(access, { tokenUse: 'access' })).resolves.toMatchObject({ client_id: CLIENT_ID });
    await expect(verifyWith(access)).rejects.toThrow('wrong token_use');
  });

  it.each<[string, () => string, string]>([
    ['a token signed by another key with the same kid', () => signToken({ ...other, kid: key.kid }), 'bad signature'],
    ['a token whose kid is not in the JWKS', () => signToken(other), 'unknown kid'],
    ['an expired token', () => signToken(key, { exp: Math.floor(Date.now() / 1000) - 120 }), 'expired'],
    ['a token from another user pool', () => signToken(key, { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }), 'wrong issuer'],
    ['a token for another app client', () => signToken(key, { aud: 'someoneelse' }), 'wrong client'],
    ['an unsigned token (alg none)', () => signToken(key, {}, { alg: 'none' }), 'unsupported alg'],
    ['an HS256 token', () => signToken(key, {}, { alg: 'HS256' }), 'unsupported alg'],
    ['a tampered payload', () => { const [h, , s] = signToken(key).split('.'); return `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: CLIENT_ID, token_use: 'id', exp: 9999999999 })).toString('base64url')}.${s}`; }, 'bad signature'],
    ['garbage', () => 'not-a-jwt', 'not a JWT'],
  ])('refuses %s', async (_, token, reason) => {
    const error = await verifyWith(token()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JwtError);
    expect((error as JwtError).reason).toBe(reason);
  });

  it('tolerates a little clock skew, and no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signToken(key, { exp: now - 10 });
    await expect(verifyWith(token, { now })).resolves.toBeDefined();
    await expect(verifyWith(token, { now, clockSkewSeconds: 5 })).rejects.toThrow('expired');
  });
});

describe('JwksCache', () => {
  it('fetches the keys once and serves them from memory', async () => {
    const { fetch, calls } = jwks();
    const cache = new JwksCache(JWKS_URL, { fetch });
    await cache.lookup(key.kid);
    await cache.lookup(key.kid);
    await cache.lookup(key.kid);
    expect(calls).toEqual([JWKS_URL]);
  });

  it('refetches for an unknown kid (key rotation), but at most once a minute', async () => {
    let now = 1_000_000;
    let keys = [key.jwk];
    const { fetch, calls } = fakeFetch({ [JWKS_URL]: () => ({ keys }) });
    const cache = new JwksCache(JWKS_URL, { fetch, clock: () => now });
    expect(await cache.lookup(key.kid)).toBeDefined();
    keys = [key.jwk, other.jwk];
    expect(await cache.lookup(other.kid)).toBeUndefined(); // within a minute of the last fetch
    now += 61_000;
    expect(await cache.lookup(other.kid)).toBeDefined();
    expect(await cache.lookup('forged')).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('refreshes stale keys after the TTL', async () => {
    let now = 0;
    const { fetch, calls } = jwks();
    const cache = new JwksCache(JWKS_URL, { fetch, clock: () => now, ttlMs: 10_000 });
    now = 1;
    await cache.lookup(key.kid);
    now = 20_000;
    await cache.lookup(key.kid);
    expect(calls).toHaveLength(2);
  });
});
