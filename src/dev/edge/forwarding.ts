import type { CloudFrontHeaders } from '../../runtime/edge-router/cloudfront.js';

/** What of the viewer's request reaches the origin: the union of the cache policy's key and the origin request policy. */
interface ParameterSet {
  headers: { behavior: 'none' | 'whitelist' | 'allViewer' | 'allExcept'; names: string[] };
  cookies: { behavior: 'none' | 'whitelist' | 'all' | 'allExcept'; names: string[] };
  queryStrings: { behavior: 'none' | 'whitelist' | 'all' | 'allExcept'; names: string[] };
}

const NONE: ParameterSet = { headers: { behavior: 'none', names: [] }, cookies: { behavior: 'none', names: [] }, queryStrings: { behavior: 'none', names: [] } };
const ALL_VIEWER: ParameterSet = { headers: { behavior: 'allViewer', names: [] }, cookies: { behavior: 'all', names: [] }, queryStrings: { behavior: 'all', names: [] } };
const set = (headers: string[], qs: 'none' | 'all' = 'none', cookies: 'none' | 'all' = 'none'): ParameterSet => ({
  headers: { behavior: headers.length ? 'whitelist' : 'none', names: headers },
  cookies: { behavior: cookies, names: [] },
  queryStrings: { behavior: qs, names: [] },
});

/** CloudFront's managed cache policies, by id: only what they put in the cache key (and so forward). */
export const MANAGED_CACHE_POLICIES: Record<string, { name: string; parameters: ParameterSet }> = {
  '658327ea-f89d-4fab-a63d-7e88639e58f6': { name: 'CachingOptimized', parameters: NONE },
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': { name: 'CachingOptimizedForUncompressedObjects', parameters: NONE },
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': { name: 'CachingDisabled', parameters: NONE },
  '08627262-05a9-4f76-9ded-b50ca2e3a84f': { name: 'Elemental-MediaPackage', parameters: set(['origin'], 'all') },
  '2e54312d-136d-493c-8eb9-b001f22f67d2': { name: 'Amplify', parameters: set(['authorization', 'cloudfront-viewer-country', 'host'], 'all', 'all') },
  '83da9c7e-98b4-4e11-a168-04f0df8e2c65': { name: 'UseOriginCacheControlHeaders', parameters: set(['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'], 'none', 'all') },
  '4cc15a8a-d715-48a4-82b8-cc0b614638fe': { name: 'UseOriginCacheControlHeaders-QueryStrings', parameters: set(['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'], 'all', 'all') },
};

/** CloudFront's managed origin request policies, by id. */
export const MANAGED_ORIGIN_REQUEST_POLICIES: Record<string, { name: string; parameters: ParameterSet }> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': { name: 'AllViewer', parameters: ALL_VIEWER },
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': { name: 'AllViewerAndCloudFrontHeaders-2022-06', parameters: ALL_VIEWER },
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': { name: 'AllViewerExceptHostHeader', parameters: { ...ALL_VIEWER, headers: { behavior: 'allExcept', names: ['host'] } } },
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': { name: 'CORS-S3Origin', parameters: set(['origin', 'access-control-request-headers', 'access-control-request-method']) },
  '59781a5b-3903-41f3-afcb-af62929ccde1': { name: 'CORS-CustomOrigin', parameters: set(['origin'], 'all') },
  'acba4595-bd28-49b8-b9fe-13317c0390fa': { name: 'UserAgentRefererHeaders', parameters: set(['user-agent', 'referer'], 'all') },
  'bf0718e1-ba1e-49d1-88b1-f726733018ae': { name: 'HostHeaderOnly', parameters: set(['host']) },
  '775133bc-15f2-49f9-abea-afb2e0bf67d2': { name: 'Elemental-MediaTailor-PersonalizedManifests', parameters: set(['origin', 'access-control-request-headers', 'x-forwarded-for', 'access-control-request-method', 'user-agent'], 'all') },
};

type Config = Record<string, any> | undefined;

/** A cache policy's ParametersInCacheKeyAndForwardedToOrigin, or an origin request policy's config, as a ParameterSet. */
export function parametersOf(config: Config): ParameterSet {
  if (!config) return NONE;
  const headers = config['HeadersConfig'] ?? {};
  const cookies = config['CookiesConfig'] ?? {};
  const qs = config['QueryStringsConfig'] ?? {};
  const headerBehavior = String(headers.HeaderBehavior ?? 'none');
  return {
    headers: {
      behavior: headerBehavior === 'whitelist' || headerBehavior === 'allViewerAndWhitelistCloudFront' ? (headerBehavior === 'whitelist' ? 'whitelist' : 'allViewer') : headerBehavior === 'allViewer' ? 'allViewer' : headerBehavior === 'allExcept' ? 'allExcept' : 'none',
      names: ((headers.Headers as string[] | undefined) ?? []).map((h) => h.toLowerCase()),
    },
    cookies: { behavior: (cookies.CookieBehavior ?? 'none') as ParameterSet['cookies']['behavior'], names: (cookies.Cookies as string[] | undefined) ?? [] },
    queryStrings: { behavior: (qs.QueryStringBehavior ?? 'none') as ParameterSet['queryStrings']['behavior'], names: (qs.QueryStrings as string[] | undefined) ?? [] },
  };
}

/** The legacy ForwardedValues of a behaviour with no cache policy. */
export function parametersOfForwardedValues(forwarded: Config): ParameterSet {
  if (!forwarded) return NONE;
  const headers = ((forwarded['Headers'] as string[] | undefined) ?? []).map((h) => h.toLowerCase());
  const cookies = forwarded['Cookies'] ?? {};
  return {
    headers: headers.includes('*') ? { behavior: 'allViewer', names: [] } : { behavior: headers.length ? 'whitelist' : 'none', names: headers },
    cookies: { behavior: cookies.Forward === 'all' ? 'all' : cookies.Forward === 'whitelist' ? 'whitelist' : 'none', names: cookies.WhitelistedNames ?? [] },
    queryStrings: forwarded['QueryString'] === true || forwarded['QueryString'] === 'true'
      ? (forwarded['QueryStringCacheKeys']?.length ? { behavior: 'all', names: [] } : { behavior: 'all', names: [] })
      : { behavior: 'none', names: [] },
  };
}

/**
 * The headers and query string the origin gets: the viewer's headers the policies forward, the
 * Host of the origin (unless the viewer's Host is forwarded), and the headers CloudFront adds.
 */
export function forwardedRequest(viewer: { headers: CloudFrontHeaders; querystring: string; clientIp: string }, policies: ParameterSet[], originDomain: string): { headers: CloudFrontHeaders; querystring: string } {
  const headers: CloudFrontHeaders = {};
  for (const [name, entries] of Object.entries(viewer.headers)) {
    if (name === 'cookie') continue;
    if (policies.some((p) => headerForwarded(p, name))) headers[name] = entries.map((e) => ({ ...e }));
  }
  const cookie = forwardedCookies(viewer.headers['cookie'] ?? [], policies);
  if (cookie) headers['cookie'] = [{ key: 'Cookie', value: cookie }];
  if (!headers['host']) headers['host'] = [{ key: 'Host', value: originDomain }];
  const via = viewer.headers['via']?.[0]?.value;
  headers['via'] = [{ key: 'Via', value: `${via ? `${via}, ` : ''}1.1 local.cloudfront.net (CloudFront)` }];
  const forwardedFor = viewer.headers['x-forwarded-for']?.[0]?.value;
  headers['x-forwarded-for'] = [{ key: 'X-Forwarded-For', value: forwardedFor ? `${forwardedFor}, ${viewer.clientIp}` : viewer.clientIp }];
  if (!headers['user-agent']) headers['user-agent'] = [{ key: 'User-Agent', value: 'Amazon CloudFront' }];
  return { headers, querystring: forwardedQuery(viewer.querystring, policies) };
}

function headerForwarded(p: ParameterSet, name: string): boolean {
  switch (p.headers.behavior) {
    case 'allViewer':
      return true;
    case 'allExcept':
      return !p.headers.names.includes(name);
    case 'whitelist':
      return p.headers.names.includes(name);
    default:
      return false;
  }
}

function forwardedCookies(entries: Array<{ value: string }>, policies: ParameterSet[]): string {
  const pairs = entries.flatMap((e) => e.value.split(';')).map((p) => p.trim()).filter(Boolean);
  return pairs
    .filter((pair) => {
      const name = pair.slice(0, Math.max(0, pair.indexOf('=')));
      return policies.some((p) => (p.cookies.behavior === 'all' ? true : p.cookies.behavior === 'whitelist' ? p.cookies.names.includes(name) : p.cookies.behavior === 'allExcept' ? !p.cookies.names.includes(name) : false));
    })
    .join('; ');
}

function forwardedQuery(querystring: string, policies: ParameterSet[]): string {
  if (!querystring) return '';
  return querystring
    .split('&')
    .filter((pair) => {
      const name = decodeURIComponent(pair.split('=')[0] ?? '');
      return policies.some((p) => (p.queryStrings.behavior === 'all' ? true : p.queryStrings.behavior === 'whitelist' ? p.queryStrings.names.includes(name) : p.queryStrings.behavior === 'allExcept' ? !p.queryStrings.names.includes(name) : false));
    })
    .join('&');
}
