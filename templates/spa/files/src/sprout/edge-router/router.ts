// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { experimentFor, releaseFor, variantFor } from './assignment.js';
import { type CloudFrontEvent, type CloudFrontHeaders, type CloudFrontRequest, type CloudFrontResponse, headerValue, setHeader } from './cloudfront.js';
import { cookieFrom, experimentCookie, isViewerId, viewerCookie, viewerIdFrom } from './cookies.js';
import { createDocumentCache } from './document-cache.js';
import { createMetrics, EDGE_METRICS } from './metrics.js';
import { DEPLOYED_SITE, type Experiment, EXPERIMENT_COOKIE_PREFIX, EXPERIMENT_HEADER, formatAssignment, isReleaseId, parseAssignment, RELEASE_HEADER, RELEASES_PREFIX, STABLE_TARGET } from './release-document.js';

/** Baked into the bundle at synth time (Lambda@Edge has no environment variables). */
export interface RouterSettings {
  /** The us-east-1 bucket and key of the release document. */
  bucket: string;
  key: string;
  region: string;
  stage: string;
  /** How long the document is kept in memory before it is read again. */
  ttlSeconds: number;
  /** The stable release baked in at deploy time: served when the document was never read (null: the site as deployed). */
  fallbackStable: string | null;
  /** URIs served as deployed whatever the release, such as /config.json (written at deploy time, shared by every release). */
  sharedPaths: string[];
  metricsNamespace: string;
  cookieName: string;
  /**
   * A single-page app: a path without a file extension (a client-side route) is served the
   * release's index.html. CloudFront's custom error responses would otherwise fetch the fallback
   * page outside the router's rewrite, and a deep link would get the deployed site's index.html.
   */
  spaIndex?: boolean;
}

/** Marks a request whose viewer id was minted here, so the viewer response sets the cookie. */
export const NEW_VIEWER_HEADER = 'x-sprout-uid-new';
/** Marks a request whose viewer sees an experiment's variant for the first time (`<experiment>=<variant>`), so the viewer response sets its cookie. */
export const NEW_EXPOSURE_HEADER = 'x-sprout-exposure-new';

export interface RouterDeps {
  settings: RouterSettings;
  /** The release document's text (S3 at the edge, a file locally); rejects on failure. */
  readDocument: () => Promise<string>;
  now: () => number;
  /** Where the EMF lines go (console.log in Lambda: the function's log). */
  emit: (line: string) => void;
  /** A new viewer id (crypto.randomUUID in Lambda). */
  randomId: () => string;
}

export type Router = ReturnType<typeof createRouter>;

/**
 * The edge router: one function on four CloudFront events of the site's cache behaviours.
 * - viewer request: pick the viewer's release (sticky, by the id cookie) and put it in the
 *   x-sprout-release header, which the cache policies key on;
 * - origin request (cache misses only): serve the chosen release's files, from releases/<id>/;
 * - origin response: count answers and 5xx per release;
 * - viewer response: give a new viewer its id cookie.
 * None of them ever fails a viewer's request because of the router's own configuration.
 */
export function createRouter(deps: RouterDeps) {
  const { settings } = deps;
  const cache = createDocumentCache({ read: deps.readDocument, now: deps.now, ttlMs: settings.ttlSeconds * 1000, stage: settings.stage, fallbackStable: settings.fallbackStable });
  const metrics = createMetrics({ stage: settings.stage, now: deps.now, emit: deps.emit, namespace: settings.metricsNamespace || EDGE_METRICS.namespace });
  const fallbackRelease = settings.fallbackStable ?? DEPLOYED_SITE;

  /** Every invocation checks whether the counters are due (no timers: Lambda freezes between invocations). */
  function flushIfDue(): void {
    try {
      metrics.flushIfDue();
    } catch {
      // A lost metrics line never costs a viewer its answer.
    }
  }

  async function viewerRequest(request: CloudFrontRequest): Promise<CloudFrontRequest> {
    if (!request.headers) request.headers = {};
    const headers = request.headers;
    // A viewer must not choose its release, or plant one in the cache.
    for (const name of [RELEASE_HEADER, NEW_VIEWER_HEADER, EXPERIMENT_HEADER, NEW_EXPOSURE_HEADER]) delete headers[name];
    try {
      let viewerId = viewerIdFrom(headers, settings.cookieName);
      if (!viewerId) {
        viewerId = deps.randomId();
        setHeader(headers, NEW_VIEWER_HEADER, viewerId);
      }
      const { routing } = await cache.current();
      let release = releaseFor(routing, viewerId);
      const experiment = experimentFor(routing, request.uri, isAsset(request.uri) ? refererPath(headers) : undefined);
      if (experiment) {
        const variant = variantFor(experiment, viewerId);
        // A release variant replaces the rollout's pick; "stable" keeps it; an origin variant is routed on the origin request.
        if (isReleaseId(variant.target)) release = variant.target;
        const assignment = formatAssignment(experiment.name, variant.name);
        setHeader(headers, EXPERIMENT_HEADER, assignment);
        // One exposure per viewer and variant: the cookie says who has been counted already.
        if (!experiment.pinned && !cookieFrom(headers, `${EXPERIMENT_COOKIE_PREFIX}${experiment.name}`, (value) => value === variant.name)) {
          metrics.experimentExposure(experiment.name, variant.name);
          setHeader(headers, NEW_EXPOSURE_HEADER, assignment);
        }
      }
      setHeader(headers, RELEASE_HEADER, release);
      metrics.exposure(release);
    } catch {
      setHeader(headers, RELEASE_HEADER, fallbackRelease);
    }
    flushIfDue();
    return request;
  }

  async function originRequest(request: CloudFrontRequest): Promise<CloudFrontRequest> {
    try {
      const { document } = await cache.current();
      const origin = variantOrigin(document?.experiments, headerValue(request.headers ?? {}, EXPERIMENT_HEADER));
      if (origin) return toCustomOrigin(request, origin);
      const release = headerValue(request.headers ?? {}, RELEASE_HEADER);
      if (!isReleaseId(release) || settings.sharedPaths.includes(request.uri)) return request;
      const entry = document?.releases.find((r) => r.id === release);
      if (entry?.origin) return toCustomOrigin(request, entry.origin);
      // The default root object is not applied to a rewritten URI: a folder means its index.html.
      const route = settings.spaIndex && !request.uri.slice(request.uri.lastIndexOf('/') + 1).includes('.');
      const uri = route ? '/index.html' : request.uri.endsWith('/') ? `${request.uri}index.html` : request.uri;
      request.uri = `/${RELEASES_PREFIX}${release}${uri.startsWith('/') ? '' : '/'}${uri}`;
    } catch {
      // Leave the request as it came: the site as deployed answers.
    } finally {
      flushIfDue();
    }
    return request;
  }

  function originResponse(request: CloudFrontRequest, response: CloudFrontResponse): CloudFrontResponse {
    try {
      const release = headerValue(request.headers ?? {}, RELEASE_HEADER);
      // Only values the viewer request sets: a metric dimension per stray value would cost money.
      if (isReleaseId(release) || release === DEPLOYED_SITE) metrics.originResponse(release, Number(response.status));
    } catch {
      // Counting never gets in the way of the answer.
    }
    flushIfDue();
    return response;
  }

  /**
   * [unverified against AWS] That the viewer-response event's request still carries the header the
   * viewer request added is how the router is meant to work, but not yet checked on a real
   * distribution. Without the marker this does nothing: the viewer then gets a new id (and maybe
   * another release) on each request until a cookie sticks, and no request ever fails.
   */
  function viewerResponse(request: CloudFrontRequest, response: CloudFrontResponse): CloudFrontResponse {
    try {
      const minted = headerValue(request.headers ?? {}, NEW_VIEWER_HEADER);
      // Checked again so that nothing but an id can ever reach the Set-Cookie header.
      if (isViewerId(minted)) addSetCookie(response, viewerCookie(settings.cookieName, minted));
      // Parsed again (two valid names or nothing) so that nothing else can reach the Set-Cookie header.
      const exposed = parseAssignment(headerValue(request.headers ?? {}, NEW_EXPOSURE_HEADER));
      if (exposed) addSetCookie(response, experimentCookie(`${EXPERIMENT_COOKIE_PREFIX}${exposed.experiment}`, exposed.variant));
    } catch {
      // A response without the cookie only means the viewer gets a new id next time.
    }
    flushIfDue();
    return response;
  }

  return {
    viewerRequest,
    originRequest,
    originResponse,
    viewerResponse,
    /** Writes the pending counters now (for a local server shutting down, and tests). */
    flushMetrics: () => metrics.flush(),
    /** One entry point for all four events. */
    async handle(event: CloudFrontEvent): Promise<CloudFrontRequest | CloudFrontResponse> {
      const cf = event.Records[0]!.cf;
      switch (cf.config.eventType) {
        case 'viewer-request':
          return viewerRequest(cf.request);
        case 'origin-request':
          return originRequest(cf.request);
        case 'origin-response':
          return originResponse(cf.request, cf.response!);
        case 'viewer-response':
          return viewerResponse(cf.request, cf.response!);
        default:
          return cf.response ?? cf.request;
      }
    },
  };
}

function addSetCookie(response: CloudFrontResponse, value: string): void {
  response.headers ??= {};
  response.headers['set-cookie'] = [...(response.headers['set-cookie'] ?? []), { key: 'Set-Cookie', value }];
}

/** A file a page loads (script, style, image…): it follows its page into an experiment; a page (no extension, .html) does not. */
function isAsset(uri: string): boolean {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  return name.includes('.') && !/\.html?$/i.test(name);
}

/** The path of a same-site Referer (a page asking for its scripts and styles), or undefined. */
function refererPath(headers: CloudFrontHeaders): string | undefined {
  const referer = headerValue(headers, 'referer');
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.host === headerValue(headers, 'host') ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

/** The origin domain of an experiment variant served by another origin, from the assignment the viewer request made. */
function variantOrigin(experiments: Experiment[] | undefined, header: string | undefined): string | undefined {
  const assignment = parseAssignment(header);
  if (!assignment || !experiments) return undefined;
  const target = experiments.find((e) => e.name === assignment.experiment)?.variants.find((v) => v.name === assignment.variant)?.target;
  return target && target !== STABLE_TARGET && !isReleaseId(target) ? target : undefined;
}

/**
 * An API variant: the same URI on another HTTPS origin. A custom origin keeps its origin path (an
 * API stage such as /prod), timeouts and custom headers; an S3 origin's path is a folder of the
 * bucket and means nothing to an API, so it is dropped.
 */
function toCustomOrigin(request: CloudFrontRequest, domainName: string): CloudFrontRequest {
  const current = request.origin?.custom;
  request.origin = {
    custom: {
      domainName,
      path: current?.path ?? '',
      port: 443,
      protocol: 'https',
      sslProtocols: current?.sslProtocols ?? ['TLSv1.2'],
      readTimeout: current?.readTimeout ?? 30,
      keepaliveTimeout: current?.keepaliveTimeout ?? 5,
      customHeaders: current?.customHeaders ?? {},
    },
  };
  setHeader(request.headers, 'Host', domainName);
  return request;
}
