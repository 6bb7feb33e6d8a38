import { ConflictError, PreconditionError, UsageError } from '../core/errors.js';
import {
  type Gates,
  HISTORY_KEPT,
  type HistoryEntry,
  isReleaseId,
  type ReleaseDocument,
  type ReleaseEntry,
  type Rollout,
  stepsProblem,
} from '../runtime/edge-router/release-document.js';

/**
 * The rollout state machine, as pure functions from one release document to the next. Every
 * function returns a new document with its revision raised and the change in its history; the
 * store then writes it conditionally. Nothing here reads a clock or the network.
 */

/** Who did it and when: every change carries both into the history. */
export interface Change {
  at: Date;
  actor: string;
}

export interface RolloutPlan {
  candidate: string;
  steps: number[];
  intervalSeconds: number;
  gates: Gates;
  salt: string;
}

/** The releases kept in the document's list (the stable and the candidate are always kept). */
export const RELEASES_KEPT = 50;

export function liveRollout(document: ReleaseDocument): Rollout | undefined {
  const rollout = document.rollout;
  return rollout && (rollout.state === 'running' || rollout.state === 'paused') ? rollout : undefined;
}

/** Adds a release to the list; a release already there leaves the document as it is (uploads are content-addressed). */
export function registerRelease(document: ReleaseDocument, release: ReleaseEntry, change: Change): ReleaseDocument {
  if (document.releases.some((r) => r.id === release.id)) return document;
  const keep = new Set([document.stable, document.rollout?.candidate, ...releasesInUse(document)].filter(Boolean));
  let releases = [...document.releases, release];
  // Drop the oldest releases beyond the limit, never one in use: the document is read at the edge.
  while (releases.length > RELEASES_KEPT) {
    const oldest = releases.findIndex((r) => !keep.has(r.id));
    if (oldest < 0) break;
    releases = releases.filter((_, i) => i !== oldest);
  }
  return commit({ ...document, releases }, change, { action: 'release', detail: `registered ${release.id} (${release.files} files, ${release.bytes} bytes)` });
}

export function startRollout(document: ReleaseDocument, plan: RolloutPlan, change: Change): ReleaseDocument {
  const live = liveRollout(document);
  if (live) {
    throw new ConflictError('ROLLOUT_IN_PROGRESS', `A rollout of ${live.candidate} is already ${live.state} at ${weightOf(live)}%; one rollout at a time.`, {
      suggestions: ['Finish it (sprout rollout promote --full) or stop it (sprout rollout abort) first.'],
    });
  }
  if (!document.releases.some((r) => r.id === plan.candidate)) {
    throw new PreconditionError('RELEASE_NOT_FOUND', `There is no release ${plan.candidate} in stage ${document.stage}.`, {
      suggestions: ['List them with sprout release list, or upload one with sprout release create.'],
    });
  }
  if (plan.candidate === document.stable) {
    throw new PreconditionError('ALREADY_STABLE', `${plan.candidate} is already the stable release: there is nothing to roll out.`);
  }
  const problem = stepsProblem(plan.steps);
  if (problem) throw new UsageError('BAD_STEPS', `--steps: ${problem}.`, { suggestions: ['For example --steps 5,25,50,100.'] });
  const at = change.at.toISOString();
  const rollout: Rollout = {
    candidate: plan.candidate,
    salt: plan.salt,
    state: 'running',
    steps: plan.steps,
    step: 0,
    startedAt: at,
    stepStartedAt: at,
    intervalSeconds: plan.intervalSeconds,
    gates: plan.gates,
  };
  const gates = [`max error rate ${formatRate(plan.gates.maxErrorRate)} after ${plan.gates.minRequests} requests`, ...plan.gates.alarms.map((a) => `alarm ${a}`)];
  return commit({ ...document, rollout }, change, {
    action: 'start',
    weight: plan.steps[0],
    detail: `${plan.candidate} over ${document.stable ?? 'the deployed site'}: steps ${plan.steps.join(', ')}%, every ${plan.intervalSeconds} s; gates: ${gates.join(', ')}`,
  });
}

/** One step forward (the caller has judged the gates); reaching 100% completes the rollout. */
export function stepForward(document: ReleaseDocument, change: Change, action: 'advance' | 'promote', detail?: string): ReleaseDocument {
  const rollout = action === 'advance' ? runningRollout(document) : requireLive(document, action);
  const step = rollout.step + 1;
  if (step >= rollout.steps.length - 1) return complete(document, rollout, change, action, detail);
  const next = { ...rollout, step, state: 'running' as const, stepStartedAt: change.at.toISOString() };
  delete next.reason;
  return commit({ ...document, rollout: next }, change, { action, weight: rollout.steps[step], ...(detail ? { detail } : {}) });
}

/** The rollout that `advance` may move: a running one (a paused one waits for a person). */
export function runningRollout(document: ReleaseDocument): Rollout {
  const rollout = requireLive(document, 'advance');
  if (rollout.state === 'paused') {
    throw new PreconditionError('ROLLOUT_PAUSED', `The rollout of ${rollout.candidate} is paused${rollout.reason ? ` (${rollout.reason})` : ''}.`, {
      suggestions: ['Resume it first (sprout rollout resume), or move it on regardless with sprout rollout promote.'],
    });
  }
  return rollout;
}

/** Straight to 100%: the candidate becomes the stable release. */
export function promoteFully(document: ReleaseDocument, change: Change): ReleaseDocument {
  const rollout = requireLive(document, 'promote');
  return complete(document, rollout, change, 'promote', 'promoted in full, skipping the remaining steps and their gates');
}

export function pause(document: ReleaseDocument, change: Change, reason: string): ReleaseDocument {
  const rollout = requireLive(document, 'pause');
  if (rollout.state === 'paused') return document;
  return commit({ ...document, rollout: { ...rollout, state: 'paused', reason } }, change, { action: 'pause', weight: weightOf(rollout), detail: reason });
}

/** Resuming restarts the step's clock: the gates judge only traffic seen while running. */
export function resume(document: ReleaseDocument, change: Change): ReleaseDocument {
  const rollout = requireLive(document, 'resume');
  if (rollout.state === 'running') return document;
  const next = { ...rollout, state: 'running' as const, stepStartedAt: change.at.toISOString() };
  delete next.reason;
  return commit({ ...document, rollout: next }, change, { action: 'resume', weight: weightOf(rollout) });
}

/** The candidate's weight goes to 0 at once; its files stay in the bucket and in the list. */
export function abort(document: ReleaseDocument, change: Change, reason: string): ReleaseDocument {
  const rollout = requireLive(document, 'abort');
  return commit({ ...document, rollout: { ...rollout, state: 'aborted', reason } }, change, { action: 'abort', weight: 0, detail: reason });
}

export function weightOf(rollout: Rollout): number {
  if (rollout.state === 'aborted') return 0;
  if (rollout.state === 'complete') return 100;
  return rollout.steps[rollout.step] ?? 0;
}

export function formatRate(rate: number): string {
  return `${Number((rate * 100).toFixed(4))}%`;
}

function complete(document: ReleaseDocument, rollout: Rollout, change: Change, action: string, detail?: string): ReleaseDocument {
  const done: Rollout = { ...rollout, state: 'complete', step: rollout.steps.length - 1, stepStartedAt: change.at.toISOString() };
  delete done.reason;
  return commit({ ...document, stable: rollout.candidate, rollout: done }, change, {
    action,
    weight: 100,
    detail: `${detail ? `${detail}; ` : ''}${rollout.candidate} is now the stable release`,
  });
}

function requireLive(document: ReleaseDocument, verb: string): Rollout {
  const live = liveRollout(document);
  if (live) return live;
  const last = document.rollout;
  throw new PreconditionError('NO_ROLLOUT', `There is no rollout to ${verb} in stage ${document.stage}${last ? ` (the last one, of ${last.candidate}, is ${last.state})` : ''}.`, {
    suggestions: ['Start one with sprout rollout start <release>; sprout release list shows the releases.'],
  });
}

/** Release ids an experiment still routes to (a running one's variants, a pinned winner): the release list keeps them. */
export function releasesInUse(document: ReleaseDocument): string[] {
  return (document.experiments ?? [])
    .filter((e) => e.state === 'running' || e.pinned)
    .flatMap((e) => e.variants.filter((v) => e.state === 'running' || v.name === e.winner).map((v) => v.target))
    .filter(isReleaseId);
}

/** The next revision of a document, with the change in its history. */
export function commit(document: ReleaseDocument, change: Change, entry: Omit<HistoryEntry, 'at' | 'actor'>): ReleaseDocument {
  const history = [...document.history, { at: change.at.toISOString(), actor: change.actor, ...entry }].slice(-HISTORY_KEPT);
  return { ...document, revision: document.revision + 1, history };
}
