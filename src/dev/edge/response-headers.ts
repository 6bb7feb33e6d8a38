import type { CloudFrontHeaders, CloudFrontResponse } from '../../runtime/edge-router/cloudfront.js';

/** AWS::CloudFront::ResponseHeadersPolicy's ResponseHeadersPolicyConfig (the parts that change headers). */
export interface ResponseHeadersPolicyConfig {
  SecurityHeadersConfig?: {
    ContentSecurityPolicy?: { ContentSecurityPolicy: string; Override: boolean };
    ContentTypeOptions?: { Override: boolean };
    FrameOptions?: { FrameOption: string; Override: boolean };
    ReferrerPolicy?: { ReferrerPolicy: string; Override: boolean };
    StrictTransportSecurity?: { AccessControlMaxAgeSec: number; IncludeSubdomains?: boolean; Preload?: boolean; Override: boolean };
    XSSProtection?: { Protection: boolean; ModeBlock?: boolean; ReportUri?: string; Override: boolean };
  };
  CustomHeadersConfig?: { Items: Array<{ Header: string; Value: string; Override: boolean }> };
  RemoveHeadersConfig?: { Items: Array<{ Header: string }> };
  CorsConfig?: {
    AccessControlAllowOrigins: { Items: string[] };
    AccessControlAllowHeaders: { Items: string[] };
    AccessControlAllowMethods: { Items: string[] };
    AccessControlAllowCredentials: boolean;
    AccessControlExposeHeaders?: { Items: string[] };
    AccessControlMaxAgeSec?: number;
    OriginOverride: boolean;
  };
  ServerTimingHeadersConfig?: { Enabled: boolean; SamplingRate?: number };
}

const SECURITY_HEADERS: ResponseHeadersPolicyConfig['SecurityHeadersConfig'] = {
  ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: false },
  StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, Override: false },
  ContentTypeOptions: { Override: true },
  FrameOptions: { FrameOption: 'SAMEORIGIN', Override: false },
  XSSProtection: { Protection: true, ModeBlock: true, Override: false },
};
const SIMPLE_CORS: ResponseHeadersPolicyConfig['CorsConfig'] = {
  AccessControlAllowOrigins: { Items: ['*'] },
  AccessControlAllowHeaders: { Items: [] },
  AccessControlAllowMethods: { Items: [] },
  AccessControlAllowCredentials: false,
  OriginOverride: false,
};
const PREFLIGHT_CORS: ResponseHeadersPolicyConfig['CorsConfig'] = {
  AccessControlAllowOrigins: { Items: ['*'] },
  AccessControlAllowHeaders: { Items: ['*'] },
  AccessControlAllowMethods: { Items: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] },
  AccessControlExposeHeaders: { Items: ['*'] },
  AccessControlAllowCredentials: false,
  OriginOverride: false,
};

/** CloudFront's managed response headers policies, by id ("Use managed response headers policies", CloudFront developer guide). */
export const MANAGED_RESPONSE_HEADERS_POLICIES: Record<string, { name: string; config: ResponseHeadersPolicyConfig }> = {
  '67f7725c-6f97-4210-82d7-5512b31e9d03': { name: 'SecurityHeadersPolicy', config: { SecurityHeadersConfig: SECURITY_HEADERS } },
  '60669652-455b-4ae9-85a4-c4c02393f86c': { name: 'SimpleCORS', config: { CorsConfig: SIMPLE_CORS } },
  '5cc3b908-e619-4b99-88e5-2cf7f45965bd': { name: 'CORS-With-Preflight', config: { CorsConfig: PREFLIGHT_CORS } },
  'e61eb60c-9c35-4d20-a928-2b84e02af89c': { name: 'CORS-and-SecurityHeadersPolicy', config: { CorsConfig: SIMPLE_CORS, SecurityHeadersConfig: SECURITY_HEADERS } },
  'eaab4381-ed33-4a86-88ca-d9558dc6cd63': { name: 'CORS-with-preflight-and-SecurityHeadersPolicy', config: { CorsConfig: PREFLIGHT_CORS, SecurityHeadersConfig: SECURITY_HEADERS } },
};

export interface ViewerRequestInfo {
  method: string;
  headers: CloudFrontHeaders;
}

/**
 * Applies a response headers policy to a response going to the viewer, as CloudFront does: a
 * header the policy adds replaces the origin's only when its Override flag says so (otherwise the
 * origin's value is kept); removed headers go first; CORS headers are added only to CORS requests
 * (those with an Origin header), the preflight-only ones (Allow-Methods, Allow-Headers, Max-Age)
 * only to preflights (OPTIONS with Access-Control-Request-Method).
 */
export function applyResponseHeadersPolicy(config: ResponseHeadersPolicyConfig, request: ViewerRequestInfo, response: CloudFrontResponse): void {
  const headers = (response.headers ??= {});
  for (const item of config.RemoveHeadersConfig?.Items ?? []) delete headers[item.Header.toLowerCase()];

  const put = (name: string, value: string, override: boolean) => {
    const key = name.toLowerCase();
    if (!override && headers[key]?.length) return;
    headers[key] = [{ key: name, value }];
  };

  const security = config.SecurityHeadersConfig;
  if (security?.ContentSecurityPolicy) put('Content-Security-Policy', security.ContentSecurityPolicy.ContentSecurityPolicy, security.ContentSecurityPolicy.Override);
  if (security?.ContentTypeOptions) put('X-Content-Type-Options', 'nosniff', security.ContentTypeOptions.Override);
  if (security?.FrameOptions) put('X-Frame-Options', security.FrameOptions.FrameOption, security.FrameOptions.Override);
  if (security?.ReferrerPolicy) put('Referrer-Policy', security.ReferrerPolicy.ReferrerPolicy, security.ReferrerPolicy.Override);
  if (security?.StrictTransportSecurity) {
    const hsts = security.StrictTransportSecurity;
    const value = [`max-age=${hsts.AccessControlMaxAgeSec}`, ...(isTrue(hsts.IncludeSubdomains) ? ['includeSubDomains'] : []), ...(isTrue(hsts.Preload) ? ['preload'] : [])].join('; ');
    put('Strict-Transport-Security', value, hsts.Override);
  }
  if (security?.XSSProtection) {
    const xss = security.XSSProtection;
    const value = !isTrue(xss.Protection) ? '0' : isTrue(xss.ModeBlock) ? '1; mode=block' : xss.ReportUri ? `1; report=${xss.ReportUri}` : '1';
    put('X-XSS-Protection', value, xss.Override);
  }

  for (const item of config.CustomHeadersConfig?.Items ?? []) put(item.Header, item.Value, isTrue(item.Override));

  const cors = config.CorsConfig;
  const origin = request.headers['origin']?.[0]?.value;
  if (cors && origin) {
    const allowed = cors.AccessControlAllowOrigins.Items;
    const anyOrigin = allowed.includes('*');
    if (anyOrigin || allowed.some((pattern) => originMatches(pattern, origin))) {
      const override = isTrue(cors.OriginOverride);
      const preflight = request.method === 'OPTIONS' && !!request.headers['access-control-request-method']?.length;
      put('Access-Control-Allow-Origin', anyOrigin && !isTrue(cors.AccessControlAllowCredentials) ? '*' : origin, override);
      if (isTrue(cors.AccessControlAllowCredentials)) put('Access-Control-Allow-Credentials', 'true', override);
      if (preflight) {
        const methods = cors.AccessControlAllowMethods.Items;
        if (methods.length) put('Access-Control-Allow-Methods', methods.includes('ALL') ? 'GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE' : methods.join(', '), override);
        const allowHeaders = cors.AccessControlAllowHeaders.Items;
        if (allowHeaders.length) put('Access-Control-Allow-Headers', allowHeaders.join(', '), override);
        if (cors.AccessControlMaxAgeSec !== undefined) put('Access-Control-Max-Age', String(cors.AccessControlMaxAgeSec), override);
      } else if (cors.AccessControlExposeHeaders?.Items.length) {
        put('Access-Control-Expose-Headers', cors.AccessControlExposeHeaders.Items.join(', '), override);
      }
    }
  }

  // Nothing is cached locally: every answer is a miss from the local "edge".
  if (isTrue(config.ServerTimingHeadersConfig?.Enabled)) put('Server-Timing', 'cdn-cache-miss, cdn-pop;desc="LOCAL"', false);
}

/** Allowed origins may hold one wildcard for a subdomain, such as https://*.example.com. */
function originMatches(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === origin.toLowerCase();
  const [head, tail] = pattern.toLowerCase().split('*', 2) as [string, string];
  const value = origin.toLowerCase();
  return value.length > head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** CloudFormation hands booleans through as true or "true". */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
