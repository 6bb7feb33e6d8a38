import { UsageError } from '../core/errors.js';
import type { Flag } from '../runtime/flags/model.js';

/** "on 25%" or "control 50%, green 25%, red 25%". */
export function describeSplit(flag: Flag): string {
  return Object.entries(flag.split ?? {})
    .map(([variant, points]) => `${variant} ${points / 100}%`)
    .join(', ');
}

/** "2 targets, 1 rule". */
export function describeTargeting(flag: Flag): string {
  const targets = Object.values(flag.targets ?? {}).reduce((sum, list) => sum + list.length, 0);
  const rules = flag.rules?.length ?? 0;
  return [targets && `${targets} target${targets > 1 ? 's' : ''}`, rules && `${rules} rule${rules > 1 ? 's' : ''}`].filter(Boolean).join(', ');
}

/** --context targetingKey=u1,country=DE → { targetingKey: 'u1', country: 'DE' }. */
export function parseContext(text: string): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('INVALID_CONTEXT', `--context "${pair}" is not key=value.`, { suggestions: ['For example: --context targetingKey=user-42,country=DE'] });
    context[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return context;
}
