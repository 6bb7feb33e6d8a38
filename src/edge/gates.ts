import type { Gates } from '../runtime/edge-router/release-document.js';
import { formatRate } from './rollout.js';

/**
 * The gate verdict, a pure function of what the metrics and alarms say. A failing gate aborts a
 * rollout; too little traffic is inconclusive, which pauses it for a person instead (the lesson of
 * Argo Rollouts' "Inconclusive" runs: low traffic must not look like a broken release).
 */

/** The router's counters for one release over a window (CloudWatch sums, or the local log). */
export interface ReleaseCounts {
  exposures: number;
  originResponses: number;
  origin5xx: number;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type CheckResult = 'pass' | 'fail' | 'inconclusive' | 'skipped';

export interface GateCheck {
  gate: 'alarm' | 'error-rate';
  /** The alarm's name, or "5xx rate". */
  name: string;
  result: CheckResult;
  /** What was measured and against what, in words: "2.4% of 1,210 origin responses (max 1%)". */
  detail: string;
  value?: number;
  threshold?: number;
}

export interface Verdict {
  result: 'pass' | 'fail' | 'inconclusive';
  checks: GateCheck[];
  window: { from: string; to: string };
  /** One line for people: the failing or undecided checks, or "all gates pass". */
  summary: string;
}

export interface GateInput {
  gates: Gates;
  /** undefined: this stage has no traffic source at all (the local stage before `sprout dev` served anything). */
  counts: ReleaseCounts | undefined;
  /** The state of every alarm named in the gates; an absent one was not found. */
  alarms: ReadonlyMap<string, AlarmState>;
  window: { from: Date; to: Date };
}

export function judge(input: GateInput): Verdict {
  const window = { from: input.window.from.toISOString(), to: input.window.to.toISOString() };
  const span = describeWindow(input.window.from, input.window.to);
  const checks: GateCheck[] = [...input.gates.alarms.map((name) => alarmCheck(name, input.alarms.get(name))), errorRateCheck(input.gates, input.counts, span)];
  const result = checks.some((c) => c.result === 'fail') ? 'fail' : checks.some((c) => c.result === 'inconclusive') ? 'inconclusive' : 'pass';
  const deciding = checks.filter((c) => c.result === result);
  const skipped = checks.filter((c) => c.result === 'skipped').map((c) => `${c.name} not judged: ${c.detail}`);
  const summary = result === 'pass' ? ['all gates pass', ...skipped].join('; ') : deciding.map((c) => `${c.name}: ${c.detail}`).join('; ');
  return { result, checks, window, summary };
}

function alarmCheck(name: string, state: AlarmState | undefined): GateCheck {
  if (state === undefined) return { gate: 'alarm', name: `alarm ${name}`, result: 'fail', detail: 'not found in CloudWatch' };
  if (state === 'OK') return { gate: 'alarm', name: `alarm ${name}`, result: 'pass', detail: 'OK' };
  if (state === 'ALARM') return { gate: 'alarm', name: `alarm ${name}`, result: 'fail', detail: 'in ALARM' };
  return { gate: 'alarm', name: `alarm ${name}`, result: 'inconclusive', detail: 'INSUFFICIENT_DATA' };
}

function errorRateCheck(gates: Gates, counts: ReleaseCounts | undefined, span: string): GateCheck {
  const name = '5xx rate';
  const threshold = gates.maxErrorRate;
  if (!counts) {
    return { gate: 'error-rate', name, result: 'skipped', threshold, detail: 'no traffic source on this stage (sprout dev records local traffic)' };
  }
  const rate = counts.originResponses === 0 ? 0 : counts.origin5xx / counts.originResponses;
  const measured = `${formatRate(rate)} of ${counts.originResponses.toLocaleString('en-US')} origin responses, ${counts.exposures.toLocaleString('en-US')} requests, ${span}`;
  if (counts.exposures < gates.minRequests) {
    return { gate: 'error-rate', name, result: 'inconclusive', value: rate, threshold, detail: `${counts.exposures.toLocaleString('en-US')} of the ${gates.minRequests.toLocaleString('en-US')} requests needed to judge (${measured})` };
  }
  const result = rate > threshold ? 'fail' : 'pass';
  return { gate: 'error-rate', name, result, value: rate, threshold, detail: `${measured} (max ${formatRate(threshold)})` };
}

function describeWindow(from: Date, to: Date): string {
  return `over the last ${formatDuration((to.getTime() - from.getTime()) / 1000)}`;
}

/** 90 → "1m30s", 3600 → "1h". */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}
