// Verifies a Cognito user pool JWT with Node.js's own crypto (no dependency): RS256 signature
// against the pool's JSON Web Key Set, then issuer, expiry, token use and app client. Shared by
// the viewer-request Lambda@Edge function (src/edge/viewer-auth.ts) and the Lambda authorizer
// (src/functions/authorizer.ts), so both accept exactly the same tokens.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export interface Jwk {
  kid: string;
  kty: string;
  alg?: string;
  use?: string;
  n: string;
  e: string;
}

export interface JwtClaims {
  iss: string;
  exp: number;
  token_use?: string;
  aud?: string;
  client_id?: string;
  sub?: string;
  [claim: string]: unknown;
}

export interface VerifyOptions {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  issuer: string;
  /** The app client the token must be issued to (`aud` of an ID token, `client_id` of an access token). */
  clientId: string;
  /** Which Cognito token is accepted. Default 'id' (what the Cognito authorizer checks without scopes). */
  tokenUse?: 'id' | 'access';
  /** Seconds since the epoch; default now. */
  now?: number;
  /** Tolerated clock difference, in seconds. Default 30. */
  clockSkewSeconds?: number;
}

/** Why a token was refused: short, safe to log, never the token itself. */
export class JwtError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'JwtError';
  }
}

export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

function base64UrlJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwtError(`malformed ${what}`);
}

/** The unverified parts of a compact JWS. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: JwtClaims; signingInput: string; signature: Buffer } {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) throw new JwtError('not a JWT');
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: base64UrlJson(header, 'header'),
    claims: base64UrlJson(payload, 'payload') as JwtClaims,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/** Finds the public key for a key id (a JWKS, cached by its owner). */
export type KeyLookup = (kid: string) => Promise<KeyObject | undefined>;

/** Checks signature and claims; returns the claims or throws a JwtError. */
export async function verifyJwt(token: string, keyFor: KeyLookup, options: VerifyOptions): Promise<JwtClaims> {
  const { header, claims, signingInput, signature } = decodeJwt(token);
  // Only RS256, which is what Cognito signs with: never "none", never an HMAC keyed with a public key.
  if (header.alg !== 'RS256') throw new JwtError('unsupported alg');
  if (typeof header.kid !== 'string') throw new JwtError('no kid');
  const key = await keyFor(header.kid);
  if (!key) throw new JwtError('unknown kid');
  if (!verify('RSA-SHA256', Buffer.from(signingInput), key, signature)) throw new JwtError('bad signature');

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds ?? 30;
  const tokenUse = options.tokenUse ?? 'id';
  if (claims.iss !== options.issuer) throw new JwtError('wrong issuer');
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) throw new JwtError('expired');
  if (typeof claims.iat === 'number' && claims.iat - skew > now) throw new JwtError('issued in the future');
  if (claims.token_use !== tokenUse) throw new JwtError('wrong token_use');
  const audience = tokenUse === 'id' ? claims.aud : claims.client_id;
  if (audience !== options.clientId) throw new JwtError('wrong client');
  return claims;
}

/**
 * The pool's signing keys, fetched from `<issuer>/.well-known/jwks.json` on first use and kept in
 * memory (per Lambda container) for `ttlMs`. An unknown kid (Cognito rotated its keys) refetches,
 * at most once per `refetchAfterMs`, so a flood of forged kids cannot hammer the endpoint.
 */
export class JwksCache {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: { ttlMs?: number; refetchAfterMs?: number; timeoutMs?: number; fetch?: typeof fetch; clock?: () => number } = {},
  ) {}

  readonly lookup: KeyLookup = async (kid) => {
    const now = this.now();
    const stale = now - this.fetchedAt > (this.options.ttlMs ?? 3_600_000);
    const mayRefetch = now - this.fetchedAt > (this.options.refetchAfterMs ?? 60_000);
    if (stale || (!this.keys.has(kid) && mayRefetch)) await this.refresh();
    return this.keys.get(kid);
  };

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<void> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    const response = await fetchImpl(this.url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 2000) });
    if (!response.ok) throw new Error(`JWKS ${this.url}: HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: Jwk[] };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }));
    }
    this.keys = keys;
    this.fetchedAt = this.now();
  }
}
