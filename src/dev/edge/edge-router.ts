import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { CloudFrontEvent, CloudFrontRequest, CloudFrontResponse } from '../../runtime/edge-router/cloudfront.js';
import { createDocumentCache } from '../../runtime/edge-router/document-cache.js';
import { DEPLOYED_SITE } from '../../runtime/edge-router/release-document.js';
import { createRouter, type RouterSettings } from '../../runtime/edge-router/router.js';
import { localMetricsFile } from '../../edge/metrics.js';
import { localEdgeDir } from '../../edge/release-store.js';

/** The resource metadata key under which the spa template's ReleaseRouter puts the settings it bakes into the bundle. */
export const EDGE_ROUTER_METADATA = 'sprout:edge-router';

/** The local release document: what `sprout release/rollout/experiment --stage local` write. */
export function localReleaseDocument(root: string): string {
  return join(localEdgeDir(root), 'release.json');
}

/** The router's settings from a function resource's metadata, or undefined when it is not sprout's edge router. */
export function routerSettingsOf(metadata: Record<string, unknown>): RouterSettings | undefined {
  const value = metadata[EDGE_ROUTER_METADATA];
  if (!value || typeof value !== 'object') return undefined;
  const s = value as Partial<RouterSettings>;
  if (typeof s.stage !== 'string' || typeof s.ttlSeconds !== 'number' || typeof s.cookieName !== 'string' || !Array.isArray(s.sharedPaths)) return undefined;
  return value as RouterSettings;
}

export interface LocalRouter {
  handle(event: CloudFrontEvent): Promise<CloudFrontRequest | CloudFrontResponse>;
  /** For the request log: why a viewer got `release` ("rollout", "stable", "experiment checkout=b", ...). */
  describe(release: string | undefined, experiment: string | undefined): Promise<string>;
  /** Writes the router's pending counters and every buffered EMF line to edge-metrics.jsonl. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalRouterOptions {
  settings: RouterSettings;
  root: string;
  now?: () => number;
  /** How often buffered EMF lines are appended to the file (the router itself counts in memory and emits at most every 10 s). */
  writeIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * sprout's edge router (the code Lambda@Edge runs) with its local ports: the document is
 * .sprout/local/release.json, read again after ttlSeconds as at the edge, so a rollout changed by
 * another process reaches new viewers within the TTL; the EMF lines go, batched, to
 * .sprout/local/edge-metrics.jsonl, where `sprout rollout`/`experiment results` read local traffic.
 * One instance per function, like one warm Lambda@Edge instance.
 */
export function createLocalRouter(options: LocalRouterOptions): LocalRouter {
  const now = options.now ?? Date.now;
  const documentFile = localReleaseDocument(options.root);
  const metricsFile = localMetricsFile(options.root);
  let pending: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  const readDocument = () => readFile(documentFile, 'utf8');
  const router = createRouter({ settings: options.settings, readDocument, now, emit: (line) => pending.push(line), randomId: randomUUID });
  // A second reader of the same document, only to explain routing decisions in the log.
  const explainer = createDocumentCache({ read: readDocument, now, ttlMs: options.settings.ttlSeconds * 1000, stage: options.settings.stage, fallbackStable: options.settings.fallbackStable });

  function write(): Promise<void> {
    if (!pending.length) return writing;
    const lines = pending;
    pending = [];
    writing = writing.then(async () => {
      try {
        await mkdir(dirname(metricsFile), { recursive: true });
        await appendFile(metricsFile, `${lines.join('\n')}\n`);
      } catch (error) {
        options.onError?.(error);
      }
    });
    return writing;
  }

  const timer = setInterval(() => void write(), options.writeIntervalMs ?? 1000);
  timer.unref();

  return {
    handle: (event) => router.handle(event),
    async describe(release, experiment) {
      if (experiment) return `experiment ${experiment}`;
      if (!release) return 'no release';
      if (release === DEPLOYED_SITE) return 'site as deployed';
      const { routing, source } = await explainer.current();
      if (source === 'fallback') return 'fallback: no readable release document';
      if (release === routing.candidate) return `rollout ${(routing.candidateWeight / 100).toFixed(routing.candidateWeight % 100 ? 2 : 0)}%`;
      if (release === routing.stable) return 'stable';
      return 'release';
    },
    async flush() {
      router.flushMetrics();
      await write();
    },
    async close() {
      clearInterval(timer);
      router.flushMetrics();
      await write();
    },
  };
}
