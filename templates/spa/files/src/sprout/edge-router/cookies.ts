// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import type { CloudFrontHeaders } from './cloudfront.js';

/** A viewer id the router minted (a UUID) or one a site sets itself: 16 to 64 URL-safe characters. */
const VIEWER_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function isViewerId(value: unknown): value is string {
  return typeof value === 'string' && VIEWER_ID.test(value);
}
/** Cookie headers longer than this are not parsed (CloudFront allows 20 KB of headers; the id is near the start anyway). */
const MAX_COOKIE_HEADER = 8192;

/**
 * The viewer id from the request's cookies, or undefined when there is none or it is not one the
 * router accepts (too short, too long, odd characters, percent-encoded: a tampered or foreign cookie
 * is replaced, never trusted). Several Cookie headers, spaces, values holding "=" and garbage are all
 * handled. When the name appears more than once (a cookie also set for a parent domain), the first
 * valid value wins: browsers send them in a stable order, so the viewer stays on one release, where
 * minting a new id on every request would move it between releases.
 */
export function viewerIdFrom(headers: CloudFrontHeaders, cookieName: string): string | undefined {
  return cookieFrom(headers, cookieName, isViewerId);
}

/** The first value of a cookie that passes `accept`, or undefined (the same parsing as the viewer id's). */
export function cookieFrom(headers: CloudFrontHeaders, cookieName: string, accept: (value: string) => boolean): string | undefined {
  for (const entry of headers.cookie ?? []) {
    const text = typeof entry?.value === 'string' ? entry.value.slice(0, MAX_COOKIE_HEADER) : '';
    for (const pair of text.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== cookieName) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (accept(value)) return value;
    }
  }
  return undefined;
}

/** An experiment's cookie lives as long as an experiment may reasonably run. */
export const EXPERIMENT_COOKIE_MAX_AGE = 90 * 24 * 3600;

/** Not HttpOnly: the page reads it to report conversions with its variant. */
export function experimentCookie(name: string, value: string): string {
  return `${name}=${value}; Path=/; Max-Age=${EXPERIMENT_COOKIE_MAX_AGE}; Secure; SameSite=Lax`;
}

/** Browsers cap a cookie's lifetime at 400 days. */
export const VIEWER_COOKIE_MAX_AGE = 400 * 24 * 3600;

export function viewerCookie(cookieName: string, id: string): string {
  return `${cookieName}=${id}; Path=/; Max-Age=${VIEWER_COOKIE_MAX_AGE}; Secure; HttpOnly; SameSite=Lax`;
}
