import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { bundleEdgeRouter } from '../../../scripts/edge-router-bundle.mjs';
import type { CloudFrontEvent, CloudFrontRequest } from '../../../src/runtime/edge-router/cloudfront.js';
import { viewerRequest } from './events.js';

// The issue asks the router bundle to stay under 50 KB (Lambda@Edge viewer triggers allow 1 MB zipped).

const settings = { bucket: 'sprout-releases-0123456789ab', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: 'r-0123456789ab', sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

describe('the edge router bundle', () => {
  it('is at most 50 KB, has its settings baked in, and holds nothing but the runtime sources', async () => {
    const { code, inputs } = await bundleEdgeRouter(settings);
    expect(code.length).toBeLessThanOrEqual(50 * 1024);
    expect(gzipSync(code).length).toBeLessThan(code.length);
    expect(code).toContain('sprout-releases-0123456789ab');
    expect(code).not.toMatch(/SPROUT_EDGE_ROUTER/);
    const sources = inputs.filter((path: string) => !path.startsWith('<define:'));
    expect(sources).toContain('src/runtime/edge-router/handler.ts');
    expect(sources.every((path: string) => path.startsWith('src/runtime/edge-router/') || path.startsWith('src/runtime/flags/'))).toBe(true);
  });

  it('exports a handler that, with no AWS credentials, still answers with the baked-in stable release', async () => {
    const { code } = await bundleEdgeRouter(settings);
    const module = { exports: {} as { handler?: (event: CloudFrontEvent) => Promise<CloudFrontRequest> } };
    const saved = process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_ACCESS_KEY_ID;
    try {
      new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(import.meta.url));
      const request = await module.exports.handler!(viewerRequest('/'));
      expect(request.headers['x-sprout-release']).toEqual([{ key: 'x-sprout-release', value: 'r-0123456789ab' }]);
      expect(request.headers['x-sprout-uid-new']?.[0]?.value).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      if (saved !== undefined) process.env.AWS_ACCESS_KEY_ID = saved;
    }
  });
});
