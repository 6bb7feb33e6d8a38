import type { OptionValue, TemplateOption } from '../catalog/schema.js';
import { UsageError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';

/** `--option key=value` (repeatable) into a map; a malformed entry is a usage error. */
export function parseOptionAssignments(assignments: readonly string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq > 0 ? assignment.slice(0, eq).trim() : '';
    if (!key) {
      throw new UsageError('INVALID_OPTION', `--option "${assignment}" is not of the form key=value.`, {
        suggestions: ['Write it as --option name=value, for example --option pageSize=50.'],
      });
    }
    parsed[key] = assignment.slice(eq + 1).trim();
  }
  return parsed;
}

/** Converts and checks one raw value against its option; returns the problem in words, or the value. */
export function coerceOptionValue(option: TemplateOption, raw: string): { value: OptionValue } | { problem: string } {
  switch (option.type) {
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(lower)) return { value: true };
      if (['false', 'no', 'off', '0'].includes(lower)) return { value: false };
      return { problem: `${option.name} must be true or false, not "${raw}"` };
    }
    case 'number': {
      const value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) return { problem: `${option.name} must be a number, not "${raw}"` };
      if (option.integer && !Number.isInteger(value)) return { problem: `${option.name} must be a whole number, not ${raw}` };
      if (option.min !== undefined && value < option.min) return { problem: `${option.name} must be at least ${option.min}, not ${raw}` };
      if (option.max !== undefined && value > option.max) return { problem: `${option.name} must be at most ${option.max}, not ${raw}` };
      return { value };
    }
    case 'enum':
      return option.choices.includes(raw)
        ? { value: raw }
        : { problem: `${option.name} must be one of ${option.choices.join(', ')}, not "${raw}"` };
    case 'string':
      if (option.pattern && !new RegExp(`^(?:${option.pattern})$`).test(raw)) {
        return { problem: `${option.name} must match /${option.pattern}/, not "${raw}"` };
      }
      return { value: raw };
  }
}

/**
 * Checks every given option against the template's declared options and fills in the defaults
 * for the rest. All problems are reported at once, so one run tells the user everything to fix.
 */
export function resolveOptionValues(
  declared: readonly TemplateOption[],
  given: Record<string, string>,
  templateId: string,
): Record<string, OptionValue> {
  const problems: string[] = [];
  const suggestions: string[] = [];
  const names = declared.map((option) => option.name);
  for (const key of Object.keys(given)) {
    if (names.includes(key)) continue;
    problems.push(`"${key}" is not an option of ${templateId}`);
    const close = nearest(key, names, 1);
    if (close.length) suggestions.push(`Did you mean --option ${close[0]}=${given[key]}?`);
  }
  const values: Record<string, OptionValue> = {};
  for (const option of declared) {
    const raw = given[option.name];
    if (raw === undefined) {
      values[option.name] = option.default;
      continue;
    }
    const coerced = coerceOptionValue(option, raw);
    if ('problem' in coerced) problems.push(coerced.problem);
    else values[option.name] = coerced.value;
  }
  if (problems.length) {
    throw new UsageError('INVALID_OPTION', `Invalid template options: ${problems.join('; ')}.`, {
      suggestions: [
        ...suggestions,
        names.length
          ? `Options of ${templateId}: ${names.join(', ')}. See "sprout patterns show ${templateId}".`
          : `${templateId} takes no options.`,
      ],
      details: { problems },
    });
  }
  return values;
}
