import { PreconditionError } from '../core/errors.js';
import type { Experiment, ExperimentVariant } from '../runtime/edge-router/release-document.js';
import type { ExperimentCounts } from './experiment-metrics.js';
import * as experiments from './experiments.js';
import { readDocument, update, type EdgeDeps, type WriteOptions, type Written } from './service.js';

/**
 * The operations behind `sprout experiment …`: read the stage's release document, compute the
 * next one with experiments.ts, write it conditionally (a concurrent change fails with exit 4).
 */

export interface StartExperimentInput extends WriteOptions {
  name: string;
  paths: string[];
  variants: ExperimentVariant[];
  metric: string;
  minSample: number;
}

export async function startExperiment(deps: EdgeDeps, input: StartExperimentInput): Promise<Written & { experiment: Experiment }> {
  const plan = { name: input.name, paths: input.paths, variants: input.variants, metric: input.metric, minSample: input.minSample, salt: deps.salt() };
  const written = await update(deps, input, (document, change) => experiments.startExperiment(document, plan, change));
  return { ...written, experiment: experiments.findExperiment(written.document, input.name) };
}

export async function stopExperiment(deps: EdgeDeps, input: { name?: string; winner?: string } & WriteOptions): Promise<Written & { experiment: Experiment }> {
  let name = input.name;
  const written = await update(deps, input, (document, change) => {
    name ??= experiments.findExperiment(document, undefined, 'running').name;
    return experiments.stopExperiment(document, name, input.winner, change);
  });
  return { ...written, experiment: experiments.findExperiment(written.document, name) };
}

export interface GatheredCounts {
  experiment: Experiment;
  window: { from: Date; to: Date };
  counts: ExperimentCounts;
  /** Where the numbers come from, for people. */
  source: string;
}

/** The experiment's counts from its start until it stopped (or now): every region's, or the local file's. */
export async function gatherCounts(deps: EdgeDeps, name: string | undefined): Promise<GatheredCounts> {
  const document = await readDocument(deps);
  const experiment = experiments.findExperiment(document, name, 'running');
  const window = { from: new Date(experiment.startedAt), to: experiment.stoppedAt ? new Date(experiment.stoppedAt) : deps.now() };
  const counts = await deps.metrics.experimentCounts(experiment, window);
  if (!counts) {
    throw new PreconditionError('NO_TRAFFIC_SOURCE', `There is nothing to count yet on stage ${deps.stage}: ${deps.metrics.location} does not exist.`, {
      suggestions: ['Serve the site with sprout dev, or try it with sprout experiment simulate, then ask again.'],
    });
  }
  return { experiment, window, counts, source: deps.metrics.location };
}
