import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ReleaseRouter, releaseBucketName, STABLE_RELEASE_CONTEXT, VIEWER_LIMITS } from '../infra/constructs/release-router.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// The router as CDK bundles it at synth time: esbuild, the settings `define`d in, the output hashed.

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

/** Synthesizes a ReleaseRouter with bundling on and returns the asset folder of its function. */
function bundled(env: { account?: string; region: string }, context: Record<string, unknown> = {}, stage = 'prod') {
  const test = testApp({ bundle: true });
  apps.push(test);
  for (const [key, value] of Object.entries(context)) test.app.node.setContext(key, value);
  const stack = new Stack(test.app, 'shop-prod', { env });
  const router = new ReleaseRouter(stack, 'ReleaseRouter', { stage });
  test.app.synth();
  const home = Stack.of(router.fn.lambda);
  const [fn] = Object.entries(Template.fromStack(home).findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('ReleaseRouter') || id.startsWith('EdgeRouter'));
  const hash = String(fn![1].Properties.Code.S3Key).replace(/\.zip$/, '');
  const dir = join(test.outdir, `asset.${hash}`);
  return { router, hash, dir, file: join(dir, 'index.js') };
}

describe('the bundled router', () => {
  const stable = 'r-0123456789ab';
  const { router, dir, file, hash } = bundled({ account: '111111111111', region: 'eu-west-1' }, { [STABLE_RELEASE_CONTEXT]: stable });
  const source = readFileSync(file, 'utf8');

  it('is one file, at most 50 KB before compression (the viewer-trigger limit is 1 MB zipped)', () => {
    expect(readdirSync(dir)).toEqual(['index.js']);
    expect(statSync(file).size).toBeLessThanOrEqual(50 * 1024);
    expect(gzipSync(source).length).toBeLessThan(VIEWER_LIMITS.zippedBytes);
  });

  it('has the settings baked in: the bucket, the document key, the stage and the stable release from the context', () => {
    expect(router.settings.bucket).toBe(releaseBucketName('shop-prod', '111111111111'));
    expect(source).toContain(`"${router.settings.bucket}"`);
    expect(source).toContain('"release.json"');
    expect(source).toContain('"prod"');
    expect(source).toContain(`"${stable}"`);
    expect(source).toContain('"/config.json"');
    expect(source).not.toMatch(/SPROUT_EDGE_ROUTER/);
    // No configuration from the environment (Lambda@Edge has none): at most the credentials Lambda reserves.
    expect(source).not.toMatch(/process\.env\.(?!AWS_)/);
  });

  it('runs in Node.js: unable to read the document, it serves the stable release it was given and serves it from releases/<id>/', async () => {
    const { handler } = createRequire(import.meta.url)(file) as { handler: (event: unknown) => Promise<{ uri: string; headers: Record<string, Array<{ key: string; value: string }>> }> };
    const event = (eventType: string, headers: Record<string, Array<{ key: string; value: string }>>) => ({
      Records: [{ cf: { config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: 'r1' }, request: { clientIp: '203.0.113.178', headers, method: 'GET', querystring: '', uri: '/' } } }],
    });
    // No credentials: the read fails at once, without a network call.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const viewer = await handler(event('viewer-request', { host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }], 'x-sprout-release': [{ key: 'X-Sprout-Release', value: 'r-ffffffffffff' }] }));
      expect(viewer.headers['x-sprout-release']).toEqual([{ key: 'x-sprout-release', value: stable }]);
      const origin = await handler(event('origin-request', viewer.headers));
      expect(origin.uri).toBe(`/releases/${stable}/index.html`);
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('is hashed by its output: other settings, another asset; the same settings, the same asset', () => {
    expect(bundled({ account: '111111111111', region: 'eu-west-1' }, { [STABLE_RELEASE_CONTEXT]: stable }).hash).toBe(hash);
    expect(bundled({ account: '111111111111', region: 'eu-west-1' }, {}).hash).not.toBe(hash);
    expect(bundled({ account: '111111111111', region: 'eu-west-1' }, { [STABLE_RELEASE_CONTEXT]: stable }, 'staging').hash).not.toBe(hash);
  });
});
