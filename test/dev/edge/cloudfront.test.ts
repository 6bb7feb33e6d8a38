import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { S3RVER_CREDENTIALS } from '../../../src/dev/emulators.js';
import { deployBuckets } from '../../../src/dev/edge/bucket-deployment.js';
import { type LocalDistributions, startDistributions } from '../../../src/dev/edge/cloudfront.js';
import { loadApp } from '../../../src/dev/model/index.js';
import type { DevLogEvent, LocalEndpoints, ResolvedApp } from '../../../src/dev/types.js';
import { type ReleaseDocument, validateReleaseDocument } from '../../../src/runtime/edge-router/release-document.js';

// The spa template's distribution (trimmed from a real synth, with the router's settings as metadata
// and ttlSeconds 1) served over real sockets, against a real s3rver and a temporary project folder.

const FIXTURE = fileURLToPath(new URL('./fixtures/spa-cdk.out', import.meta.url));
const STABLE = 'r-aaaaaaaaaaaa';
const CANDIDATE = 'r-bbbbbbbbbbbb';

let root: string;
let s3dir: string;
let s3rver: { close(): Promise<void> };
let s3: S3Client;
let app: ResolvedApp;
let edge: LocalDistributions;
let base: string;
const logs: DevLogEvent[] = [];

function document(rollout: 'running' | 'aborted', revision: number): ReleaseDocument {
  const at = '2026-11-27T06:00:00.000Z';
  return {
    schema: 1,
    stage: 'local',
    revision,
    stable: STABLE,
    releases: [STABLE, CANDIDATE].map((id) => ({ id, createdAt: at, createdBy: 'test', files: 2, bytes: 100 })),
    rollout: { candidate: CANDIDATE, salt: 'salt-1', state: rollout, steps: [50, 100], step: 0, startedAt: at, stepStartedAt: at, intervalSeconds: 60, gates: { maxErrorRate: 0.01, minRequests: 10, alarms: [] } },
    history: [],
  } as ReleaseDocument;
}

async function writeDocument(doc: ReleaseDocument) {
  expect(validateReleaseDocument(doc)).toEqual([]);
  await writeFile(join(root, '.sprout', 'local', 'release.json'), JSON.stringify(doc));
}

async function writeRelease(id: string) {
  const dir = join(root, '.sprout', 'local', 'site', 'releases', id);
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), `<!doctype html><title>${id}</title>\n`);
  await writeFile(join(dir, 'assets', 'app.js'), `console.log(${JSON.stringify(id)})\n`);
}

/** The release a page came from (each release's index.html names itself). */
const releaseOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const uidCookie = (response: Response) => response.headers.getSetCookie().find((c) => c.startsWith('sprout-uid='))?.split(';')[0];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sprout-edge-root-'));
  await mkdir(join(root, '.sprout', 'local'), { recursive: true });
  await writeRelease(STABLE);
  await writeRelease(CANDIDATE);
  await writeDocument(document('running', 1));

  s3dir = await mkdtemp(join(tmpdir(), 'sprout-edge-s3-'));
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3dir, silent: true });
  const { port } = await server.run();
  s3rver = server;
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const endpoints: LocalEndpoints = { dynamodb: 'http://127.0.0.1:1', s3: endpoint, kinesis: 'http://127.0.0.1:1', aws: 'http://127.0.0.1:1' };
  app = await loadApp(FIXTURE, endpoints);
  const bucket = app.ofType('AWS::S3::Bucket')[0]!.ref;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // An object the HTML deployment must prune (not under its excluded assets/ or releases/).
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'stale.html', Body: 'old' }));
  await deployBuckets({ app, s3, log: (e) => logs.push(e) });
  edge = await startDistributions({ app, root, endpoints, originFor: () => undefined, log: (e) => logs.push(e) });
  base = edge.distributions[0]!.url;
}, 30_000);

afterAll(async () => {
  await edge?.close();
  s3?.destroy();
  await s3rver?.close();
  await rm(root, { recursive: true, force: true });
  await rm(s3dir, { recursive: true, force: true });
});

describe('BucketDeployment into the local bucket', () => {
  it('copies the asset folders with their filters and metadata, replaces the deploy-time marker (JSON-escaped) and prunes', async () => {
    const bucket = app.ofType('AWS::S3::Bucket')[0]!.ref;
    const config = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'config.json' }));
    const text = await config.Body!.transformToString();
    expect(JSON.parse(text)).toEqual({ apiUrl: `https://${bucket}.s3.us-east-1.amazonaws.com/"quoted"/` });
    expect(text).toContain('\\"quoted\\"');
    expect(config.CacheControl).toBe('public, max-age=60');
    const asset = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'assets/app-deployed.js' }));
    expect(asset.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(asset.ContentType).toMatch(/^text\/javascript/);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stale.html' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))).Body!.transformToString()).toContain('deployed site');
  });
});

describe('the local CloudFront with the edge router', () => {
  it('serves one distribution on a local port with nothing left unemulated', () => {
    expect(edge.distributions).toHaveLength(1);
    expect(edge.distributions[0]!.id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(edge.warnings()).toEqual([]);
  });

  it('splits 400 cookie-less viewers about 50/50 at a 50% rollout, each given its sprout-uid cookie', async () => {
    const counts = new Map<string, number>();
    const ids = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const response = await fetch(`${base}/`);
      expect(response.status).toBe(200);
      const release = releaseOf(await response.text())!;
      counts.set(release, (counts.get(release) ?? 0) + 1);
      const cookie = uidCookie(response);
      expect(cookie).toMatch(/^sprout-uid=[0-9a-f-]{36}$/);
      ids.add(cookie!);
    }
    expect(ids.size).toBe(400);
    expect([...counts.keys()].sort()).toEqual([STABLE, CANDIDATE]);
    // Binomial(400, 0.5): sd 10, so ±40 is four standard deviations.
    expect(counts.get(CANDIDATE)!).toBeGreaterThanOrEqual(160);
    expect(counts.get(CANDIDATE)!).toBeLessThanOrEqual(240);
  }, 60_000);

  it("keeps a viewer's release through its cookie, for pages, deep links and assets", async () => {
    const first = await fetch(`${base}/`);
    const cookie = uidCookie(first)!;
    const release = releaseOf(await first.text());
    for (let i = 0; i < 15; i++) {
      const again = await fetch(`${base}/`, { headers: { cookie } });
      expect(releaseOf(await again.text())).toBe(release);
      expect(uidCookie(again)).toBeUndefined();
    }
    const deepLink = await fetch(`${base}/orders/42`, { headers: { cookie } });
    expect(deepLink.status).toBe(200);
    expect(releaseOf(await deepLink.text())).toBe(release);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain(release!);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('adds the response headers policy: security headers and the custom Permissions-Policy', async () => {
    const response = await fetch(`${base}/`);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'; object-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('permissions-policy')).toBe('camera=(), microphone=(), geolocation=(), payment=()');
    expect(response.headers.get('x-cache')).toBe('Miss from cloudfront');
  });

  it("answers a missing file with the distribution's error page (S3's 403 → 200 /index.html, fetched without the router, so the deployed site's)", async () => {
    const response = await fetch(`${base}/assets/missing.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('deployed site');
    // No viewer-response function on a custom error page: no cookie.
    expect(uidCookie(response)).toBeUndefined();
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it("refuses methods the behaviour does not allow, as CloudFront does", async () => {
    const response = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('not configured to allow the HTTP request method');
  });

  it('logs each request with the release and why', () => {
    const request = logs.find((e) => e.kind === 'request' && e.source === 'cloudfront' && / 200 → release r-[0-9a-f]{12} \((stable|rollout 50%)\)$/.test(e.message));
    expect(request?.message).toMatch(/^GET \/ 200 → release/);
  });

  it('switches new viewers to stable within the TTL once the rollout is aborted by another process', async () => {
    await writeDocument(document('aborted', 2));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${base}/`);
      expect(releaseOf(await response.text())).toBe(STABLE);
    }
  });

  it('appends the EMF lines of the exposures and origin answers per release to .sprout/local/edge-metrics.jsonl', async () => {
    await edge.flush();
    const lines = (await readFile(join(root, '.sprout', 'local', 'edge-metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const exposures = new Map<string, number>();
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('Sprout/Edge');
      expect(line.Stage).toBe('local');
      if (line.Release) exposures.set(line.Release, (exposures.get(line.Release) ?? 0) + line.Exposures);
    }
    expect(exposures.get(CANDIDATE)).toBeGreaterThan(150);
    expect(exposures.get(STABLE)).toBeGreaterThan(190);
  });
});
