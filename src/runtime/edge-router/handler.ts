// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { randomUUID } from 'node:crypto';

import type { CloudFrontEvent } from './cloudfront.js';
import { createRouter, type RouterSettings } from './router.js';
import { s3GetText } from './s3-get.js';

// The settings are a constant in the bundle, defined at synth time (infra/constructs/release-router.ts).
declare const SPROUT_EDGE_ROUTER: RouterSettings;

/** The viewer-trigger limit is 5 s; a document read gives up long before. */
const READ_TIMEOUT_MS = 1500;

const router = createRouter({
  settings: SPROUT_EDGE_ROUTER,
  readDocument: () => s3GetText({ bucket: SPROUT_EDGE_ROUTER.bucket, key: SPROUT_EDGE_ROUTER.key, region: SPROUT_EDGE_ROUTER.region, timeoutMs: READ_TIMEOUT_MS }),
  now: Date.now,
  emit: (line) => console.log(line),
  randomId: randomUUID,
});

export const handler = (event: CloudFrontEvent) => router.handle(event);
