import { ConflictError, PreconditionError, UsageError } from '../core/errors.js';
import {
  EXPERIMENT_NAME,
  type Experiment,
  type ExperimentVariant,
  isPathPattern,
  isReleaseId,
  pathsOverlap,
  type ReleaseDocument,
  RELEASE_SCHEMA,
  STABLE_TARGET,
  variantsProblem,
} from '../runtime/edge-router/release-document.js';
import { type Change, commit, liveRollout } from './rollout.js';

/**
 * The experiment state machine, as pure functions from one release document to the next (like
 * rollout.ts): start, stop, and the questions the commands ask. Nothing here reads a clock or the
 * network; the store writes the result conditionally.
 */

export interface ExperimentPlan {
  name: string;
  paths: string[];
  variants: ExperimentVariant[];
  metric: string;
  minSample: number;
  salt: string;
}

/** Experiments the document keeps: running and pinned ones always, the newest stopped ones up to this many in all (the edge reads it). */
export const EXPERIMENTS_KEPT = 20;

export function startExperiment(document: ReleaseDocument, plan: ExperimentPlan, change: Change): ReleaseDocument {
  const experiments = document.experiments ?? [];
  if (!EXPERIMENT_NAME.test(plan.name)) {
    throw new UsageError('BAD_EXPERIMENT_NAME', `"${plan.name}" is not an experiment name: use 1 to 40 lowercase letters, digits and dashes, starting with a letter or digit.`);
  }
  if (experiments.some((e) => e.name === plan.name)) {
    // The name is the metrics' dimension: a second experiment under it would add up with the first's counts.
    throw new ConflictError('EXPERIMENT_EXISTS', `Stage ${document.stage} already has an experiment named ${plan.name}; its metrics are recorded under that name.`, {
      suggestions: ['Pick a new name, such as checkout-2.'],
    });
  }
  const badPath = plan.paths.find((p) => !isPathPattern(p));
  if (plan.paths.length === 0 || badPath !== undefined) {
    throw new UsageError('BAD_PATHS', `--paths${badPath === undefined ? '' : ` ${badPath}`}: a path pattern starts with "/" and may end in "/*", such as /* or /checkout/*.`);
  }
  const releaseIds = new Set(document.releases.map((r) => r.id));
  const problem = variantsProblem(plan.variants, releaseIds);
  if (problem || plan.variants.length < 2) {
    const unknown = plan.variants.find((v) => isReleaseId(v.target) && !releaseIds.has(v.target));
    throw new (unknown ? PreconditionError : UsageError)(unknown ? 'RELEASE_NOT_FOUND' : 'BAD_VARIANTS', `--variants: ${problem ?? 'an experiment needs at least two variants'}.`, {
      suggestions: unknown ? ['List the releases with sprout release list, or upload one with sprout release create.'] : ['For example --variants control=stable:50,b=r-3f9a1c0d2b4e:50.'],
    });
  }
  if (!EXPERIMENT_NAME.test(plan.metric)) throw new UsageError('BAD_METRIC', `--metric ${plan.metric}: use 1 to 40 lowercase letters, digits and dashes.`);
  const clash = experiments.find((e) => e.state === 'running' && overlaps(e.paths, plan.paths));
  if (clash) {
    throw new ConflictError('EXPERIMENT_OVERLAP', `Experiment ${clash.name} already runs on ${clash.paths.join(', ')}: a viewer's request can be in one experiment only.`, {
      suggestions: [`Stop it first (sprout experiment stop ${clash.name}), or give this one other --paths.`],
    });
  }
  const at = change.at.toISOString();
  // A stopped experiment pinned to its winner gives its paths up to the new one.
  const superseded = experiments.filter((e) => e.pinned && overlaps(e.paths, plan.paths));
  const kept = experiments.map((e) => (superseded.includes(e) ? { ...e, pinned: false } : e));
  const experiment: Experiment = { ...plan, state: 'running', startedAt: at };
  const variants = plan.variants.map((v) => `${v.name}=${v.target} ${v.weight}%`).join(', ');
  return commit({ ...document, schema: RELEASE_SCHEMA, experiments: trim([...kept, experiment]) }, change, {
    action: 'experiment-start',
    detail: `${plan.name} on ${plan.paths.join(', ')}: ${variants}; metric ${plan.metric}, at least ${plan.minSample} exposures per variant${superseded.length ? `; takes over the paths of ${superseded.map((e) => e.name).join(', ')}` : ''}`,
  });
}

/**
 * Stops assigning viewers. With a winner, the winner becomes the stable release for the
 * experiment's paths: for the whole site (`/*`) and a release, the document's stable release;
 * otherwise the stopped experiment keeps sending every viewer on its paths to the winner.
 */
export function stopExperiment(document: ReleaseDocument, name: string | undefined, winner: string | undefined, change: Change): ReleaseDocument {
  const experiment = findExperiment(document, name, 'running');
  if (experiment.state !== 'running') {
    throw new PreconditionError('EXPERIMENT_STOPPED', `Experiment ${experiment.name} was stopped at ${experiment.stoppedAt}${experiment.winner ? ` with ${experiment.winner} as the winner` : ''}.`);
  }
  const at = change.at.toISOString();
  const stopped: Experiment = { ...experiment, state: 'stopped', stoppedAt: at };
  let stable = document.stable;
  let detail = `${experiment.name} stopped without a winner: its paths go back to the stable release`;
  if (winner !== undefined) {
    const variant = experiment.variants.find((v) => v.name === winner);
    if (!variant) {
      throw new UsageError('UNKNOWN_VARIANT', `--winner ${winner}: experiment ${experiment.name} has the variants ${experiment.variants.map((v) => v.name).join(', ')}.`);
    }
    stopped.winner = winner;
    if (variant.target === STABLE_TARGET) {
      detail = `${experiment.name} stopped; the winner ${winner} is what the stable release serves already`;
    } else if (isReleaseId(variant.target) && experiment.paths.includes('/*')) {
      const live = liveRollout(document);
      if (live) {
        throw new ConflictError('ROLLOUT_IN_PROGRESS', `A rollout of ${live.candidate} is ${live.state}: ${variant.target} cannot become the stable release under it.`, {
          suggestions: ['Finish or abort the rollout first, or roll the winner out step by step: sprout experiment stop without --winner, then sprout rollout start ' + variant.target + '.'],
        });
      }
      stable = variant.target;
      detail = `${experiment.name} stopped; the winner ${winner} (${variant.target}) is now the stable release`;
    } else {
      stopped.pinned = true;
      detail = `${experiment.name} stopped; every viewer on ${experiment.paths.join(', ')} now gets the winner ${winner} (${variant.target})`;
    }
  }
  const experiments = (document.experiments ?? []).map((e) => (e.name === experiment.name ? stopped : e));
  return commit({ ...document, stable, experiments }, change, { action: 'experiment-stop', detail });
}

/**
 * The experiment a command means: the one named, or else the only one in the state asked for
 * (a stage usually runs one at a time, so `sprout experiment results` needs no name).
 */
export function findExperiment(document: ReleaseDocument, name: string | undefined, preferred?: Experiment['state']): Experiment {
  const experiments = document.experiments ?? [];
  if (name !== undefined) {
    const found = experiments.find((e) => e.name === name);
    if (found) return found;
    throw new PreconditionError('EXPERIMENT_NOT_FOUND', `Stage ${document.stage} has no experiment named ${name}.`, {
      suggestions: [experiments.length ? `Its experiments: ${experiments.map((e) => e.name).join(', ')}.` : 'Start one with sprout experiment start <name> --variants …'],
    });
  }
  const candidates = preferred ? experiments.filter((e) => e.state === preferred) : experiments;
  const pool = candidates.length ? candidates : experiments;
  if (pool.length === 1) return pool[0]!;
  if (pool.length === 0) {
    throw new PreconditionError('NO_EXPERIMENT', `Stage ${document.stage} has no experiment.`, { suggestions: ['Start one with sprout experiment start <name> --variants control=stable:50,b=<release>:50.'] });
  }
  // Several: the newest running one would be a guess; ask.
  throw new UsageError('EXPERIMENT_AMBIGUOUS', `Stage ${document.stage} has several experiments (${pool.map((e) => e.name).join(', ')}): name one.`);
}

function overlaps(a: string[], b: string[]): boolean {
  return a.some((p) => b.some((q) => pathsOverlap(p, q)));
}

/** Drops the oldest stopped, unpinned experiments beyond EXPERIMENTS_KEPT. */
function trim(experiments: Experiment[]): Experiment[] {
  let kept = experiments;
  while (kept.length > EXPERIMENTS_KEPT) {
    const oldest = kept.findIndex((e) => e.state === 'stopped' && !e.pinned);
    if (oldest < 0) break;
    kept = kept.filter((_, i) => i !== oldest);
  }
  return kept;
}
