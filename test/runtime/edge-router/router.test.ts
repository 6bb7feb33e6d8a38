import { describe, expect, it } from 'vitest';

import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResponse } from '../../../src/runtime/edge-router/cloudfront.js';
import { EDGE_METRICS, FLUSH_INTERVAL_MS } from '../../../src/runtime/edge-router/metrics.js';
import type { ReleaseDocument } from '../../../src/runtime/edge-router/release-document.js';
import { createRouter, NEW_VIEWER_HEADER, type RouterSettings } from '../../../src/runtime/edge-router/router.js';
import { A, API_ORIGIN, B, cookieHeader, originRequest, originResponse, releaseDocument, viewerRequest, viewerResponse } from './events.js';

const settings: RouterSettings = { bucket: 'rel', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: A, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

/** A router over a document the test can change or break (null: S3 has none), with a clock it moves by hand. */
function harness(initial: ReleaseDocument | string | null = releaseDocument(), overrides: Partial<RouterSettings> = {}) {
  const state = { document: initial as ReleaseDocument | string | null, fail: false, reads: 0, now: 1_000_000, lines: [] as string[], minted: 0 };
  const router = createRouter({
    settings: { ...settings, ...overrides },
    readDocument: async () => {
      state.reads++;
      if (state.fail || state.document === null) throw new Error('S3 unavailable');
      return typeof state.document === 'string' ? state.document : JSON.stringify(state.document);
    },
    now: () => state.now,
    emit: (line) => state.lines.push(line),
    randomId: () => `minted-viewer-${String(++state.minted).padStart(8, '0')}`,
  });
  const viewer = async (headers: CloudFrontHeaders = {}) => (await router.handle(viewerRequest('/index.html', headers))) as CloudFrontRequest;
  const releaseOf = async (uid?: string, extra: CloudFrontHeaders = {}) => (await viewer({ ...(uid ? cookieHeader(`sprout-uid=${uid}`) : {}), ...extra })).headers['x-sprout-release']![0]!.value;
  const later = (ms: number) => (state.now += ms);
  return { router, state, viewer, releaseOf, later };
}

const user = (i: number) => `user-${i.toString(36).padStart(12, '0')}`;
const releaseHeader = (value: string): CloudFrontHeaders => ({ 'x-sprout-release': [{ key: 'X-Sprout-Release', value }] });

describe('assignment (viewer request)', () => {
  it('sends 10% ± 0.5% of 100,000 distinct viewers to a 10% candidate', async () => {
    const { releaseOf } = harness(releaseDocument({ weight: 10 }));
    let candidate = 0;
    for (let i = 0; i < 100_000; i++) if ((await releaseOf(user(i))) === B) candidate++;
    expect(candidate / 100_000).toBeGreaterThanOrEqual(0.095);
    expect(candidate / 100_000).toBeLessThanOrEqual(0.105);
  });

  it('gives the same cookie the same release, request after request', async () => {
    const { releaseOf } = harness(releaseDocument({ weight: 50 }));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const first = await releaseOf(user(i));
      seen.add(first);
      for (let again = 0; again < 3; again++) expect(await releaseOf(user(i))).toBe(first);
    }
    expect(seen).toEqual(new Set([A, B]));
  });

  it('is monotonic as the weight rises 1 → 5 → 25 → 50 → 100: nobody goes back to stable', async () => {
    const h = harness(releaseDocument({ weight: 1 }));
    const onCandidate = new Set<string>();
    for (const weight of [1, 5, 25, 50, 100]) {
      h.state.document = releaseDocument({ weight });
      h.later(settings.ttlSeconds * 1000);
      for (let i = 0; i < 10_000; i++) {
        const release = await h.releaseOf(user(i));
        if (onCandidate.has(user(i))) expect(release).toBe(B);
        if (release === B) onCandidate.add(user(i));
      }
      expect(Math.abs(onCandidate.size / 10_000 - weight / 100)).toBeLessThan(0.015);
    }
    expect(onCandidate.size).toBe(10_000);
  });

  it('reshuffles who goes first with a new salt', async () => {
    const first = harness(releaseDocument({ weight: 50, salt: 'one' }));
    const second = harness(releaseDocument({ weight: 50, salt: 'two' }));
    let differ = 0;
    for (let i = 0; i < 1000; i++) if ((await first.releaseOf(user(i))) !== (await second.releaseOf(user(i)))) differ++;
    expect(differ).toBeGreaterThan(300);
  });

  it('sees an abort on new requests once the TTL has passed, not before', async () => {
    const h = harness(releaseDocument({ weight: 100 }));
    expect(await h.releaseOf(user(1))).toBe(B);
    h.state.document = releaseDocument({ weight: 100, state: 'aborted' });
    h.later(9_999);
    expect(await h.releaseOf(user(1))).toBe(B);
    h.later(1);
    expect(await h.releaseOf(user(1))).toBe(A);
  });

  it('reads the document once per TTL, however many requests arrive at once', async () => {
    const h = harness();
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.releaseOf(user(i))));
    expect(h.state.reads).toBe(1);
    h.later(10_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.releaseOf(user(i))));
    expect(h.state.reads).toBe(2);
  });

  it('serves the baked-in stable release when S3 was never readable, and retries at most once per TTL', async () => {
    const h = harness(null);
    expect(await h.releaseOf(user(1))).toBe(A);
    h.later(9_999);
    expect(await h.releaseOf(user(2))).toBe(A);
    expect(h.state.reads).toBe(1);
    h.state.document = releaseDocument({ weight: 100 });
    h.later(1);
    expect(await h.releaseOf(user(1))).toBe(B);
    expect(h.state.reads).toBe(2);
  });

  it('serves the deployed site when nothing was ever read and no stable release was baked in', async () => {
    expect(await harness(null, { fallbackStable: null }).releaseOf(user(1))).toBe('deployed');
    expect(await harness('{"schema":', { fallbackStable: null }).releaseOf(user(1))).toBe('deployed');
  });

  it('keeps the last good copy when S3 fails, the document turns invalid, or it belongs to another stage', async () => {
    const h = harness(releaseDocument({ weight: 100 }));
    expect(await h.releaseOf(user(1))).toBe(B);
    const breakages = [
      () => (h.state.fail = true),
      () => ((h.state.fail = false), (h.state.document = 'not json')),
      () => (h.state.document = { ...releaseDocument({ weight: 100, state: 'aborted' }), schema: 3 } as never),
      () => (h.state.document = releaseDocument({ weight: 100, state: 'aborted', stage: 'dev' })),
    ];
    for (const breakage of breakages) {
      breakage();
      h.later(10_000);
      const reads = h.state.reads;
      expect(await h.releaseOf(user(1))).toBe(B);
      expect(await h.releaseOf(user(2))).toBe(B);
      expect(h.state.reads).toBe(reads + 1);
    }
    h.state.document = releaseDocument({ weight: 100, state: 'aborted' });
    h.later(10_000);
    expect(await h.releaseOf(user(1))).toBe(A);
  });

  it('always sets the release header, replacing any the viewer sent, even when everything fails', async () => {
    expect(await harness(releaseDocument({ weight: 0 })).releaseOf(user(1), releaseHeader(B))).toBe(A);
    expect(await harness(null, { fallbackStable: null }).releaseOf(user(1), releaseHeader(B))).toBe('deployed');
    const broken = createRouter({
      settings,
      readDocument: () => Promise.reject(new Error('timeout')),
      now: () => 0,
      emit: () => {
        throw new Error('no log');
      },
      randomId: () => {
        throw new Error('no entropy');
      },
    });
    const request = (await broken.handle(viewerRequest('/', { 'x-sprout-release': [{ value: 'r-cccccccccccc' }, { value: B }] }))) as CloudFrontRequest;
    expect(request.headers['x-sprout-release']).toEqual([{ key: 'x-sprout-release', value: A }]);
  });

  it('never trusts a viewer-sent new-id marker, and never sets a cookie on the request', async () => {
    const h = harness();
    const request = await h.viewer({ ...cookieHeader(`sprout-uid=${user(3)}`), [NEW_VIEWER_HEADER]: [{ value: 'attacker-chosen-id-0001' }] });
    expect(request.headers[NEW_VIEWER_HEADER]).toBeUndefined();
    expect(request.headers.cookie).toEqual([{ key: 'Cookie', value: `sprout-uid=${user(3)}` }]);
    expect(request.headers['set-cookie']).toBeUndefined();
    const fresh = await h.viewer();
    expect(fresh.headers[NEW_VIEWER_HEADER]).toEqual([{ key: NEW_VIEWER_HEADER, value: 'minted-viewer-00000001' }]);
    expect(fresh.headers.cookie).toBeUndefined();
  });

  it('handles malformed cookies and headers: a bad id is replaced by a new one, nothing throws', async () => {
    const h = harness(releaseDocument({ weight: 10 }));
    const cases: CloudFrontHeaders[] = [
      cookieHeader('sprout-uid=short'),
      cookieHeader('sprout-uid=has spaces and ; semicolons'),
      cookieHeader(`sprout-uid=${'x'.repeat(65)}`),
      cookieHeader('sprout-uid=<script>alert(1)</script>'),
      cookieHeader('sprout-uid=user%2D0000000000001'),
      cookieHeader('sprout-uid=ünïcödé-ünïcödé-ünïcödé'),
      cookieHeader(`a=${'b'.repeat(20_000)}; sprout-uid=${user(1)}`),
      cookieHeader('=;;;==; ;', 'sprout-uid', '\u0000\uffff'),
      { cookie: [{ key: 'Cookie' } as never, null as never, { value: 42 } as never] },
      { cookie: [] },
      { cookie: 'sprout-uid=not-a-list-of-entries' as never },
    ];
    for (const headers of cases) {
      const request = await h.viewer(headers);
      expect(request.headers[NEW_VIEWER_HEADER]?.[0]?.value).toMatch(/^minted-viewer-/);
      expect(request.headers['x-sprout-release']?.[0]?.value).toMatch(/^r-/);
    }
    const noHeaders = viewerRequest('/');
    delete (noHeaders.Records[0]!.cf.request as Partial<CloudFrontRequest>).headers;
    expect(((await h.router.handle(noHeaders)) as CloudFrontRequest).headers['x-sprout-release']).toHaveLength(1);
  });

  it('reads the id among other cookies and Cookie headers, quoted or not, with "=" in other values', async () => {
    const h = harness(releaseDocument({ weight: 50 }));
    const expected = await h.releaseOf(user(7));
    for (const headers of [
      cookieHeader(`theme=dark; sprout-uid=${user(7)}; lang=en`),
      cookieHeader('theme=dark', `token=a=b==;  sprout-uid = "${user(7)}"`),
      cookieHeader('3f2504e0-4f89-41d3-9a0c-0305e82c3301=x', `sprout-uid=${user(7)}`),
    ]) {
      const request = await h.viewer(headers);
      expect(request.headers[NEW_VIEWER_HEADER]).toBeUndefined();
      expect(request.headers['x-sprout-release']![0]!.value).toBe(expected);
    }
    // A UUID, as randomUUID mints, is a valid id.
    expect((await h.viewer(cookieHeader('sprout-uid=3f2504e0-4f89-41d3-9a0c-0305e82c3301'))).headers[NEW_VIEWER_HEADER]).toBeUndefined();
    expect(h.state.minted).toBe(0);
  });
});

describe('routing (origin request)', () => {
  async function routed(uri: string, release?: string, options: { document?: ReleaseDocument; overrides?: Partial<RouterSettings>; origin?: typeof API_ORIGIN } = {}) {
    const h = harness(options.document ?? releaseDocument(), options.overrides);
    return (await h.router.handle(originRequest(uri, release ? releaseHeader(release) : {}, options.origin))) as CloudFrontRequest;
  }

  it('serves the chosen release from /releases/<id>/, and a folder from its index.html', async () => {
    const request = await routed('/assets/main-ABC.js', B);
    expect(request.uri).toBe(`/releases/${B}/assets/main-ABC.js`);
    expect(request.origin?.s3?.domainName).toBe('shop-site.s3.eu-west-1.amazonaws.com');
    expect((await routed('/', B)).uri).toBe(`/releases/${B}/index.html`);
    expect((await routed('/docs/', A)).uri).toBe(`/releases/${A}/docs/index.html`);
  });

  it('serves client-side routes of a single-page app from the release\'s index.html when spaIndex is on', async () => {
    const spa = { overrides: { spaIndex: true } };
    expect((await routed('/items/42', B, spa)).uri).toBe(`/releases/${B}/index.html`);
    expect((await routed('/assets/main-ABC.js', B, spa)).uri).toBe(`/releases/${B}/assets/main-ABC.js`);
    expect((await routed('/items/42', B)).uri).toBe(`/releases/${B}/items/42`);
  });

  it('leaves shared paths, the deployed site, and missing or invalid header values alone', async () => {
    for (const [uri, release] of [['/config.json', B], ['/index.html', 'deployed'], ['/index.html', undefined], ['/index.html', '../../etc'], ['/index.html', `${B}/../x`], ['/index.html', 'R-BBBBBBBBBBBB']] as const) {
      const request = await routed(uri, release);
      expect(request.uri).toBe(uri);
      expect(request.origin).toEqual(originRequest(uri).Records[0]!.cf.request.origin);
    }
  });

  it('sends an API variant to its own HTTPS origin with its host header, from an S3 or a custom origin', async () => {
    const document = releaseDocument({ origin: 'api-v2.example.com' });
    const fromS3 = await routed('/api/items?x', B, { document });
    expect(fromS3.uri).toBe('/api/items?x');
    expect(fromS3.origin).toEqual({ custom: expect.objectContaining({ domainName: 'api-v2.example.com', port: 443, protocol: 'https', path: '' }) });
    expect(fromS3.headers.host).toEqual([{ key: 'Host', value: 'api-v2.example.com' }]);

    const fromApi = await routed('/api/items', B, { document, origin: API_ORIGIN });
    expect(fromApi.uri).toBe('/api/items');
    expect(fromApi.origin).toEqual({ custom: { ...API_ORIGIN.custom, domainName: 'api-v2.example.com' } });
    expect(fromApi.headers.host).toEqual([{ key: 'Host', value: 'api-v2.example.com' }]);

    // Stable (A) has no origin of its own: it stays on the distribution's origin.
    expect((await routed('/api/items', A, { document, origin: API_ORIGIN })).origin).toEqual(API_ORIGIN);
  });
});

describe('metrics (origin response)', () => {
  const emf = (release: string, exposures: number, originResponses: number, origin5xx: number, timestamp: number) => ({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: 'Sprout/Edge', Dimensions: [['Stage', 'Release']], Metrics: [{ Name: 'Exposures', Unit: 'Count' }, { Name: 'OriginResponses', Unit: 'Count' }, { Name: 'Origin5xx', Unit: 'Count' }] }],
    },
    Stage: 'prod',
    Release: release,
    Exposures: exposures,
    OriginResponses: originResponses,
    Origin5xx: origin5xx,
  });

  it('exports the names the CLI\'s gates query', () => {
    expect(EDGE_METRICS).toEqual({ namespace: 'Sprout/Edge', dimensions: { stage: 'Stage', release: 'Release' }, exposures: 'Exposures', originResponses: 'OriginResponses', origin5xx: 'Origin5xx', experimentExposures: 'ExperimentExposures', experimentDimensions: { experiment: 'Experiment', variant: 'Variant' } });
  });

  it('counts exposures, origin responses and 5xx per release, and writes one EMF line per release once 10 s have passed', async () => {
    const h = harness(releaseDocument({ weight: 100 }));
    await h.releaseOf(user(1));
    await h.releaseOf(user(2));
    for (const status of ['200', '503', '500', '404', '499']) {
      const response = (await h.router.handle(originResponse(status, releaseHeader(B)))) as CloudFrontResponse;
      expect(response).toEqual(originResponse(status).Records[0]!.cf.response);
    }
    await h.router.handle(originResponse('502', releaseHeader('deployed')));
    await h.router.handle(originResponse('500', releaseHeader('<script>')));
    await h.router.handle(originResponse('500'));
    h.later(FLUSH_INTERVAL_MS - 1);
    await h.router.handle(originResponse('200', releaseHeader(A)));
    expect(h.state.lines).toEqual([]);

    h.later(1);
    await h.router.handle(viewerResponse());
    expect(h.state.lines.map((line) => JSON.parse(line))).toEqual([emf(B, 2, 5, 2, h.state.now), emf('deployed', 0, 1, 1, h.state.now), emf(A, 0, 1, 0, h.state.now)]);
    expect(h.state.lines.every((line) => !line.includes('\n'))).toBe(true);

    // Counters start again from zero, and nothing is written while nothing was counted.
    h.later(FLUSH_INTERVAL_MS);
    await h.router.handle(viewerResponse());
    expect(h.state.lines).toHaveLength(3);
    await h.router.handle(originResponse('200', releaseHeader(B)));
    h.later(FLUSH_INTERVAL_MS);
    await h.router.handle(originRequest('/x.js', releaseHeader(B)));
    expect(JSON.parse(h.state.lines[3]!)).toEqual(emf(B, 0, 1, 0, h.state.now));
  });
});

describe('the id cookie (viewer response)', () => {
  it('sets the cookie for a minted id only, with Secure, HttpOnly, SameSite=Lax and a 400-day Max-Age, keeping the response\'s own cookies', async () => {
    const h = harness();
    const response = (await h.router.handle(viewerResponse({ [NEW_VIEWER_HEADER]: [{ value: 'minted-viewer-00000001' }] }, { 'set-cookie': [{ key: 'Set-Cookie', value: 'theme=dark' }] }))) as CloudFrontResponse;
    expect(response.headers['set-cookie']).toEqual([
      { key: 'Set-Cookie', value: 'theme=dark' },
      { key: 'Set-Cookie', value: 'sprout-uid=minted-viewer-00000001; Path=/; Max-Age=34560000; Secure; HttpOnly; SameSite=Lax' },
    ]);
    const returning = (await h.router.handle(viewerResponse(cookieHeader(`sprout-uid=${user(1)}`)))) as CloudFrontResponse;
    expect(returning.headers['set-cookie']).toBeUndefined();
    const forged = (await h.router.handle(viewerResponse({ [NEW_VIEWER_HEADER]: [{ value: 'x; Domain=evil.example' }] }))) as CloudFrontResponse;
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  it('does nothing when the marker did not reach the viewer response', async () => {
    const h = harness();
    const event = viewerResponse({}, { 'cache-control': [{ key: 'Cache-Control', value: 'no-cache' }] });
    const before = structuredClone(event.Records[0]!.cf.response);
    expect(await h.router.handle(event)).toEqual(before);
  });

  it('round-trips: the cookie it sets is the id read on the next request', async () => {
    const h = harness(releaseDocument({ weight: 50 }));
    const first = await h.viewer();
    const response = (await h.router.handle(viewerResponse(first.headers))) as CloudFrontResponse;
    const cookie = response.headers['set-cookie']![0]!.value.split(';')[0]!;
    const second = await h.viewer(cookieHeader(cookie));
    expect(second.headers[NEW_VIEWER_HEADER]).toBeUndefined();
    expect(second.headers['x-sprout-release']).toEqual(first.headers['x-sprout-release']);
  });
});
