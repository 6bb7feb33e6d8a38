import { PreconditionError } from '../core/errors.js';
import { emptyReleaseDocument, type Gates, type ReleaseDocument, type ReleaseEntry, type Rollout } from '../runtime/edge-router/release-document.js';
import { judge, type Verdict } from './gates.js';
import type { MetricsSource } from './metrics.js';
import { type BuiltRelease, readBuild, type ReleaseUploader } from './release-files.js';
import type { ReleaseStore } from './release-store.js';
import * as rollouts from './rollout.js';

/**
 * The release and rollout operations behind `sprout release …` and `sprout rollout …`. Each one
 * reads the stage's release document, computes the next one with the pure functions of
 * rollout.ts, and writes it conditionally: a concurrent change makes it fail with exit 4.
 */
export interface EdgeDeps {
  stage: string;
  store: ReleaseStore;
  uploader: ReleaseUploader;
  metrics: MetricsSource;
  /** Who is acting, for the history: the AWS caller's ARN, or user@host on the local stage. */
  actor: () => Promise<string>;
  now: () => Date;
  /** A fresh salt for a new rollout. */
  salt: () => string;
}

export interface WriteOptions {
  dryRun: boolean;
}

export interface Written {
  document: ReleaseDocument;
  /** false when nothing changed, or on a dry run. */
  written: boolean;
}

/** Reads, applies `change`, and writes when it produced a new document (the same object means "nothing to do"). */
export async function update(deps: EdgeDeps, options: WriteOptions, change: (document: ReleaseDocument, who: rollouts.Change) => ReleaseDocument): Promise<Written> {
  const stored = await deps.store.read();
  const current = stored?.document ?? emptyReleaseDocument(deps.stage);
  const next = change(current, { at: deps.now(), actor: await deps.actor() });
  if (next === current || options.dryRun) return { document: next, written: false };
  await deps.store.write(next, stored?.etag ?? null);
  return { document: next, written: true };
}

export async function readDocument(deps: EdgeDeps): Promise<ReleaseDocument> {
  return (await deps.store.read())?.document ?? emptyReleaseDocument(deps.stage);
}

export interface CreatedRelease {
  release: ReleaseEntry;
  /** false: the same content was uploaded before (the id is its hash). */
  uploaded: boolean;
  /** false: it was already in the release list. */
  registered: boolean;
  dryRun: boolean;
}

export async function createRelease(deps: EdgeDeps, input: { dir: string; origin?: string } & WriteOptions, progress?: (done: number, total: number) => void): Promise<CreatedRelease> {
  const build: BuiltRelease = await readBuild(input.dir);
  const release: ReleaseEntry = {
    id: build.id,
    createdAt: deps.now().toISOString(),
    createdBy: await deps.actor(),
    files: build.files.length,
    bytes: build.bytes,
    ...(input.origin ? { origin: input.origin } : {}),
  };
  if (input.dryRun) {
    const known = (await readDocument(deps)).releases.find((r) => r.id === build.id);
    return { release: known ?? release, uploaded: false, registered: false, dryRun: true };
  }
  // Upload first, register second: the router must never be pointed at files that are not there.
  const already = await deps.uploader.uploaded(build.id);
  if (!already) await deps.uploader.upload(build, progress);
  const { document, written } = await update(deps, input, (document, change) => rollouts.registerRelease(document, release, change));
  return { release: document.releases.find((r) => r.id === build.id) ?? release, uploaded: !already, registered: written, dryRun: false };
}

export interface StartInput extends WriteOptions {
  candidate: string;
  steps: number[];
  intervalSeconds: number;
  gates: Gates;
}

export async function startRollout(deps: EdgeDeps, input: StartInput): Promise<Written> {
  if (input.gates.alarms.length) {
    // A misspelt alarm would fail the first gate: say so now, before any traffic moves.
    const states = await deps.metrics.alarmStates(input.gates.alarms);
    const missing = input.gates.alarms.filter((name) => !states.has(name));
    if (missing.length) {
      throw new PreconditionError('ALARM_NOT_FOUND', `No CloudWatch alarm named ${missing.join(', ')} (looked in ${deps.metrics.location}).`, {
        suggestions: ['Check the names with aws cloudwatch describe-alarms --alarm-names <name>; alarms live in the stage\'s region.'],
      });
    }
  }
  const plan = { candidate: input.candidate, steps: input.steps, intervalSeconds: input.intervalSeconds, gates: input.gates, salt: deps.salt() };
  return update(deps, input, (document, change) => rollouts.startRollout(document, plan, change));
}

/** The gates over the current step so far: from the step's start (or resume) until now. */
export async function judgeStep(deps: EdgeDeps, rollout: Rollout): Promise<Verdict> {
  const window = { from: new Date(rollout.stepStartedAt), to: deps.now() };
  const [counts, alarms] = await Promise.all([deps.metrics.releaseCounts(rollout.candidate, window), deps.metrics.alarmStates(rollout.gates.alarms)]);
  return judge({ gates: rollout.gates, counts, alarms, window });
}

export type AdvanceAction = 'advanced' | 'completed' | 'aborted' | 'paused';

export interface Advanced extends Written {
  verdict: Verdict;
  action: AdvanceAction;
}

/**
 * What a verdict does to a running rollout, for `advance` and the watcher alike: a pass moves one
 * step (completing at 100%), a failure aborts, an inconclusive verdict pauses. `reasons` word the
 * last two for the history.
 */
export function applyVerdict(
  document: ReleaseDocument,
  verdict: Verdict,
  change: rollouts.Change,
  reasons: { fail: string; inconclusive: string },
): { next: ReleaseDocument; action: AdvanceAction } {
  if (verdict.result === 'fail') return { next: rollouts.abort(document, change, reasons.fail), action: 'aborted' };
  if (verdict.result === 'inconclusive') return { next: rollouts.pause(document, change, reasons.inconclusive), action: 'paused' };
  const next = rollouts.stepForward(document, change, 'advance', `gates: ${verdict.summary}`);
  return { next, action: next.rollout?.state === 'complete' ? 'completed' : 'advanced' };
}

/**
 * One step, only if the gates pass. A failing gate aborts the rollout (weight 0 at once); an
 * inconclusive one pauses it for a person. The write is conditional on the document judged.
 */
export async function advance(deps: EdgeDeps, options: WriteOptions): Promise<Advanced> {
  const stored = await deps.store.read();
  const document = stored?.document ?? emptyReleaseDocument(deps.stage);
  const verdict = await judgeStep(deps, rollouts.runningRollout(document));
  const change = { at: deps.now(), actor: await deps.actor() };
  const { next, action } = applyVerdict(document, verdict, change, { fail: `gate failed: ${verdict.summary}`, inconclusive: `inconclusive: ${verdict.summary}` });
  if (options.dryRun) return { document: next, written: false, verdict, action };
  await deps.store.write(next, stored?.etag ?? null);
  return { document: next, written: true, verdict, action };
}

/** Next step without judging the gates, or (full) straight to 100%. */
export async function promote(deps: EdgeDeps, input: { full: boolean } & WriteOptions): Promise<Written> {
  return update(deps, input, (document, change) =>
    input.full ? rollouts.promoteFully(document, change) : rollouts.stepForward(document, change, 'promote', 'moved on by hand, without judging the gates'),
  );
}

export async function pause(deps: EdgeDeps, options: WriteOptions): Promise<Written> {
  return update(deps, options, (document, change) => rollouts.pause(document, change, 'paused by hand'));
}

export async function resume(deps: EdgeDeps, options: WriteOptions): Promise<Written> {
  return update(deps, options, (document, change) => rollouts.resume(document, change));
}

export async function abort(deps: EdgeDeps, input: { reason?: string } & WriteOptions): Promise<Written> {
  return update(deps, input, (document, change) => rollouts.abort(document, change, input.reason ?? 'aborted by hand'));
}
