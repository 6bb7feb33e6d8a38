import { ConflictError } from '../core/errors.js';
import type { ReleaseDocument } from '../runtime/edge-router/release-document.js';
import type { TaskRunner } from '../ui/tasks.js';
import { formatDuration, type Verdict } from './gates.js';
import { applyVerdict, type EdgeDeps, judgeStep } from './service.js';

/**
 * `--watch`: drives a rollout's plan in this process. Each step is judged every `tickSeconds`
 * while it runs: a failing gate aborts at once (the watcher rolls back by itself, and says which
 * metric, value and window failed); at the end of the interval a pass moves to the next step and
 * an inconclusive verdict pauses for a person. A change made by someone else (an abort, a pause,
 * a promote from another terminal or CI) is seen on the next tick and ends the watch of that step.
 */
export interface WatchDeps extends EdgeDeps {
  sleep: (ms: number) => Promise<void>;
}

export type StepEnd =
  | { kind: 'advanced' | 'completed' | 'aborted' | 'paused'; verdict: Verdict; document: ReleaseDocument }
  /** The rollout left this step by another hand, or was not on it. */
  | { kind: 'left'; document: ReleaseDocument };

/** How often a running step is judged (gates are re-read; a failure acts within a tick). */
export const DEFAULT_TICK_SECONDS = 30;

export async function driveStep(deps: WatchDeps, step: number, options: { tickSeconds?: number; log?: (line: string) => void } = {}): Promise<StepEnd> {
  const tick = options.tickSeconds ?? DEFAULT_TICK_SECONDS;
  for (;;) {
    const stored = await deps.store.read();
    const document = stored?.document;
    const rollout = document?.rollout;
    if (!document || !rollout || rollout.state !== 'running' || rollout.step !== step) return { kind: 'left', document: document! };

    const verdict = await judgeStep(deps, rollout);
    const elapsed = (deps.now().getTime() - new Date(rollout.stepStartedAt).getTime()) / 1000;
    options.log?.(`${rollout.steps[step]}% for ${formatDuration(elapsed)} of ${formatDuration(rollout.intervalSeconds)}: ${verdict.summary}`);
    // A failure acts at once; a pass or an undecided verdict only at the end of the step.
    if (verdict.result === 'fail' || elapsed >= rollout.intervalSeconds) {
      const change = { at: deps.now(), actor: await deps.actor() };
      const { next, action } = applyVerdict(document, verdict, change, {
        fail: `rolled back by the watcher: ${verdict.summary} (window ${verdict.window.from} – ${verdict.window.to})`,
        inconclusive: `inconclusive at the end of the step: ${verdict.summary}`,
      });
      try {
        await deps.store.write(next, stored!.etag);
        return { kind: action, verdict, document: next };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        options.log?.('The release document changed meanwhile; reading it again.');
        continue;
      }
    }
    await deps.sleep(Math.max(1, Math.min(tick, rollout.intervalSeconds - elapsed)) * 1000);
  }
}

export interface WatchOutcome {
  document: ReleaseDocument;
  /** How the last step watched ended. */
  end?: StepEnd;
}

/**
 * Drives every remaining step of the running rollout as a task list (one task per step), until it
 * completes, is aborted or paused, or someone else takes it over.
 */
export async function watchPlan(deps: WatchDeps, runner: TaskRunner, options: { tickSeconds?: number } = {}): Promise<WatchOutcome> {
  const start = (await deps.store.read())?.document;
  const rollout = start?.rollout;
  if (!start || !rollout || rollout.state !== 'running') return { document: start! };
  let end: StepEnd | undefined;
  const last = rollout.steps.length - 1;
  const indices = Array.from({ length: Math.max(1, last - rollout.step) }, (_, i) => rollout.step + i);
  await runner.run(
    indices.map((step) => ({
      title: `Step ${step + 1} of ${rollout.steps.length}: ${rollout.steps[step]}% of viewers on ${rollout.candidate} for ${formatDuration(rollout.intervalSeconds)}`,
      run: async (log) => {
        if (end && end.kind !== 'advanced') return `Step ${step + 1}: not reached`;
        end = await driveStep(deps, step, { ...options, log });
        if (end.kind === 'advanced') return `Step ${step + 1}: ${rollout.steps[step]}% passed its gates (${end.verdict.summary})`;
        if (end.kind === 'completed') return `Step ${step + 1}: passed; ${rollout.candidate} now serves everyone and is the stable release`;
        if (end.kind === 'left') return `Step ${step + 1}: changed by someone else (now ${end.document?.rollout?.state ?? 'gone'})`;
        throw new Error(end.kind === 'aborted' ? `Rolled back: ${end.verdict.summary}` : `Paused: ${end.verdict.summary}`);
      },
    })),
  );
  return { document: (await deps.store.read())?.document ?? start, ...(end ? { end } : {}) };
}
