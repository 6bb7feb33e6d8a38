import { UsageError } from '../core/errors.js';
import { type ExperimentVariant, stepsProblem } from '../runtime/edge-router/release-document.js';

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

/**
 * "control=stable:50,b=r-3f9a1c0d2b4e:50" into variants; without any weight ("a=stable,b=r-…"),
 * an even split (the first variants take the remainder's hundredths). A target is "stable", a
 * release id or an origin's domain name; the document's own check says which ones exist.
 */
export function parseVariants(text: string): ExperimentVariant[] {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const usage = { suggestions: ['For example --variants control=stable:50,b=r-3f9a1c0d2b4e:50.'] };
  const variants = parts.map((part) => {
    const match = /^([^=]+)=([^:]+)(?::([\d.]+)%?)?$/.exec(part);
    if (!match) throw new UsageError('BAD_VARIANTS', `--variants: "${part}" is not name=target[:weight].`, usage);
    return { name: match[1]!.trim(), target: match[2]!.trim(), weight: match[3] === undefined ? undefined : Number(match[3]) };
  });
  if (variants.length < 2) throw new UsageError('BAD_VARIANTS', '--variants: an experiment needs at least two variants.', usage);
  const weighted = variants.filter((v) => v.weight !== undefined).length;
  if (weighted !== 0 && weighted !== variants.length) throw new UsageError('BAD_VARIANTS', '--variants: give every variant a weight, or none (an even split).', usage);
  if (weighted) return variants.map((v) => ({ name: v.name, target: v.target, weight: v.weight! }));
  const each = Math.floor(10_000 / variants.length);
  const extra = 10_000 - each * variants.length;
  return variants.map((v, i) => ({ name: v.name, target: v.target, weight: (each + (i < extra ? 1 : 0)) / 100 }));
}

/** "control=10%,b=0.12" into conversion rates (a number above 1 or with % is a percentage). */
export function parseRates(text: string): Map<string, number> {
  const rates = new Map<string, number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=]+)=([\d.]+)(%?)$/.exec(part);
    const value = match ? Number(match[2]) / (match[3] || Number(match[2]) > 1 ? 100 : 1) : Number.NaN;
    if (!match || !(value >= 0 && value <= 1)) throw new UsageError('BAD_RATES', `--rates: "${part}" is not variant=rate (such as b=12% or b=0.12).`);
    rates.set(match[1]!.trim(), value);
  }
  return rates;
}
