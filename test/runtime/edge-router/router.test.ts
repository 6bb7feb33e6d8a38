import { describe, expect, it } from 'vitest';

import { bucketOfViewer } from '../../../src/runtime/edge-router/assignment.js';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResponse } from '../../../src/runtime/edge-router/cloudfront.js';
import { VIEWER_COOKIE_MAX_AGE } from '../../../src/runtime/edge-router/cookies.js';
import { EDGE_METRICS, FLUSH_INTERVAL_MS } from '../../../src/runtime/edge-router/metrics.js';
import { emptyReleaseDocument, type ReleaseDocument } from '../../../src/runtime/edge-router/release-document.js';
import { createRouter, NEW_VIEWER_HEADER, type RouterSettings } from '../../../src/runtime/edge-router/router.js';
import { A, B, running } from '../../edge/fixtures.js';
import { cookieHeader, originRequest, originResponse, viewerRequest, viewerResponse } from './events.js';

const settings: RouterSettings = { bucket: 'rel', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: A, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

/** A router over a document that the test can change or break (null: S3 has none), with a clock it moves by hand. */
function harness(initial: ReleaseDocument | null = withWeight(10), overrides: Partial<RouterSettings> = {}) {
  const state = { document: initial ?? undefined, fail: false, reads: 0, now: 1_000_000, lines: [] as string[], minted: 0 };
  const router = createRouter({
    settings: { ...settings, ...overrides },
    read: async () => {
      state.reads++;
      if (state.fail || !state.document) throw new Error('S3 unavailable');
      return JSON.stringify(state.document);
    },
    now: () => state.now,
    emit: (line) => state.lines.push(line),
    newViewerId: () => `minted-viewer-${String(++state.minted).padStart(8, '0')}`,
  });
  const releaseOf = async (uid?: string, extra = {}) => {
    const request = (await router.handle(viewerRequest('/index.html', { ...(uid ? cookieHeader(`sprout-uid=${uid}`) : {}), ...extra }))) as CloudFrontRequest;
    return request.headers['x-sprout-release']![0]!.value;
  };
  return { router, state, releaseOf };
}

function withWeight(percent: number, state: 'running' | 'aborted' = 'running'): ReleaseDocument {
  const document = running({ steps: [percent, 100].filter((s, i, all) => all.indexOf(s) === i) });
  return { ...document, rollout: { ...document.rollout!, state } };
}

const user = (i: number) => `user-${i.toString(36).padStart(12, '0')}`;

describe('assignment (viewer request)', () => {
  it('sends 10% ± 0.5% of 100,000 distinct viewers to a 10% candidate', async () => {
    const { releaseOf } = harness(withWeight(10));
    let candidate = 0;
    for (let i = 0; i < 100_000; i++) if ((await releaseOf(user(i))) === B) candidate++;
    expect(candidate / 100_000).toBeGreaterThanOrEqual(0.095);
    expect(candidate / 100_000).toBeLessThanOrEqual(0.105);
  });

  it('gives the same cookie the same release, request after request', async () => {
    const { releaseOf } = harness(withWeight(50));
    for (let i = 0; i < 200; i++) {
      const first = await releaseOf(user(i));
      for (let again = 0; again < 3; again++) expect(await releaseOf(user(i))).toBe(first);
    }
  });

  it('is monotonic: raising the weight never moves a viewer from the candidate back to stable', () => {
    const weights = [100, 500, 1000, 2500, 5000, 7500, 10000];
    for (let i = 0; i < 20_000; i++) {
      const bucket = bucketOfViewer('salt1', user(i));
      const onCandidate = weights.map((w) => bucket < w);
      // Once true, true for every larger weight.
      expect(onCandidate.indexOf(true) === -1 || onCandidate.slice(onCandidate.indexOf(true)).every(Boolean)).toBe(true);
    }
  });

  it('keeps monotonic assignment through the router as the document steps up', async () => {
    const h = harness(withWeight(5));
    const onCandidate = new Set<string>();
    for (const percent of [5, 25, 50]) {
      h.state.document = withWeight(percent);
      h.state.now += 10_000;
      for (let i = 0; i < 2000; i++) {
        const release = await h.releaseOf(user(i));
        if (onCandidate.has(user(i))) expect(release).toBe(B);
        if (release === B) onCandidate.add(user(i));
      }
    }
    expect(onCandidate.size).toBeGreaterThan(800);
  });

  it('sees an abort on new requests once the TTL has passed, not before', async () => {
    const h = harness(withWeight(100));
    expect(await h.releaseOf(user(1))).toBe(B);
    h.state.document = withWeight(100, 'aborted');
    h.state.now += 9_999;
    expect(await h.releaseOf(user(1))).toBe(B);
    h.state.now += 1;
    expect(await h.releaseOf(user(1))).toBe(A);
  });

  it('reads the document once per TTL, however many requests arrive at once', async () => {
    const h = harness();
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.releaseOf(user(i))));
    expect(h.state.reads).toBe(1);
    h.state.now += 10_000;
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.releaseOf(user(i))));
    expect(h.state.reads).toBe(2);
  });

  it('serves the baked-in stable release when S3 was never readable, and retries once per TTL', async () => {
    const h = harness(null);
    expect(await h.releaseOf(user(1))).toBe(A);
    expect(await h.releaseOf(user(2))).toBe(A);
    expect(h.state.reads).toBe(1);
    h.state.document = withWeight(100);
    h.state.now += 10_000;
    expect(await h.releaseOf(user(1))).toBe(B);
  });

  it('serves the deployed site when nothing was ever read and no stable release was baked in', async () => {
    const h = harness(null, { fallbackStable: null });
    expect(await h.releaseOf(user(1))).toBe('deployed');
  });

  it('keeps the last good copy when S3 fails or the document turns invalid or belongs to another stage', async () => {
    const h = harness(withWeight(100));
    expect(await h.releaseOf(user(1))).toBe(B);
    for (const broken of [() => (h.state.fail = true), () => ((h.state.fail = false), (h.state.document = { schema: 9 } as never)), () => (h.state.document = { ...withWeight(0 + 100, 'aborted'), stage: 'dev' })]) {
      broken();
      h.state.now += 10_000;
      expect(await h.releaseOf(user(1))).toBe(B);
    }
  });

  it('always sets the release header, and replaces one the viewer sent', async () => {
    const h = harness(emptyReleaseDocument('prod'));
    expect(await h.releaseOf(undefined, { 'x-sprout-release': [{ key: 'X-Sprout-Release', value: B }] })).toBe('deployed');
    const throwing = createRouter({ settings, read: async () => '{}', now: () => 0, emit: () => {}, newViewerId: () => { throw new Error('no entropy'); } });
    const request = (await throwing.handle(viewerRequest('/', { 'x-sprout-release': [{ value: 'r-cccccccccccc' }] }))) as CloudFrontRequest;
    expect(request.headers['x-sprout-release']).toEqual([{ key: 'x-sprout-release', value: A }]);
  });

  it('handles malformed cookies and headers: a bad id is replaced by a new one', async () => {
    const h = harness(withWeight(10));
    const cases = [
      cookieHeader('sprout-uid=short'),
      cookieHeader('sprout-uid=has spaces and ; semicolons'),
      cookieHeader(`sprout-uid=${'x'.repeat(65)}`),
      cookieHeader('sprout-uid=<script>alert(1)</script>'),
      cookieHeader(`a=${'b'.repeat(20_000)}; sprout-uid=${user(1)}`),
      cookieHeader('=;;;==; ;', 'sprout-uid'),
      { cookie: [{ key: 'Cookie' } as never] },
      { cookie: [] },
    ];
    for (const headers of cases) {
      const request = (await h.router.handle(viewerRequest('/', headers))) as CloudFrontRequest;
      expect(request.headers[NEW_VIEWER_HEADER]?.[0]?.value).toMatch(/^minted-viewer-/);
      expect(request.headers['x-sprout-release']?.[0]?.value).toMatch(/^r-/);
    }
    const noHeaders = viewerRequest('/');
    delete (noHeaders.Records[0]!.cf.request as Partial<CloudFrontRequest>).headers;
    expect(((await h.router.handle(noHeaders)) as CloudFrontRequest).headers['x-sprout-release']).toBeDefined();
  });

  it('reads the id among other cookies and Cookie headers, quoted or not, and mints nothing then', async () => {
    const h = harness(withWeight(10));
    for (const headers of [cookieHeader(`theme=dark; sprout-uid=${user(7)}; lang=en`), cookieHeader('theme=dark', `sprout-uid="${user(7)}"`)]) {
      const request = (await h.router.handle(viewerRequest('/', headers))) as CloudFrontRequest;
      expect(request.headers[NEW_VIEWER_HEADER]).toBeUndefined();
    }
    expect(h.state.minted).toBe(0);
  });
});

describe('routing (origin request)', () => {
  async function routed(uri: string, release?: string, document = withWeight(10), overrides: Partial<RouterSettings> = {}) {
    const h = harness(document, overrides);
    const headers: CloudFrontHeaders = release ? { 'x-sprout-release': [{ key: 'X-Sprout-Release', value: release }] } : {};
    return (await h.router.handle(originRequest(uri, headers))) as CloudFrontRequest;
  }

  it('serves the chosen release from releases/<id>/, and a folder from its index.html', async () => {
    expect((await routed('/assets/main-ABC.js', B)).uri).toBe(`/releases/${B}/assets/main-ABC.js`);
    expect((await routed('/', B)).uri).toBe(`/releases/${B}/index.html`);
    expect((await routed('/app/', B)).origin?.s3?.domainName).toBe('shop-site.s3.eu-west-1.amazonaws.com');
  });

  it('serves client-side routes of a single-page app from the release\'s index.html', async () => {
    expect((await routed('/items/42', B, withWeight(10), { spaIndex: true })).uri).toBe(`/releases/${B}/index.html`);
    expect((await routed('/items/', B, withWeight(10), { spaIndex: true })).uri).toBe(`/releases/${B}/index.html`);
    expect((await routed('/assets/main-ABC.js', B, withWeight(10), { spaIndex: true })).uri).toBe(`/releases/${B}/assets/main-ABC.js`);
    expect((await routed('/items/42', B)).uri).toBe(`/releases/${B}/items/42`);
  });

  it('leaves shared paths, the deployed site, and missing or invalid header values alone', async () => {
    expect((await routed('/config.json', B)).uri).toBe('/config.json');
    expect((await routed('/index.html', 'deployed')).uri).toBe('/index.html');
    expect((await routed('/index.html')).uri).toBe('/index.html');
    expect((await routed('/index.html', '../../etc')).uri).toBe('/index.html');
  });

  it('sends an API variant to its own origin, with its host header', async () => {
    const document = withWeight(10);
    document.releases = document.releases.map((r) => (r.id === B ? { ...r, origin: 'api-v2.example.com' } : r));
    const request = await routed('/api/items', B, document);
    expect(request.uri).toBe('/api/items');
    expect(request.origin).toEqual({ custom: expect.objectContaining({ domainName: 'api-v2.example.com', port: 443, protocol: 'https', path: '' }) });
    expect(request.headers.host).toEqual([{ key: 'Host', value: 'api-v2.example.com' }]);
  });
});

describe('metrics (origin response) and the viewer cookie (viewer response)', () => {
  it('counts exposures, origin responses and 5xx per release, and writes EMF lines every 10 s', async () => {
    const h = harness(withWeight(100));
    await h.releaseOf(user(1));
    await h.releaseOf(user(2));
    const header = { 'x-sprout-release': [{ key: 'X-Sprout-Release', value: B }] };
    for (const status of ['200', '503', '500', '404']) {
      const response = (await h.router.handle(originResponse(status, header))) as CloudFrontResponse;
      expect(response.status).toBe(status);
    }
    expect(h.state.lines).toEqual([]);
    h.state.now += FLUSH_INTERVAL_MS;
    await h.router.handle(originResponse('200', { 'x-sprout-release': [{ value: A }] }));
    expect(h.state.lines.map((l) => JSON.parse(l))).toEqual([
      {
        _aws: { Timestamp: h.state.now, CloudWatchMetrics: [{ Namespace: 'Sprout/Edge', Dimensions: [['Stage', 'Release']], Metrics: [{ Name: 'Exposures', Unit: 'Count' }, { Name: 'OriginResponses', Unit: 'Count' }, { Name: 'Origin5xx', Unit: 'Count' }] }] },
        Stage: 'prod',
        Release: B,
        [EDGE_METRICS.exposures]: 2,
        [EDGE_METRICS.originResponses]: 4,
        [EDGE_METRICS.origin5xx]: 2,
      },
      expect.objectContaining({ Release: A, Exposures: 0, OriginResponses: 1, Origin5xx: 0 }),
    ]);
  });

  it('sets the id cookie for a minted id only, keeping the response\'s own cookies', async () => {
    const h = harness();
    const response = (await h.router.handle(viewerResponse({ [NEW_VIEWER_HEADER]: [{ value: 'minted-viewer-00000001' }] }, { 'set-cookie': [{ key: 'Set-Cookie', value: 'theme=dark' }] }))) as CloudFrontResponse;
    expect(response.headers['set-cookie']).toEqual([
      { key: 'Set-Cookie', value: 'theme=dark' },
      { key: 'Set-Cookie', value: `sprout-uid=minted-viewer-00000001; Path=/; Max-Age=${VIEWER_COOKIE_MAX_AGE}; Secure; HttpOnly; SameSite=Lax` },
    ]);
    const returning = (await h.router.handle(viewerResponse(cookieHeader(`sprout-uid=${user(1)}`)))) as CloudFrontResponse;
    expect(returning.headers['set-cookie']).toBeUndefined();
    const forged = (await h.router.handle(viewerResponse({ [NEW_VIEWER_HEADER]: [{ value: 'x; Domain=evil.example' }] }))) as CloudFrontResponse;
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  it('mints an id that round-trips: the cookie it sets is the id read next time', async () => {
    const h = harness(withWeight(50));
    const first = (await h.router.handle(viewerRequest('/'))) as CloudFrontRequest;
    const response = (await h.router.handle(viewerResponse(first.headers))) as CloudFrontResponse;
    const cookie = response.headers['set-cookie']![0]!.value.split(';')[0]!;
    const second = (await h.router.handle(viewerRequest('/', cookieHeader(cookie)))) as CloudFrontRequest;
    expect(second.headers[NEW_VIEWER_HEADER]).toBeUndefined();
    expect(second.headers['x-sprout-release']).toEqual(first.headers['x-sprout-release']);
  });
});
