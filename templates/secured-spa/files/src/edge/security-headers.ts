// Lambda@Edge, origin response: security headers on what the origin (S3) returns, before
// CloudFront caches it, so every cached copy carries them; and S3's own response headers removed.
// Runs only on cache misses (cheap), and not on answers CloudFront generates itself (the
// viewer-request redirects, its own errors): the distribution's response-headers policy covers
// those, and the Content-Security-Policy, which names the API's deploy-time origin.
// The header values are baked in at synth time by esbuild (`SPROUT_SECURITY_HEADERS`).
import type { CloudFrontResponse, CloudFrontResponseEvent } from 'aws-lambda';

export interface SecurityHeadersSettings {
  /** Header name (as sent) → value; set on every response, replacing the origin's. */
  set: Record<string, string>;
  /** Lower-case header names (or prefixes ending in '*') to remove. */
  remove: string[];
}

export function createSecurityHeaders(settings: SecurityHeadersSettings) {
  return async function handler(event: CloudFrontResponseEvent): Promise<CloudFrontResponse> {
    const { response } = event.Records[0]!.cf;
    for (const name of Object.keys(response.headers)) {
      if (settings.remove.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern))) delete response.headers[name];
    }
    for (const [key, value] of Object.entries(settings.set)) response.headers[key.toLowerCase()] = [{ key, value }];
    return response;
  };
}

/** What the stack bakes in by default (infra/constructs/edge-function.ts uses the same values). */
export const DEFAULT_SECURITY_HEADERS: SecurityHeadersSettings = {
  set: {
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Permitted-Cross-Domain-Policies': 'none',
  },
  remove: ['server', 'x-amz-*'],
};

declare const SPROUT_SECURITY_HEADERS: SecurityHeadersSettings | undefined;

export const handler = createSecurityHeaders(typeof SPROUT_SECURITY_HEADERS === 'undefined' ? DEFAULT_SECURITY_HEADERS : SPROUT_SECURITY_HEADERS);
