import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleEdgeHandler, EDGE_LIMITS, type EdgeHandler } from '../infra/constructs/edge-function.js';
import { DEFAULT_SECURITY_HEADERS } from '../src/edge/security-headers.js';
import { viewerRequestEvent } from './helpers/cloudfront-events.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function bundle(name: EdgeHandler, settings: object) {
  const dir = mkdtempSync(join(tmpdir(), 'edge-bundle-'));
  dirs.push(dir);
  const file = bundleEdgeHandler(name, settings, dir);
  return { file, bytes: statSync(file).size, gzipped: gzipSync(readFileSync(file)).length };
}

const viewerSettings = { region: 'eu-west-1', cookieName: 'session', signInPath: '/login', configPath: '/config.json', publicPaths: ['/assets/'], configTtlSeconds: 60 };

describe('the Lambda@Edge bundles', () => {
  it.each<[EdgeHandler, object, 'viewer' | 'origin']>([
    ['viewer-auth', viewerSettings, 'viewer'],
    ['security-headers', DEFAULT_SECURITY_HEADERS, 'origin'],
    ['origin-failover', { roleHeader: 'a', secondaryHeader: 'b', threshold: 3, windowSeconds: 10, cooldownSeconds: 30 }, 'origin'],
  ])('%s is one small file, far inside the %s-trigger package limit', (name, settings, trigger) => {
    const { bytes, gzipped } = bundle(name, settings);
    // Even unzipped it is under the limit on the zipped package; in practice a few KB.
    expect(bytes).toBeLessThan(EDGE_LIMITS[trigger].zippedBytes);
    expect(gzipped).toBeLessThan(20 * 1024);
  });

  it('bakes the settings in at build time: the bundled viewer function uses them with no environment', async () => {
    const { file } = bundle('viewer-auth', viewerSettings);
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('"/login"');
    expect(source).not.toMatch(/process\.env/);
    const { handler } = createRequire(import.meta.url)(file) as { handler: (event: unknown) => Promise<CloudFrontRequest | CloudFrontResultResponse> };
    const redirect = (await handler(viewerRequestEvent({ uri: '/reports/q3.pdf' }))) as CloudFrontResultResponse;
    expect(redirect.headers?.location?.[0]?.value).toBe(`/login?next=${encodeURIComponent('/reports/q3.pdf')}`);
    expect(((await handler(viewerRequestEvent({ uri: '/login' }))) as CloudFrontRequest).uri).toBe('/index.html');
  });
});
