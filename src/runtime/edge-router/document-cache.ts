// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { type ReleaseDocument, type Routing, routingOf, validateReleaseDocument } from './release-document.js';

export interface DocumentCacheOptions {
  /** Fetches the document's text (S3 at the edge, a file locally); rejects on any failure. */
  read: () => Promise<string>;
  now: () => number;
  ttlMs: number;
  /** Only a document for this stage is used. */
  stage: string;
  /** Served when no good copy was ever read: the stable release baked in at deploy time (null: the site as deployed). */
  fallbackStable: string | null;
}

export interface CurrentRouting {
  routing: Routing;
  document?: ReleaseDocument;
  /** fresh: read now · cached: within the TTL · stale: the last good copy after a failed read · fallback: never read. */
  source: 'fresh' | 'cached' | 'stale' | 'fallback';
}

/**
 * The release document in module memory, read again once its TTL has passed. Concurrent requests
 * share one read; a failed read (network, timeout, invalid document, another stage's document)
 * keeps the last good copy, or the baked-in stable release, and is retried only after another TTL,
 * so a broken bucket costs one attempt per TTL per instance, not one per request. Never rejects.
 */
export function createDocumentCache(options: DocumentCacheOptions) {
  let good: { document: ReleaseDocument; routing: Routing; readAt: number } | undefined;
  let retryAt = 0;
  let inflight: Promise<void> | undefined;
  const fallback: Routing = { stable: options.fallbackStable, candidate: null, candidateWeight: 0, salt: '', experiments: [] };

  async function refresh(): Promise<void> {
    try {
      const document = JSON.parse(await options.read()) as ReleaseDocument;
      if (validateReleaseDocument(document).length || document.stage !== options.stage) throw new Error('invalid release document');
      good = { document, routing: routingOf(document), readAt: options.now() };
    } catch {
      retryAt = options.now() + options.ttlMs;
    }
  }

  return {
    async current(): Promise<CurrentRouting> {
      const now = options.now();
      if (good && now - good.readAt < options.ttlMs) return { routing: good.routing, document: good.document, source: 'cached' };
      if (now >= retryAt) {
        inflight ??= refresh().finally(() => (inflight = undefined));
        await inflight;
        if (good && good.readAt >= now) return { routing: good.routing, document: good.document, source: 'fresh' };
      }
      return good ? { routing: good.routing, document: good.document, source: 'stale' } : { routing: fallback, source: 'fallback' };
    },
  };
}
