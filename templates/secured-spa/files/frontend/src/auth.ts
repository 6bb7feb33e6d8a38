// Sign-in for the browser: OAuth 2.0 authorization code flow with PKCE (RFC 7636) against the
// Cognito hosted UI. No DOM here (storage and fetch are passed in), so the tests run it in Node.

export interface AuthConfig {
  /** The hosted UI's base URL, https://<prefix>.auth.<region>.amazoncognito.com */
  signInUrl: string;
  clientId: string;
  /** Where Cognito sends the browser back: https://<site>/signin (registered on the app client). */
  redirectUri: string;
  scopes?: string[];
}

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** Milliseconds since the epoch when the ID token expires. */
  expiresAt: number;
}

/** base64url without padding (RFC 4648 §5). */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random bytes, base64url (43 characters from the unreserved set). */
export function createVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge: base64url(SHA-256(ASCII(verifier))). */
export async function challengeFor(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export function authorizeUrl(config: AuthConfig, challenge: string, state: string): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: (config.scopes ?? ['openid', 'email', 'profile']).join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${config.signInUrl}/oauth2/authorize?${query}`;
}

export function logoutUrl(config: AuthConfig): string {
  return `${config.signInUrl}/logout?${new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri })}`;
}

/** The `exp` claim of a JWT, in milliseconds (not verified: the API and the edge verify). */
export function jwtExpiry(token: string): number {
  const payload = token.split('.')[1] ?? '';
  const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
  if (typeof json.exp !== 'number') throw new Error('token has no exp');
  return json.exp * 1000;
}

async function tokenRequest(config: AuthConfig, body: Record<string, string>, fetchImpl: typeof fetch): Promise<Tokens> {
  const response = await fetchImpl(`${config.signInUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.clientId, ...body }).toString(),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof json.id_token !== 'string' || typeof json.access_token !== 'string') {
    throw new Error(`sign-in failed: ${typeof json.error === 'string' ? json.error : `HTTP ${response.status}`}`);
  }
  return {
    idToken: json.id_token,
    accessToken: json.access_token,
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    expiresAt: jwtExpiry(json.id_token),
  };
}

/** Trades the authorization code and the verifier for tokens (public client: no secret). */
export function exchangeCode(config: AuthConfig, code: string, verifier: string, fetchImpl: typeof fetch = (i, o) => fetch(i, o)): Promise<Tokens> {
  return tokenRequest(config, { grant_type: 'authorization_code', code, redirect_uri: config.redirectUri, code_verifier: verifier }, fetchImpl);
}

export function refreshTokens(config: AuthConfig, refreshToken: string, fetchImpl: typeof fetch = (i, o) => fetch(i, o)): Promise<Tokens> {
  return tokenRequest(config, { grant_type: 'refresh_token', refresh_token: refreshToken }, fetchImpl);
}

/** The cookie the viewer-request edge function checks: the ID token, until it expires. */
export function tokenCookie(name: string, tokens: Tokens | undefined, now = Date.now()): string {
  if (!tokens) return `${name}=; Path=/; Secure; SameSite=Lax; Max-Age=0`;
  const maxAge = Math.max(0, Math.floor((tokens.expiresAt - now) / 1000));
  return `${name}=${tokens.idToken}; Path=/; Secure; SameSite=Lax; Max-Age=${maxAge}`;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const TOKENS = 'auth.tokens';
const PENDING = 'auth.pending';

/**
 * The session in sessionStorage (one tab, gone when it closes): the tokens, and while signing in
 * the verifier, state and where to go afterwards.
 */
export class Session {
  constructor(
    private readonly config: AuthConfig,
    private readonly storage: KeyValueStorage,
    private readonly fetchImpl: typeof fetch = (i, o) => fetch(i, o),
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts signing in: returns the hosted UI URL to send the browser to. */
  async begin(next: string): Promise<string> {
    const verifier = createVerifier();
    const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
    this.storage.setItem(PENDING, JSON.stringify({ verifier, state, next }));
    return authorizeUrl(this.config, await challengeFor(verifier), state);
  }

  /** Finishes signing in on the callback: checks state, exchanges the code, returns `next`. */
  async complete(code: string, state: string): Promise<{ tokens: Tokens; next: string }> {
    const pending = JSON.parse(this.storage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; next: string } | null;
    this.storage.removeItem(PENDING);
    if (!pending || pending.state !== state) throw new Error('sign-in state does not match: start again');
    const tokens = await exchangeCode(this.config, code, pending.verifier, this.fetchImpl);
    this.save(tokens);
    // Only a path on this site: never an open redirect.
    return { tokens, next: /^\/(?!\/)/.test(pending.next) ? pending.next : '/' };
  }

  /** A valid ID token, refreshed when it has less than a minute left; undefined when signed out. */
  async idToken(): Promise<string | undefined> {
    const tokens = this.tokens();
    if (!tokens) return undefined;
    if (tokens.expiresAt - this.clock() > 60_000) return tokens.idToken;
    if (!tokens.refreshToken) return undefined;
    try {
      const renewed = await refreshTokens(this.config, tokens.refreshToken, this.fetchImpl);
      this.save(renewed);
      return renewed.idToken;
    } catch {
      this.clear();
      return undefined;
    }
  }

  tokens(): Tokens | undefined {
    return JSON.parse(this.storage.getItem(TOKENS) ?? 'null') ?? undefined;
  }

  save(tokens: Tokens): void {
    this.storage.setItem(TOKENS, JSON.stringify(tokens));
  }

  clear(): void {
    this.storage.removeItem(TOKENS);
    this.storage.removeItem(PENDING);
  }
}
