import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResponse } from '../../../src/runtime/edge-router/cloudfront.js';
import { type Experiment, type ReleaseDocument, validateReleaseDocument } from '../../../src/runtime/edge-router/release-document.js';
import { createRouter, NEW_EXPOSURE_HEADER, NEW_VIEWER_HEADER, type RouterSettings } from '../../../src/runtime/edge-router/router.js';
import { A, API_ORIGIN, B, cookieHeader, originRequest, releaseDocument, viewerRequest, viewerResponse } from './events.js';
import { experimentOf } from '../../edge/fixtures.js';

// Experiments at the edge, through the router's four events: the split, stickiness, paths and
// Referer, exposures and their cookie, stopped experiments, and independence from a rollout.

const C = 'r-cccccccccccc';
const HOST = 'd111111abcdef8.cloudfront.net';
const EXPERIMENT = 'x-sprout-experiment';
const RELEASE = 'x-sprout-release';

const settings: RouterSettings = { bucket: 'rel', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: A, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

function experiment(overrides: Partial<Experiment> = {}): Experiment {
  return experimentOf({ variants: [{ name: 'control', target: 'stable', weight: 50 }, { name: 'b', target: C, weight: 50 }], ...overrides });
}

/** A schema-2 document: A stable, B the rollout's candidate at `weight`% (0: none), C a third release; checked valid (the router would silently ignore an invalid one). */
function withExperiments(experiments: Experiment[], options: { weight?: number; salt?: string } = {}): ReleaseDocument {
  const base = releaseDocument({ weight: options.weight ?? 0, salt: options.salt ?? 'salt1' });
  const document: ReleaseDocument = { ...base, schema: 2, releases: [...base.releases, { id: C, createdAt: '2026-11-26T10:00:00.000Z', createdBy: 'alice', files: 3, bytes: 1200 }], experiments };
  expect(validateReleaseDocument(document)).toEqual([]);
  return document;
}

function harness(document: ReleaseDocument) {
  const state = { now: 1_000_000, lines: [] as string[], minted: 0 };
  const router = createRouter({
    settings,
    readDocument: async () => JSON.stringify(document),
    now: () => state.now,
    emit: (line) => state.lines.push(line),
    randomId: () => `minted-viewer-${String(++state.minted).padStart(8, '0')}`,
  });
  const request = async (uri: string, headers: CloudFrontHeaders = {}) => (await router.handle(viewerRequest(uri, headers))) as CloudFrontRequest;
  const as = (uid: string, uri = '/index.html', extra: CloudFrontHeaders = {}) => request(uri, { ...cookieHeader(`sprout-uid=${uid}`), ...extra });
  /** The ExperimentExposures EMF lines written so far, after a flush. */
  const exposureLines = () => {
    router.flushMetrics();
    return state.lines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => 'ExperimentExposures' in line);
  };
  return { router, state, request, as, exposureLines };
}

const user = (i: number) => `user-${i.toString(36).padStart(12, '0')}`;
const header = (request: CloudFrontRequest, name: string) => request.headers[name]?.[0]?.value;

describe('variants (viewer request)', () => {
  it('splits 20,000 viewers 20/30/50 within ±1.5 points', async () => {
    const h = harness(withExperiments([experiment({ variants: [{ name: 'control', target: 'stable', weight: 20 }, { name: 'b', target: B, weight: 30 }, { name: 'c', target: C, weight: 50 }] })]));
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const value = header(await h.as(user(i)), EXPERIMENT)!;
      seen[value] = (seen[value] ?? 0) + 1;
    }
    expect(Object.keys(seen).sort()).toEqual(['checkout=b', 'checkout=c', 'checkout=control']);
    for (const [value, weight] of [['checkout=control', 0.2], ['checkout=b', 0.3], ['checkout=c', 0.5]] as const) {
      expect(Math.abs(seen[value]! / 20_000 - weight)).toBeLessThanOrEqual(0.015);
    }
  });

  it('is sticky: a viewer keeps its variant request after request', async () => {
    const h = harness(withExperiments([experiment()]));
    const variants = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const first = header(await h.as(user(i)), EXPERIMENT)!;
      variants.add(first);
      for (let again = 0; again < 3; again++) expect(header(await h.as(user(i), `/page-${again}`), EXPERIMENT)).toBe(first);
    }
    expect(variants).toEqual(new Set(['checkout=control', 'checkout=b']));
  });

  it('replaces a viewer-sent x-sprout-experiment and x-sprout-exposure-new', async () => {
    const h = harness(withExperiments([experiment({ paths: ['/checkout/*'] })]));
    const forged: CloudFrontHeaders = { [EXPERIMENT]: [{ value: 'checkout=evil' }, { value: 'other=x' }], [NEW_EXPOSURE_HEADER]: [{ value: 'checkout=evil' }] };
    const expected = header(await h.as(user(1), '/checkout/'), EXPERIMENT)!;
    const variant = expected.split('=')[1]!;
    // Already counted (its cookie is there): the forged marker is dropped, the real assignment set.
    const counted = await h.request('/checkout/', { ...cookieHeader(`sprout-uid=${user(1)}; sprout-x-checkout=${variant}`), ...forged });
    expect(counted.headers[EXPERIMENT]).toEqual([{ key: EXPERIMENT, value: expected }]);
    expect(counted.headers[NEW_EXPOSURE_HEADER]).toBeUndefined();
    // Outside the experiment's paths: both headers are gone.
    const outside = await h.request('/about', { ...cookieHeader(`sprout-uid=${user(1)}`), ...forged });
    expect(outside.headers[EXPERIMENT]).toBeUndefined();
    expect(outside.headers[NEW_EXPOSURE_HEADER]).toBeUndefined();
    // Not yet counted: the marker is the router's own.
    const fresh = await h.request('/checkout/', { ...cookieHeader(`sprout-uid=${user(1)}`), ...forged });
    expect(fresh.headers[NEW_EXPOSURE_HEADER]).toEqual([{ key: NEW_EXPOSURE_HEADER, value: expected }]);
  });
});

describe('variant targets (viewer and origin request)', () => {
  it('a release variant sets x-sprout-release, and the origin request serves releases/<id>/', async () => {
    const document = withExperiments([experiment()], { weight: 50 });
    const h = harness(document);
    let found = 0;
    for (let i = 0; i < 100; i++) {
      const request = await h.as(user(i), '/assets/app.js');
      if (header(request, EXPERIMENT) !== 'checkout=b') continue;
      found++;
      expect(header(request, RELEASE)).toBe(C);
      const origin = (await h.router.handle(originRequest('/assets/app.js', { [RELEASE]: request.headers[RELEASE]!, [EXPERIMENT]: request.headers[EXPERIMENT]! }))) as CloudFrontRequest;
      expect(origin.uri).toBe(`/releases/${C}/assets/app.js`);
      expect(origin.origin?.s3?.domainName).toBe('shop-site.s3.eu-west-1.amazonaws.com');
    }
    expect(found).toBeGreaterThan(20);
  });

  it('"stable" keeps the rollout\'s pick, viewer by viewer', async () => {
    const withIt = harness(withExperiments([experiment()], { weight: 50 }));
    const without = harness(withExperiments([], { weight: 50 }));
    const releases = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const request = await withIt.as(user(i));
      if (header(request, EXPERIMENT) !== 'checkout=control') continue;
      const release = header(request, RELEASE)!;
      releases.add(release);
      expect(release).toBe(header(await without.as(user(i)), RELEASE));
    }
    expect(releases).toEqual(new Set([A, B]));
  });

  it('an origin variant is routed to that custom origin, keeping the rollout\'s release header', async () => {
    const document = withExperiments([experiment({ paths: ['/api/*'], variants: [{ name: 'control', target: 'stable', weight: 50 }, { name: 'v2', target: 'api-v2.example.com', weight: 50 }] })]);
    const h = harness(document);
    const assignments = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const request = await h.as(user(i), '/api/items');
      const assignment = header(request, EXPERIMENT)!;
      assignments.add(assignment);
      expect(header(request, RELEASE)).toBe(A);
      const origin = (await h.router.handle(originRequest('/api/items', { [RELEASE]: request.headers[RELEASE]!, [EXPERIMENT]: request.headers[EXPERIMENT]! }, API_ORIGIN))) as CloudFrontRequest;
      if (assignment === 'checkout=v2') {
        expect(origin.origin).toEqual({ custom: { ...API_ORIGIN.custom, domainName: 'api-v2.example.com' } });
        expect(origin.headers.host).toEqual([{ key: 'Host', value: 'api-v2.example.com' }]);
        expect(origin.uri).toBe('/api/items');
      } else {
        expect(origin.origin).toEqual(API_ORIGIN);
      }
    }
    expect(assignments).toEqual(new Set(['checkout=control', 'checkout=v2']));
  });
});

describe('paths and Referer', () => {
  const h = harness(withExperiments([experiment({ paths: ['/checkout/*', '/pricing'] })]));
  const inIt = async (uri: string, extra: CloudFrontHeaders = {}) => header(await h.as(user(4), uri, extra), EXPERIMENT) !== undefined;

  it('/checkout/* covers /checkout and everything under it, not /checkouts; /pricing is exact', async () => {
    for (const uri of ['/checkout', '/checkout/', '/checkout/x', '/checkout/a/b.js', '/pricing']) expect(await inIt(uri), uri).toBe(true);
    for (const uri of ['/checkouts', '/checkouts/x', '/', '/index.html', '/pricing/', '/pricing/x', '/x/checkout/']) expect(await inIt(uri), uri).toBe(false);
  });

  it('routes an asset outside the paths by a same-host Referer under them, not by a foreign one', async () => {
    const referer = (url: string): CloudFrontHeaders => ({ referer: [{ key: 'Referer', value: url }] });
    expect(await inIt('/assets/app.js', referer(`https://${HOST}/checkout/pay?step=2`))).toBe(true);
    expect(await inIt('/assets/app.js', referer(`https://${HOST}/checkout`))).toBe(true);
    expect(await inIt('/assets/app.js', referer(`https://${HOST}/checkouts/`))).toBe(false);
    expect(await inIt('/assets/app.js', referer('https://evil.example/checkout/pay'))).toBe(false);
    expect(await inIt('/assets/app.js', referer(`https://${HOST}.evil.example/checkout/`))).toBe(false);
    expect(await inIt('/assets/app.js', referer('not a url'))).toBe(false);
    // A page linked from the experiment's pages is not in it: only the files a page loads follow it.
    expect(await inIt('/about', referer(`https://${HOST}/checkout/pay`))).toBe(false);
    expect(await inIt('/about/index.html', referer(`https://${HOST}/checkout/pay`))).toBe(false);
    expect(await inIt('/assets/app.js')).toBe(false);
  });
});

describe('exposures', () => {
  /** A browser: sends its cookies, keeps the ones the viewer response sets. */
  async function browse(h: ReturnType<typeof harness>, jar: Map<string, string>, uri: string) {
    const cookies = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const request = await h.request(uri, cookies ? cookieHeader(cookies) : {});
    const response = (await h.router.handle(viewerResponse(request.headers))) as CloudFrontResponse;
    const setCookies = (response.headers['set-cookie'] ?? []).map((c) => c.value);
    for (const value of setCookies) {
      const [pair] = value.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { request, setCookies };
  }

  it('counts exactly one exposure per viewer and variant, with dimensions exactly [Stage, Experiment, Variant]', async () => {
    const h = harness(withExperiments([experiment({ paths: ['/checkout/*'] })]));
    const expected: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      const jar = new Map<string, string>();
      const first = await browse(h, jar, '/checkout/');
      const variant = header(first.request, EXPERIMENT)!.split('=')[1]!;
      expected[variant] = (expected[variant] ?? 0) + 1;
      expect(header(first.request, NEW_EXPOSURE_HEADER)).toBe(`checkout=${variant}`);
      expect(jar.get('sprout-x-checkout')).toBe(variant);
      for (const uri of ['/checkout/pay', '/checkout/', '/about', '/checkout/done']) {
        const again = await browse(h, jar, uri);
        expect(again.request.headers[NEW_EXPOSURE_HEADER]).toBeUndefined();
        expect(again.request.headers[NEW_VIEWER_HEADER]).toBeUndefined();
        expect(again.setCookies).toEqual([]);
      }
    }
    const lines = h.exposureLines();
    const counted: Record<string, number> = {};
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics).toEqual([{ Namespace: 'Sprout/Edge', Dimensions: [['Stage', 'Experiment', 'Variant']], Metrics: [{ Name: 'ExperimentExposures', Unit: 'Count' }] }]);
      expect(Object.keys(line).sort()).toEqual(['Experiment', 'ExperimentExposures', 'Stage', 'Variant', '_aws']);
      expect(line).toMatchObject({ Stage: 'prod', Experiment: 'checkout' });
      counted[line.Variant] = (counted[line.Variant] ?? 0) + line.ExperimentExposures;
    }
    expect(lines).toHaveLength(Object.keys(expected).length);
    expect(counted).toEqual(expected);
    expect(Object.values(counted).reduce((a, b) => a + b)).toBe(60);
  });

  it('counts again when the cookie names another variant (a forged or stale one)', async () => {
    const h = harness(withExperiments([experiment()]));
    const variant = header(await h.as(user(9)), EXPERIMENT)!.split('=')[1]!;
    h.exposureLines();
    h.state.lines.length = 0;
    const other = variant === 'b' ? 'control' : 'b';
    const request = await h.request('/', cookieHeader(`sprout-uid=${user(9)}; sprout-x-checkout=${other}`));
    expect(header(request, NEW_EXPOSURE_HEADER)).toBe(`checkout=${variant}`);
    expect(h.exposureLines()).toEqual([expect.objectContaining({ Variant: variant, ExperimentExposures: 1 })]);
  });

  it('gives the page a sprout-x-<name> cookie it can read: not HttpOnly, Secure, SameSite=Lax', async () => {
    const h = harness(withExperiments([experiment()]));
    const jar = new Map<string, string>();
    const { request, setCookies } = await browse(h, jar, '/');
    const variant = header(request, EXPERIMENT)!.split('=')[1]!;
    expect(setCookies).toHaveLength(2);
    const cookie = setCookies.find((c) => c.startsWith('sprout-x-'))!;
    expect(cookie).toBe(`sprout-x-checkout=${variant}; Path=/; Max-Age=7776000; Secure; SameSite=Lax`);
    expect(cookie.toLowerCase()).not.toContain('httponly');
    // Only the router's own names reach Set-Cookie.
    for (const value of ['checkout=b; Domain=evil.example', 'Checkout=b', 'checkout', '=b', 'checkout=']) {
      const response = (await h.router.handle(viewerResponse({ [NEW_EXPOSURE_HEADER]: [{ value }] }))) as CloudFrontResponse;
      expect(response.headers['set-cookie'], value).toBeUndefined();
    }
  });
});

describe('stopped experiments', () => {
  it('a stopped experiment pinned to its winner sends everyone there and counts no exposure', async () => {
    const h = harness(withExperiments([experiment({ state: 'stopped', stoppedAt: '2026-11-27T10:00:00.000Z', winner: 'b', pinned: true })], { weight: 50 }));
    for (let i = 0; i < 200; i++) {
      const request = await h.as(user(i));
      expect(header(request, RELEASE)).toBe(C);
      expect(header(request, EXPERIMENT)).toBe('checkout=b');
      expect(request.headers[NEW_EXPOSURE_HEADER]).toBeUndefined();
    }
    expect(h.exposureLines()).toEqual([]);
  });

  it('a stopped one without a pinned winner routes nobody', async () => {
    for (const stopped of [experiment({ state: 'stopped', stoppedAt: '2026-11-27T10:00:00.000Z' }), experiment({ state: 'stopped', stoppedAt: '2026-11-27T10:00:00.000Z', winner: 'b' })]) {
      const h = harness(withExperiments([stopped], { weight: 50 }));
      const plain = harness(withExperiments([], { weight: 50 }));
      for (let i = 0; i < 100; i++) {
        const request = await h.as(user(i));
        expect(request.headers[EXPERIMENT]).toBeUndefined();
        expect(request.headers[NEW_EXPOSURE_HEADER]).toBeUndefined();
        expect(header(request, RELEASE)).toBe(header(await plain.as(user(i)), RELEASE));
      }
      expect(h.exposureLines()).toEqual([]);
    }
  });
});

describe('independence from a concurrent rollout (property)', () => {
  const salt = fc.string({ minLength: 1, maxLength: 16 });
  const viewerId = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
  const weight = fc.integer({ min: 0, max: 100 });

  it('a viewer\'s variant never changes when the rollout\'s weight changes', async () => {
    await fc.assert(
      fc.asyncProperty(salt, salt, fc.uniqueArray(viewerId, { minLength: 1, maxLength: 30 }), weight, weight, async (rolloutSalt, experimentSalt, viewers, w1, w2) => {
        const exp = experiment({ salt: experimentSalt, variants: [{ name: 'control', target: 'stable', weight: 20 }, { name: 'b', target: B, weight: 30 }, { name: 'c', target: C, weight: 50 }] });
        const one = harness(withExperiments([exp], { weight: w1, salt: rolloutSalt }));
        const two = harness(withExperiments([exp], { weight: w2, salt: rolloutSalt }));
        for (const id of viewers) expect(header(await one.as(id), EXPERIMENT)).toBe(header(await two.as(id), EXPERIMENT));
      }),
      { numRuns: 200 },
    );
  });

  it('a "stable" variant keeps exactly the rollout\'s choice, and a release variant replaces it', async () => {
    await fc.assert(
      fc.asyncProperty(salt, salt, fc.uniqueArray(viewerId, { minLength: 1, maxLength: 30 }), weight, async (rolloutSalt, experimentSalt, viewers, w) => {
        const withIt = harness(withExperiments([experiment({ salt: experimentSalt })], { weight: w, salt: rolloutSalt }));
        const without = harness(withExperiments([], { weight: w, salt: rolloutSalt }));
        for (const id of viewers) {
          const request = await withIt.as(id);
          const release = header(request, RELEASE);
          if (header(request, EXPERIMENT) === 'checkout=control') expect(release).toBe(header(await without.as(id), RELEASE));
          else expect(release).toBe(C);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('inside each variant, the candidate\'s share is the rollout\'s weight (10,000 viewers, 30%, ±3 points)', async () => {
    const variants = fc.constantFrom([50, 50], [34, 33, 33], [40, 60]);
    await fc.assert(
      fc.asyncProperty(salt, salt, variants, async (rolloutSalt, experimentSalt, weights) => {
        fc.pre(rolloutSalt !== experimentSalt);
        const exp = experiment({ salt: experimentSalt, variants: weights.map((w, i) => ({ name: `v${i}`, target: 'stable', weight: w })) });
        const h = harness(withExperiments([exp], { weight: 30, salt: rolloutSalt }));
        const tally = new Map<string, { viewers: number; candidate: number }>();
        for (let i = 0; i < 10_000; i++) {
          const request = await h.as(user(i));
          const t = tally.get(header(request, EXPERIMENT)!) ?? { viewers: 0, candidate: 0 };
          t.viewers++;
          if (header(request, RELEASE) === B) t.candidate++;
          tally.set(header(request, EXPERIMENT)!, t);
        }
        expect(tally.size).toBe(weights.length);
        for (const [, t] of tally) expect(Math.abs(t.candidate / t.viewers - 0.3)).toBeLessThanOrEqual(0.03);
      }),
      // Statistical: a fixed seed keeps it reproducible (each check is a >3.5 sigma band).
      { numRuns: 8, seed: 20261126 },
    );
  });
});

describe('schema', () => {
  it('a schema-1 document still routes, with no experiment', async () => {
    const document = releaseDocument({ weight: 100 });
    expect(document.schema).toBe(1);
    const h = harness(document);
    const request = await h.as(user(1), '/checkout/');
    expect(header(request, RELEASE)).toBe(B);
    expect(request.headers[EXPERIMENT]).toBeUndefined();
    expect(h.exposureLines()).toEqual([]);
  });

  it('refuses overlapping running (or pinned) experiments, and experiments in schema 1', () => {
    const valid = withExperiments([experiment({ name: 'a', paths: ['/checkout/*'] }), experiment({ name: 'b', paths: ['/pricing', '/checkouts/*'] })]);
    expect(validateReleaseDocument(valid)).toEqual([]);
    const overlapping = [
      [['/*'], ['/checkout/*']],
      [['/checkout/*'], ['/checkout']],
      [['/checkout/*'], ['/checkout/pay']],
      [['/pricing'], ['/pricing']],
      [['/a', '/checkout/*'], ['/checkout/x/*']],
    ];
    for (const [first, second] of overlapping) {
      const document = { ...valid, experiments: [experiment({ name: 'a', paths: first }), experiment({ name: 'b', paths: second })] };
      expect(validateReleaseDocument(document), `${first} vs ${second}`).toEqual(['experiments[1]: its paths overlap those of a']);
    }
    const pinned = { ...valid, experiments: [experiment({ name: 'a', state: 'stopped', winner: 'b', pinned: true }), experiment({ name: 'b', paths: ['/checkout/*'] })] };
    expect(validateReleaseDocument(pinned)).toEqual(['experiments[1]: its paths overlap those of a']);
    const stopped = { ...valid, experiments: [experiment({ name: 'a', state: 'stopped', winner: 'b' }), experiment({ name: 'b', paths: ['/checkout/*'] })] };
    expect(validateReleaseDocument(stopped)).toEqual([]);
    expect(validateReleaseDocument({ ...valid, schema: 1 })).toEqual(['experiments need schema 2']);
  });
});
