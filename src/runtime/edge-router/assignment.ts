// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { murmur3 } from '../flags/bucket.js';
import { BASIS_POINTS, DEPLOYED_SITE, type Routing } from './release-document.js';

/**
 * FROZEN, like the flags' bucketing: bucket = murmur3("<salt>.<viewer id>") % 10000. A viewer in
 * bucket b gets the candidate while b < the candidate's weight in basis points, so raising the
 * weight only ever adds viewers to the candidate, and the same viewer keeps the same release for
 * the whole rollout (a new rollout brings a new salt, and reshuffles who goes first).
 */
export function bucketOfViewer(salt: string, viewerId: string): number {
  return murmur3(`${salt}.${viewerId}`) % BASIS_POINTS;
}

/** The release a viewer gets: a release id, or DEPLOYED_SITE when no stable release is registered. */
export function releaseFor(routing: Routing, viewerId: string): string {
  const stable = routing.stable ?? DEPLOYED_SITE;
  if (!routing.candidate || routing.candidateWeight <= 0) return stable;
  return bucketOfViewer(routing.salt, viewerId) < routing.candidateWeight ? routing.candidate : stable;
}
