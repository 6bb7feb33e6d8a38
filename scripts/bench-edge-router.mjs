#!/usr/bin/env node
// The edge router's figures for `npm run bench`: its bundle size, and its median CPU time per
// request (viewer request + origin request with the document cached, as on a warm edge instance).
// Printed, never asserted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import { bundleEdgeRouter } from './edge-router-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const settings = { bucket: 'sprout-releases-0123456789ab', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: null, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

const { code } = await bundleEdgeRouter(settings);
console.log(`edge router bundle: ${code.length} bytes minified, ${gzipSync(code).length} bytes gzipped (limit 50 KB = ${50 * 1024} bytes)`);

// The handler's bundle reads S3; the factory it wires, bundled the same way, takes a reader from memory.
const scratch = mkdtempSync(join(tmpdir(), 'sprout-edge-bench-'));
let factory;
try {
  const result = await build({ absWorkingDir: root, entryPoints: ['src/runtime/edge-router/router.ts'], bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, write: false, logLevel: 'silent' });
  const file = join(scratch, 'router.cjs');
  writeFileSync(file, result.outputFiles[0].text);
  factory = createRequire(import.meta.url)(file);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const release = (id) => ({ id, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'bench', files: 3, bytes: 1000 });
const document = JSON.stringify({
  schema: 1, stage: 'prod', revision: 3, stable: 'r-aaaaaaaaaaaa', releases: [release('r-aaaaaaaaaaaa'), release('r-bbbbbbbbbbbb')], history: [],
  rollout: { candidate: 'r-bbbbbbbbbbbb', salt: 'abc', state: 'running', steps: [10, 50, 100], step: 0, startedAt: 'x', stepStartedAt: 'x', intervalSeconds: 600, gates: { maxErrorRate: 0.01, minRequests: 500, alarms: [] } },
});
// A clock that never passes the TTL: every request is a cache hit.
const router = factory.createRouter({ settings, readDocument: async () => document, now: () => 0, emit: () => {}, randomId: () => 'bench-viewer-000000000000' });
const config = (eventType) => ({ eventType, distributionId: 'E1', distributionDomainName: 'd.cloudfront.net', requestId: 'r' });
const request = (uid, headers = {}) => ({ clientIp: '203.0.113.1', method: 'GET', querystring: '', uri: '/assets/app.js', headers: { host: [{ key: 'Host', value: 'd.cloudfront.net' }], cookie: [{ key: 'Cookie', value: `theme=dark; sprout-uid=${uid}` }], ...headers } });

async function batch(n, offset) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const uid = `viewer-${(offset + i).toString(36).padStart(12, '0')}`;
    const viewer = await router.handle({ Records: [{ cf: { config: config('viewer-request'), request: request(uid) } }] });
    const origin = { ...request(uid, { 'x-sprout-release': viewer.headers['x-sprout-release'] }), origin: { s3: { domainName: 'b.s3.amazonaws.com', path: '', customHeaders: {} } } };
    await router.handle({ Records: [{ cf: { config: config('origin-request'), request: origin } }] });
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const size = 100_000;
await batch(size, 0); // warm up: JIT, and the one document read
const samples = [];
for (let i = 1; i <= 7; i++) samples.push(await batch(size, i * size));
samples.sort((a, b) => a - b);
console.log(`edge router CPU per request (viewer + origin request, cache warm): median ${samples[3].toFixed(2)} µs over 7 batches of ${size.toLocaleString('en')}`);
