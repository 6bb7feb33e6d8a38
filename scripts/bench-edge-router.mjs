#!/usr/bin/env node
// The edge router's figures for `npm run bench`: its bundle size, and its median CPU time per
// request (viewer request + origin request, document cached, as on a warm edge instance).
// Printed, never asserted.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import { bundleEdgeRouter } from './edge-router-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const settings = { bucket: 'sprout-releases-0123456789ab', key: 'release.json', region: 'us-east-1', stage: 'prod', ttlSeconds: 10, fallbackStable: null, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid' };

const { code } = await bundleEdgeRouter(settings);
console.log(`edge router bundle: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KB gzipped (limit 50 KB)`);

// The same code the handler wires, with the document served from memory.
const router = await build({ absWorkingDir: root, entryPoints: ['src/runtime/edge-router/router.ts'], bundle: true, platform: 'node', format: 'cjs', write: false, minify: true, logLevel: 'silent' });
const module = { exports: {} };
new Function('module', 'exports', 'require', router.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const release = (id) => ({ id, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'bench', files: 3, bytes: 1000 });
const document = {
  schema: 1, stage: 'prod', revision: 3, stable: 'r-aaaaaaaaaaaa', releases: [release('r-aaaaaaaaaaaa'), release('r-bbbbbbbbbbbb')], history: [],
  rollout: { candidate: 'r-bbbbbbbbbbbb', salt: 'abc', state: 'running', steps: [10, 50, 100], step: 0, startedAt: 'x', stepStartedAt: 'x', intervalSeconds: 600, gates: { maxErrorRate: 0.01, minRequests: 500, alarms: [] } },
};
const text = JSON.stringify(document);
const edge = module.exports.createRouter({ settings, read: async () => text, now: Date.now, emit: () => {}, newViewerId: () => 'bench-viewer-000000000000' });
const event = (eventType, uid, uri) => ({ Records: [{ cf: { config: { eventType, distributionId: 'E1', distributionDomainName: 'd.cloudfront.net', requestId: 'r' }, request: { clientIp: '203.0.113.1', method: 'GET', querystring: '', uri, headers: { cookie: [{ key: 'Cookie', value: `theme=dark; sprout-uid=${uid}` }] }, origin: { s3: { domainName: 'b.s3.amazonaws.com', path: '', customHeaders: {} } } } } }] });

async function batch(n, offset) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const uid = `viewer-${(offset + i).toString(36).padStart(12, '0')}`;
    const viewer = await edge.handle(event('viewer-request', uid, '/index.html'));
    const origin = event('origin-request', uid, '/index.html');
    origin.Records[0].cf.request.headers['x-sprout-release'] = viewer.headers['x-sprout-release'];
    await edge.handle(origin);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

await batch(20_000, 0); // warm up: JIT, and the document read once
const samples = [];
for (let i = 1; i <= 9; i++) samples.push(await batch(20_000, i * 20_000));
samples.sort((a, b) => a - b);
console.log(`edge router CPU per request (viewer + origin request, warm): median ${samples[4].toFixed(2)} µs over 9 batches of 20,000`);
