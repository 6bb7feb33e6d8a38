import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { CloudFrontRequest, CloudFrontResponse } from '../runtime/edge-router/cloudfront.js';
import { EDGE_METRICS } from '../runtime/edge-router/metrics.js';
import { type Experiment, EXPERIMENT_HEADER, parseAssignment } from '../runtime/edge-router/release-document.js';
import { createRouter } from '../runtime/edge-router/router.js';
import { EXPERIMENT_METRICS } from '../runtime/experiments/conversions.js';
import { localMetricsFile } from './metrics.js';
import { localEdgeDir } from './release-store.js';

/**
 * Simulated traffic for the local stage: viewers that browse through the project's real edge
 * router (the same code Lambda@Edge runs) against the local release document, keep the cookies it
 * gives them like a browser, and convert at a chosen rate per variant. The router's exposure lines
 * and the conversions go to .sprout/local/edge-metrics.jsonl, where `sprout experiment results`
 * reads them, exactly as `sprout dev` records real local traffic.
 */

export interface SimulationInput {
  root: string;
  stage: string;
  experiment: Experiment;
  viewers: number;
  /** Each variant's conversion rate (0 to 1); a variant not listed converts at 0. */
  rates: Map<string, number>;
  /** Pages each viewer requests (its first one mints its cookies). */
  pagesPerViewer: number;
  seed: number;
  now: () => number;
}

export interface SimulationResult {
  /** Per variant: viewers the router put there, and how many of them converted. */
  variants: Map<string, { viewers: number; conversions: number }>;
  requests: number;
  file: string;
}

export async function simulateTraffic(input: SimulationInput): Promise<SimulationResult> {
  const file = localMetricsFile(input.root);
  const lines: string[] = [];
  const random = mulberry32(input.seed);
  let nextId = 0;
  const router = createRouter({
    settings: {
      bucket: 'local',
      key: 'release.json',
      region: 'local',
      stage: input.stage,
      ttlSeconds: 3600,
      fallbackStable: null,
      sharedPaths: [],
      metricsNamespace: EDGE_METRICS.namespace,
      cookieName: 'sprout-uid',
    },
    readDocument: () => readFile(join(localEdgeDir(input.root), 'release.json'), 'utf8'),
    now: input.now,
    emit: (line) => lines.push(line),
    // Deterministic per seed, and a valid viewer id (16 to 64 URL-safe characters).
    randomId: () => `sim-${input.seed}-${String(nextId++).padStart(10, '0')}`,
  });
  const page = pageOf(input.experiment);
  const variants = new Map(input.experiment.variants.map((v) => [v.name, { viewers: 0, conversions: 0 }]));
  let requests = 0;
  for (let viewer = 0; viewer < input.viewers; viewer++) {
    let cookies: string[] = [];
    let variant: string | undefined;
    for (let view = 0; view < input.pagesPerViewer; view++) {
      const request: CloudFrontRequest = { clientIp: '127.0.0.1', method: 'GET', querystring: '', uri: page, headers: { host: [{ key: 'Host', value: 'localhost' }], ...(cookies.length ? { cookie: [{ key: 'Cookie', value: cookies.join('; ') }] } : {}) } };
      const routed = await router.viewerRequest(request);
      requests++;
      variant = parseAssignment(routed.headers[EXPERIMENT_HEADER]?.[0]?.value)?.variant;
      const response = router.viewerResponse(routed, { status: '200', headers: {} } as CloudFrontResponse);
      cookies = browserCookies(cookies, response);
    }
    const counts = variant ? variants.get(variant) : undefined;
    if (!counts) continue;
    counts.viewers++;
    if (random() < (input.rates.get(variant!) ?? 0)) counts.conversions++;
  }
  router.flushMetrics();
  const at = input.now();
  for (const [variant, counts] of variants) {
    if (counts.conversions > 0) lines.push(conversionLine(input.stage, input.experiment, variant, counts.conversions, at));
  }
  await mkdir(dirname(file), { recursive: true });
  if (lines.length) await appendFile(file, `${lines.join('\n')}\n`);
  return { variants, requests, file };
}

/** A request path the experiment covers: `/checkout/*` → `/checkout/`, `/*` → `/`. */
export function pageOf(experiment: Experiment): string {
  const pattern = experiment.paths[0]!;
  return pattern.endsWith('/*') ? pattern.slice(0, -1) : pattern;
}

/** The conversion helper's record, as one EMF line holding a variant's total. */
function conversionLine(stage: string, experiment: Experiment, variant: string, count: number, at: number): string {
  const { dimensions, namespace, unit } = EXPERIMENT_METRICS;
  return JSON.stringify({
    _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimensions.stage, dimensions.experiment, dimensions.variant]], Metrics: [{ Name: experiment.metric, Unit: unit }] }] },
    [dimensions.stage]: stage,
    [dimensions.experiment]: experiment.name,
    [dimensions.variant]: variant,
    [experiment.metric]: count,
  });
}

/** What a browser keeps of Set-Cookie: name=value, the newest value of a name winning. */
function browserCookies(current: string[], response: CloudFrontResponse): string[] {
  const jar = new Map(current.map((c) => [c.slice(0, c.indexOf('=')), c]));
  for (const header of response.headers['set-cookie'] ?? []) {
    const pair = header.value.split(';')[0]!;
    jar.set(pair.slice(0, pair.indexOf('=')), pair);
  }
  return [...jar.values()];
}

/** A small seeded generator (mulberry32): the same seed gives the same traffic. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
