import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, base64Url, challengeFor, createVerifier, type KeyValueStorage, logoutUrl, Session, tokenCookie } from '../frontend/src/auth.js';
import { signToken, testKey } from './helpers/tokens.js';

const config = { signInUrl: 'https://shop-prod-1a2b3c4d.auth.eu-west-1.amazoncognito.com', clientId: 'client123', redirectUri: 'https://d111.cloudfront.net/signin' };
const key = testKey();

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('PKCE helpers', () => {
  it('computes challenge = base64url(sha256(verifier)) with WebCrypto (the FIPS 180-2 "abc" vector)', async () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    expect(await challengeFor('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('makes a fresh 43-character verifier every time, and its challenge is the SHA-256 of it', async () => {
    const verifier = createVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createVerifier()).not.toBe(verifier);
    expect(await challengeFor(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('encodes base64url without padding', () => {
    expect(base64Url(new Uint8Array([251, 255, 191]))).toBe('-_-_');
    expect(base64Url(new Uint8Array([1]))).toBe('AQ');
  });

  it('sends the browser to /oauth2/authorize with the code flow, S256 challenge, state and the registered redirect URI', () => {
    const url = new URL(authorizeUrl(config, 'CHALLENGE', 'STATE'));
    expect(`${url.origin}${url.pathname}`).toBe(`${config.signInUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: config.redirectUri,
      scope: 'openid email profile',
      state: 'STATE',
      code_challenge: 'CHALLENGE',
      code_challenge_method: 'S256',
    });
    expect(logoutUrl(config)).toBe(`${config.signInUrl}/logout?client_id=client123&logout_uri=${encodeURIComponent(config.redirectUri)}`);
  });
});

describe('Session', () => {
  it('signs in: keeps the verifier and state, exchanges the code at /oauth2/token with the verifier, stores the tokens', async () => {
    const storage = memoryStorage();
    const idToken = signToken(key);
    const requests: Array<{ url: string; body: URLSearchParams }> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      requests.push({ url, body: new URLSearchParams(String(init.body)) });
      return Response.json({ id_token: idToken, access_token: 'access', refresh_token: 'refresh', token_type: 'Bearer', expires_in: 3600 });
    }) as unknown as typeof fetch;
    const session = new Session(config, storage, fetchImpl);
    const authorize = new URL(await session.begin('/items/42'));
    const state = authorize.searchParams.get('state')!;
    const { verifier } = JSON.parse(storage.data.get('auth.pending')!);
    expect(authorize.searchParams.get('code_challenge')).toBe(await challengeFor(verifier));

    const { next, tokens } = await session.complete('the-code', state);
    expect(next).toBe('/items/42');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe(`${config.signInUrl}/oauth2/token`);
    expect(Object.fromEntries(requests[0]!.body)).toEqual({ client_id: 'client123', grant_type: 'authorization_code', code: 'the-code', redirect_uri: config.redirectUri, code_verifier: verifier });
    expect(tokens).toMatchObject({ idToken, accessToken: 'access', refreshToken: 'refresh' });
    expect(await session.idToken()).toBe(idToken);
    expect(storage.data.has('auth.pending')).toBe(false);
  });

  it('refuses a callback whose state does not match (CSRF), and never redirects off the site', async () => {
    const session = new Session(config, memoryStorage(), (async () => Response.json({})) as unknown as typeof fetch);
    await session.begin('/');
    await expect(session.complete('code', 'forged')).rejects.toThrow(/state does not match/);

    const storage = memoryStorage();
    const ok = new Session(config, storage, (async () => Response.json({ id_token: signToken(key), access_token: 'a' })) as unknown as typeof fetch);
    const state = new URL(await ok.begin('//evil.example.com/')).searchParams.get('state')!;
    expect((await ok.complete('code', state)).next).toBe('/');
  });

  it('refreshes a token close to expiry with the refresh token', async () => {
    const storage = memoryStorage();
    const fresh = signToken(key, { exp: Math.floor(Date.now() / 1000) + 3600 });
    const fetchImpl = (async () => Response.json({ id_token: fresh, access_token: 'a2' })) as unknown as typeof fetch;
    const session = new Session(config, storage, fetchImpl);
    session.save({ idToken: 'old', accessToken: 'a1', refreshToken: 'r', expiresAt: Date.now() + 10_000 });
    expect(await session.idToken()).toBe(fresh);
    expect(session.tokens()).toMatchObject({ idToken: fresh, refreshToken: 'r' });
  });

  it('writes the edge cookie for the ID token until it expires, and clears it', () => {
    const now = 1_000_000;
    expect(tokenCookie('id_token', { idToken: 'abc', accessToken: 'x', expiresAt: now + 3_600_000 }, now)).toBe('id_token=abc; Path=/; Secure; SameSite=Lax; Max-Age=3600');
    expect(tokenCookie('id_token', undefined)).toBe('id_token=; Path=/; Secure; SameSite=Lax; Max-Age=0');
  });
});
