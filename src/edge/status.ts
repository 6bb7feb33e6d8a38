import { ExitCode } from '../core/exit-codes.js';
import type { HistoryEntry, ReleaseDocument, Rollout } from '../runtime/edge-router/release-document.js';
import { formatDuration, type Verdict } from './gates.js';
import { formatRate, weightOf } from './rollout.js';

/**
 * What `sprout rollout status` reports, and its exit code: 0 when nothing is in progress (no
 * rollout, or it completed), 1 when the rollout was aborted or its gates fail now (degraded),
 * 69 while it is running or paused.
 */
export type Health = 'idle' | 'complete' | 'progressing' | 'paused' | 'aborted' | 'degraded';

export interface RolloutStatus {
  stage: string;
  location: string;
  revision: number;
  stable: string | null;
  health: Health;
  rollout: null | {
    candidate: string;
    state: Rollout['state'];
    /** 1-based, of steps.length. */
    step: number;
    steps: number[];
    weights: { stable: number; candidate: number };
    startedAt: string;
    stepStartedAt: string;
    timeInStepSeconds: number;
    intervalSeconds: number;
    gates: Rollout['gates'];
    reason?: string;
  };
  verdict?: Verdict;
  history: HistoryEntry[];
}

export function statusOf(document: ReleaseDocument, location: string, now: Date, verdict?: Verdict): RolloutStatus {
  const rollout = document.rollout;
  const health: Health = !rollout
    ? 'idle'
    : rollout.state === 'complete'
      ? 'complete'
      : rollout.state === 'aborted'
        ? 'aborted'
        : verdict?.result === 'fail'
          ? 'degraded'
          : rollout.state === 'paused'
            ? 'paused'
            : 'progressing';
  // A completed rollout's candidate is the stable release: it has the whole split, as stable.
  const weight = rollout && rollout.state !== 'complete' ? weightOf(rollout) : 0;
  return {
    stage: document.stage,
    location,
    revision: document.revision,
    stable: document.stable,
    health,
    rollout: rollout
      ? {
          candidate: rollout.candidate,
          state: rollout.state,
          step: rollout.step + 1,
          steps: rollout.steps,
          weights: { stable: 100 - weight, candidate: weight },
          startedAt: rollout.startedAt,
          stepStartedAt: rollout.stepStartedAt,
          timeInStepSeconds: Math.max(0, Math.round((now.getTime() - new Date(rollout.stepStartedAt).getTime()) / 1000)),
          intervalSeconds: rollout.intervalSeconds,
          gates: rollout.gates,
          ...(rollout.reason ? { reason: rollout.reason } : {}),
        }
      : null,
    ...(verdict ? { verdict } : {}),
    history: document.history,
  };
}

export function exitCodeOf(health: Health): number {
  if (health === 'aborted' || health === 'degraded') return ExitCode.failure;
  if (health === 'progressing' || health === 'paused') return ExitCode.inProgress;
  return ExitCode.ok;
}

/** A bar of the split: █ for the stable release's share, ▒ for the candidate's. */
export function splitBar(candidatePercent: number, width = 40): string {
  const candidate = Math.round((candidatePercent / 100) * width);
  const shown = candidatePercent > 0 && candidate === 0 ? 1 : candidatePercent < 100 && candidate === width ? width - 1 : candidate;
  return `${'█'.repeat(width - shown)}${'▒'.repeat(shown)}`;
}

export function renderStatus(status: RolloutStatus, options: { historyLines?: number } = {}): string {
  const lines = [`Stage ${status.stage}: ${status.location} (revision ${status.revision})`];
  const stable = status.stable ?? 'the deployed site';
  const rollout = status.rollout;
  if (!rollout) {
    lines.push(`Stable: ${stable}. No rollout yet.`);
  } else {
    const { weights } = rollout;
    lines.push(rollout.state === 'complete' ? `${splitBar(0)}  █ ${stable} 100%` : `${splitBar(weights.candidate)}  █ ${stable} ${weights.stable}%  ▒ ${rollout.candidate} ${weights.candidate}%`);
    if (rollout.state === 'complete') lines.push(`Complete: ${rollout.candidate} is the stable release.`);
    else if (rollout.state === 'aborted') lines.push(`Aborted: ${rollout.reason ?? ''}`.trim(), `${rollout.candidate} gets no traffic; its files stay where they were uploaded. Start a new rollout with sprout rollout start <release>.`);
    else {
      lines.push(
        `${rollout.state === 'paused' ? 'Paused' : 'Running'}: step ${rollout.step} of ${rollout.steps.length} (${rollout.steps.join(' → ')}%), ${formatDuration(rollout.timeInStepSeconds)} in this step of ${formatDuration(rollout.intervalSeconds)}`,
      );
      if (rollout.reason) lines.push(`  ${rollout.reason}`);
    }
  }
  if (status.verdict) {
    lines.push(`Gates (${status.verdict.window.from} – ${status.verdict.window.to}): ${status.verdict.result}`);
    for (const check of status.verdict.checks) {
      lines.push(`  ${check.result.padEnd(12)} ${check.name}: ${check.detail}${check.threshold !== undefined && check.gate === 'error-rate' && check.result === 'skipped' ? ` (max ${formatRate(check.threshold)})` : ''}`);
    }
  }
  const history = status.history.slice(-(options.historyLines ?? 10));
  if (history.length) {
    lines.push('History:');
    for (const entry of history) {
      lines.push(`  ${entry.at}  ${entry.action.padEnd(8)} ${entry.weight !== undefined ? `${entry.weight}%`.padStart(5) : '     '}  ${entry.actor}${entry.detail ? `: ${entry.detail}` : ''}`);
    }
  }
  return lines.join('\n');
}
