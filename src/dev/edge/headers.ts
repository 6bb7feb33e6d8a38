import type { IncomingHttpHeaders } from 'node:http';

import type { CloudFrontHeaders } from '../../runtime/edge-router/cloudfront.js';

/** Node's incoming headers in CloudFront's event shape (lower-case name → entries; every Cookie header kept). */
export function fromNodeHeaders(headers: IncomingHttpHeaders, rawHeaders: string[] = []): CloudFrontHeaders {
  const out: CloudFrontHeaders = {};
  if (rawHeaders.length) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key = rawHeaders[i]!;
      (out[key.toLowerCase()] ??= []).push({ key, value: rawHeaders[i + 1]! });
    }
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value : [value]).map((v) => ({ key: name, value: v }));
  }
  return out;
}

/** A fetch Headers object in CloudFront's shape (Set-Cookie kept as separate entries). */
export function fromFetchHeaders(headers: Headers): CloudFrontHeaders {
  const out: CloudFrontHeaders = {};
  headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    (out[name] ??= []).push({ key: name, value });
  });
  const cookies = headers.getSetCookie?.() ?? [];
  if (cookies.length) out['set-cookie'] = cookies.map((value) => ({ key: 'Set-Cookie', value }));
  return out;
}

/** For node's response.setHeader: repeated headers as arrays. */
export function toNodeHeaders(headers: CloudFrontHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, entries] of Object.entries(headers)) {
    if (!entries?.length) continue;
    const key = entries[0]!.key ?? name;
    out[key] = entries.length === 1 ? entries[0]!.value : entries.map((e) => e.value);
  }
  return out;
}

/** For fetch: repeated headers joined as HTTP allows (cookies with "; "). */
export function toFetchHeaders(headers: CloudFrontHeaders): Headers {
  const out = new Headers();
  for (const [name, entries] of Object.entries(headers)) {
    if (!entries?.length) continue;
    out.set(name, entries.map((e) => e.value).join(name === 'cookie' ? '; ' : ', '));
  }
  return out;
}
