// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { murmur3 } from '../flags/bucket.js';
import { BASIS_POINTS, DEPLOYED_SITE, type ExperimentRouting, pathMatches, type Routing } from './release-document.js';

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

/**
 * The experiment a request belongs to: the first whose paths cover its URI, or else the page that
 * asked for it (a same-site Referer), so that the scripts and styles of a variant's page come from
 * the variant's release even when they live outside the experiment's paths.
 */
export function experimentFor(routing: Routing, uri: string, refererPath?: string): ExperimentRouting | undefined {
  const covers = (path: string) => routing.experiments.find((e) => e.paths.some((p) => pathMatches(p, path)));
  return covers(uri) ?? (refererPath ? covers(refererPath) : undefined);
}

/**
 * An experiment's variant for a viewer: the same hash as a rollout's, with the experiment's own
 * salt, against the variants' cumulative weights. The salts differ, so a viewer's variant says
 * nothing about its rollout release and the other way round; the salt is fixed, so nobody moves
 * while the experiment runs. A stopped experiment pinned to its winner sends everyone there.
 */
export function variantFor(experiment: ExperimentRouting, viewerId: string): ExperimentRouting['variants'][number] {
  if (experiment.pinned) return experiment.variants.find((v) => v.name === experiment.pinned) ?? experiment.variants[0]!;
  const bucket = bucketOfViewer(experiment.salt, viewerId);
  return experiment.variants.find((v) => bucket < v.upTo) ?? experiment.variants.at(-1)!;
}
