/**
 * Cognito and JWT authorizers cannot be verified locally (no keys, no user pool): the token's
 * claims are decoded without checking the signature, but an absent, malformed or expired token is
 * still refused, as AWS would.
 */

export type DecodedJwt = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'expired' };

export function decodeJwt(token: string, nowMs: number): DecodedJwt {
  const parts = token.split('.');
  // Three base64url parts and nothing else: a scheme prefix (`Bearer ...`) is not a token.
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return { ok: false, reason: 'malformed' };
  let claims: unknown;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object') return { ok: false, reason: 'malformed' };
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, reason: 'malformed' };
  const exp = (claims as Record<string, unknown>).exp;
  if (typeof exp === 'number' && exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims as Record<string, unknown> };
}

/**
 * Claims as a REST API Cognito authorizer hands them on: every value a string, the time claims
 * (exp, iat, auth_time) in Java's Date format (`Tue Jan 14 13:51:33 UTC 2020`).
 */
export function restCognitoClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if ((key === 'exp' || key === 'iat' || key === 'auth_time') && typeof value === 'number') out[key] = javaDate(value * 1000);
    else if (Array.isArray(value)) out[key] = value.join(',');
    else out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function javaDate(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Space-separated `scope` claim (access tokens) or `cognito:groups`-free: the scopes a token carries. */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const scope = claims.scope ?? claims.scp;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.map(String);
  return [];
}
