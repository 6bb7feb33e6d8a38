import { PreconditionError, UsageError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import {
  BASIS_POINTS,
  type Condition,
  type Flag,
  type FlagDocument,
  type FlagType,
  type FlagValue,
  newBooleanFlag,
  OPERATORS,
  type Operator,
  type Rule,
  validateDocument,
} from '../runtime/flags/model.js';

/**
 * Pure edits of a flag document, one per `sprout flags` verb. Each returns a new document and
 * leaves its input untouched; the caller validates the result before anything is written.
 */

export interface CreateFlag {
  key: string;
  type: FlagType;
  description?: string;
  /** string/number flags: name=value pairs. */
  variants?: string[];
  defaultVariant?: string;
  offVariant?: string;
}

export function createFlag(document: FlagDocument, input: CreateFlag): FlagDocument {
  if (document.flags[input.key]) {
    throw new PreconditionError('FLAG_EXISTS', `There is already a flag "${input.key}".`, {
      suggestions: [`Change it with: sprout flags set ${input.key} …`],
    });
  }
  let flag: Flag;
  if (input.type === 'boolean') {
    if (input.variants?.length) throw new UsageError('INVALID_FLAG', 'A boolean flag has the variants on and off; --variant is for string and number flags.');
    flag = newBooleanFlag(input.key, input.description);
  } else {
    const variants = parseVariants(input.variants ?? [], input.type);
    const names = Object.keys(variants);
    if (names.length === 0) {
      throw new UsageError('INVALID_FLAG', `A ${input.type} flag needs its variants: --variant name=value (repeatable).`, {
        suggestions: [`For example: sprout flags create ${input.key} --type string --variant control=blue --variant treatment=green`],
      });
    }
    const defaultVariant = input.defaultVariant ?? names[0]!;
    flag = {
      ...(input.description ? { description: input.description } : {}),
      enabled: false,
      type: input.type,
      variants,
      defaultVariant,
      offVariant: input.offVariant ?? defaultVariant,
      salt: input.key,
    };
  }
  return { ...document, flags: { ...document.flags, [input.key]: flag } };
}

export interface SetFlag {
  enabled?: boolean;
  /** Boolean flags: the share of users who get `on`, 0–100. */
  percent?: number;
  /** variant=percent pairs. */
  split?: string;
  /** key=variant pairs added to the targeting lists. */
  targets?: string[];
  /** Targeting keys to take out of every list. */
  untarget?: string[];
  /** Rules, in order, replacing the current ones ("country in DE,AT => on"). */
  rules?: string[];
  clearRules?: boolean;
  description?: string;
  defaultVariant?: string;
}

export function setFlag(document: FlagDocument, key: string, change: SetFlag): FlagDocument {
  const flag = structuredClone(existing(document, key));
  if (change.percent !== undefined && change.split !== undefined) throw new UsageError('CONFLICTING_FLAGS', '--percent and --split cannot be used together.');
  if (change.enabled !== undefined) flag.enabled = change.enabled;
  if (change.description !== undefined) flag.description = change.description;
  if (change.defaultVariant !== undefined) {
    assertVariant(flag, change.defaultVariant, key);
    flag.defaultVariant = change.defaultVariant;
  }
  if (change.percent !== undefined) {
    if (flag.type !== 'boolean') throw new UsageError('INVALID_FLAG', `--percent is for boolean flags; ${key} is a ${flag.type} flag: use --split variant=percent,…`);
    flag.split = { on: toBasisPoints(change.percent, '--percent') };
  }
  if (change.split !== undefined) flag.split = parseSplit(change.split, flag, key);
  for (const keyToRemove of change.untarget ?? []) {
    for (const list of Object.values(flag.targets ?? {})) {
      const index = list.indexOf(keyToRemove);
      if (index >= 0) list.splice(index, 1);
    }
  }
  for (const assignment of change.targets ?? []) {
    const [targetingKey, variant] = splitPair(assignment, '--target', 'key=variant');
    assertVariant(flag, variant, key);
    flag.targets ??= {};
    for (const list of Object.values(flag.targets)) {
      const index = list.indexOf(targetingKey);
      if (index >= 0) list.splice(index, 1);
    }
    (flag.targets[variant] ??= []).push(targetingKey);
  }
  if (flag.targets) flag.targets = Object.fromEntries(Object.entries(flag.targets).filter(([, list]) => list.length));
  if (change.clearRules) delete flag.rules;
  if (change.rules?.length) flag.rules = change.rules.map((text) => parseRule(text, flag, key));
  return { ...document, flags: { ...document.flags, [key]: flag } };
}

/** `flags delete`: first mark the flag deprecated (code still reading it keeps working); --force removes it. */
export function deleteFlag(document: FlagDocument, key: string, options: { force: boolean; now: Date; reason?: string }): FlagDocument {
  const flag = existing(document, key);
  if (!options.force) {
    return {
      ...document,
      flags: { ...document.flags, [key]: { ...flag, deprecated: { since: options.now.toISOString(), ...(options.reason ? { reason: options.reason } : {}) } } },
    };
  }
  const { [key]: _removed, ...rest } = document.flags;
  return { ...document, flags: rest };
}

export function existing(document: FlagDocument, key: string): Flag {
  const flag = document.flags[key];
  if (flag) return flag;
  const close = nearest(key, Object.keys(document.flags));
  throw new PreconditionError('FLAG_NOT_FOUND', `There is no flag "${key}".`, {
    suggestions: [...(close.length ? [`Did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`] : []), 'See them all with: sprout flags list', `Create it with: sprout flags create ${key}`],
  });
}

/**
 * An enabled boolean flag that still serves off to everyone: on, but with no share, no target and
 * no rule for `on`. Worth a warning: "on for everyone" is --percent 100.
 */
export function reachesNobody(flag: Flag): boolean {
  if (flag.type !== 'boolean' || !flag.enabled || flag.defaultVariant === 'on') return false;
  const share = flag.split?.on ?? 0;
  const targeted = (flag.targets?.on?.length ?? 0) > 0;
  const ruled = (flag.rules ?? []).some((rule) => rule.variant === 'on');
  return share === 0 && !targeted && !ruled;
}

/** Refuses a document the stores would refuse, before anything is sent (exit 2: the input was wrong). */
export function assertValid(document: FlagDocument): void {
  const problems = validateDocument(document);
  if (problems.length) {
    throw new UsageError('INVALID_FLAG', `The change would make the flags invalid:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
}

/** What a write would change, one line per field: "flags.checkout.enabled: false → true". */
export function documentChanges(before: FlagDocument, after: FlagDocument): string[] {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const objects = a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
    if (!objects) {
      lines.push(`${path}: ${a === undefined ? '(none)' : JSON.stringify(a)} → ${b === undefined ? '(removed)' : JSON.stringify(b)}`);
      return;
    }
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
    for (const key of keys) walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
  };
  walk(before, after, '');
  return lines;
}

function parseVariants(pairs: string[], type: FlagType): Record<string, FlagValue> {
  const variants: Record<string, FlagValue> = {};
  for (const pair of pairs) {
    const [name, raw] = splitPair(pair, '--variant', 'name=value');
    variants[name] = type === 'number' ? toNumber(raw, `--variant ${name}`) : raw;
  }
  return variants;
}

function parseSplit(text: string, flag: Flag, key: string): Record<string, number> {
  const split: Record<string, number> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [variant, percent] = splitPair(pair, '--split', 'variant=percent');
    assertVariant(flag, variant, key);
    split[variant] = toBasisPoints(toNumber(percent.replace(/%$/, ''), `--split ${variant}`), `--split ${variant}`);
  }
  const total = Object.values(split).reduce((sum, points) => sum + points, 0);
  if (total > BASIS_POINTS) throw new UsageError('INVALID_FLAG', `--split adds up to ${total / 100}%, more than 100%.`);
  return split;
}

/**
 * "country in DE,AT and appVersion semver-gte 2.1.0 => on": conditions joined by "and", then
 * "=>" and the variant served. Values are numbers when they look like numbers, except for
 * string operators (starts-with, ends-with) and versions.
 */
export function parseRule(text: string, flag: Flag, key: string): Rule {
  const [conditionsText, variant] = text.split('=>').map((part) => part.trim());
  if (!conditionsText || !variant) {
    throw new UsageError('INVALID_RULE', `--rule "${text}" is not of the form "<attribute> <operator> <value> [and …] => <variant>".`, {
      suggestions: ['For example: --rule "country in DE,AT => on" or --rule "plan equals premium and appVersion semver-gte 2.1.0 => on"'],
    });
  }
  assertVariant(flag, variant, key);
  const conditions = conditionsText.split(/\s+and\s+/).map((part): Condition => {
    const match = /^(\S+)\s+(\S+)\s+(.+)$/.exec(part.trim());
    if (!match) throw new UsageError('INVALID_RULE', `"${part}" is not "<attribute> <operator> <value>".`);
    const [, attribute, op, raw] = match as unknown as [string, string, string, string];
    if (!(OPERATORS as readonly string[]).includes(op)) {
      throw new UsageError('INVALID_RULE', `"${op}" is not an operator. Use one of: ${OPERATORS.join(', ')}.`, {
        suggestions: nearest(op, OPERATORS, 1).map((s) => `Did you mean ${s}?`),
      });
    }
    const operator = op as Operator;
    const value = (v: string): FlagValue => (/^(starts-with|ends-with|semver-)/.test(operator) || !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v));
    return { attribute, op: operator, value: operator === 'in' || operator === 'not-in' ? raw.split(',').map((v) => value(v.trim())) : value(raw.trim()) };
  });
  return { conditions, variant, description: text };
}

function assertVariant(flag: Flag, variant: string, key: string): void {
  if (!(variant in flag.variants)) {
    throw new UsageError('UNKNOWN_VARIANT', `"${variant}" is not a variant of ${key} (${Object.keys(flag.variants).join(', ')}).`);
  }
}

function splitPair(text: string, flag: string, form: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new UsageError('INVALID_OPTION', `${flag} "${text}" is not of the form ${form}.`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

function toNumber(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError('INVALID_OPTION', `${what} must be a number, not "${text}".`);
  return value;
}

function toBasisPoints(percent: number, what: string): number {
  if (!(percent >= 0 && percent <= 100)) throw new UsageError('INVALID_OPTION', `${what} must be a percentage from 0 to 100, not ${percent}.`);
  const points = Math.round(percent * 100);
  if (Math.abs(points - percent * 100) > 1e-9) throw new UsageError('INVALID_OPTION', `${what} takes at most two decimals (basis points): ${percent}`);
  return points;
}
