import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { bundleEdgeRouter } from '../../../scripts/edge-router-bundle.mjs';

// Lambda@Edge's viewer triggers take 1 MB compressed; the issue asks the router to stay under 50 KB.

describe('the edge router bundle', () => {
  it('is at most 50 KB, has its settings baked in, and pulls in no dependency', async () => {
    const settings = { bucket: 'sprout-releases-0123456789ab', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: null, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };
    const { code, inputs } = await bundleEdgeRouter(settings);
    expect(code.length).toBeLessThanOrEqual(50 * 1024);
    expect(gzipSync(code).length).toBeLessThan(code.length);
    expect(code).toContain('sprout-releases-0123456789ab');
    expect(inputs.filter((path: string) => !path.startsWith('<define:')).every((path: string) => path.startsWith('src/runtime/'))).toBe(true);
    // It loads and exports the handler.
    const module = { exports: {} as { handler?: unknown } };
    new Function('module', 'exports', 'require', code)(module, module.exports, (id: string) => (id.startsWith('node:') ? process.getBuiltinModule?.(id) ?? require(id) : undefined));
    expect(typeof module.exports.handler).toBe('function');
  });
});
