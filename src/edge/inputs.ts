import { UsageError } from '../core/errors.js';
import { stepsProblem } from '../runtime/edge-router/release-document.js';

/** The default plan: a careful first step, then halves, then everyone. */
export const DEFAULT_STEPS = [5, 25, 50, 100];
export const DEFAULT_INTERVAL_SECONDS = 600;
export const DEFAULT_MAX_ERROR_RATE = 0.01;
export const DEFAULT_MIN_REQUESTS = 500;

/** "5,25,50,100" or "5 25 50 100" (a trailing % is allowed) into ascending percentages ending at 100. */
export function parseSteps(text: string): number[] {
  const steps = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => Number(part.replace(/%$/, '')));
  const problem = steps.length === 0 ? 'give at least one step' : stepsProblem(steps);
  if (problem) throw new UsageError('BAD_STEPS', `--steps ${text}: ${problem}.`, { suggestions: ['For example --steps 5,25,50,100.'] });
  return steps;
}

/** "10m", "90s", "1h30m", "2d" or a number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  if (!match || trimmed === '') throw new UsageError('BAD_DURATION', `${flag} ${text}: not a duration.`, { suggestions: ['Write it like 90s, 10m, 1h30m or 2d.'] });
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return Number(d) * 86_400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** "1%", "0.5%" or "1" (a percentage either way) into a fraction. */
export function parseRate(text: string, flag: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(value) || value < 0 || value > 100 || text.trim() === '') {
    throw new UsageError('BAD_RATE', `${flag} ${text}: give a percentage between 0 and 100, like 1% or 0.5%.`);
  }
  return value / 100;
}
