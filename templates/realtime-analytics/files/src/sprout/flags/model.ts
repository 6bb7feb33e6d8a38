// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The feature flag model and its validation: one module, used by the sprout CLI (to check every
 * document before it is written to a store) and shipped into every generated project (where the
 * evaluator reads it). Plain TypeScript, no dependency.
 */

export type FlagValue = boolean | string | number;
export const FLAG_TYPES = ['boolean', 'string', 'number'] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

/** A condition on one attribute of the evaluation context (`country equals DE`, `appVersion semver-gte 2.1.0`). */
export interface Condition {
  attribute: string;
  op: Operator;
  /** A list for `in` and `not-in`; a single value otherwise. */
  value: FlagValue | FlagValue[];
}

export const OPERATORS = [
  'equals',
  'not-equals',
  'in',
  'not-in',
  'starts-with',
  'ends-with',
  'gt',
  'gte',
  'lt',
  'lte',
  'semver-eq',
  'semver-gt',
  'semver-gte',
  'semver-lt',
  'semver-lte',
] as const;
export type Operator = (typeof OPERATORS)[number];
/** Operators that compare numbers (a numeric string such as "42" counts as a number). */
export const NUMERIC_OPERATORS: readonly Operator[] = ['gt', 'gte', 'lt', 'lte'];

/** When every condition holds, the rule serves its variant. Rules are tried in order; the first match wins. */
export interface Rule {
  conditions: Condition[];
  variant: string;
  /** Shown by `flags eval` as the rule that matched. */
  description?: string;
}

export interface Flag {
  description?: string;
  /** Off: everyone gets offVariant, whatever the targeting. */
  enabled: boolean;
  type: FlagType;
  /** Named values: a boolean flag has exactly `on` (true) and `off` (false). */
  variants: Record<string, FlagValue>;
  /** Served when enabled and nothing (targets, rules, split) decides. */
  defaultVariant: string;
  /** Served when disabled. */
  offVariant: string;
  /** Variant → targeting keys that always get it (testers, a customer). */
  targets?: Record<string, string[]>;
  rules?: Rule[];
  /**
   * Variant → share of users in basis points (100 = 1%). Buckets are handed out in the order of
   * `variants`, cumulatively; what the split leaves over gets defaultVariant.
   */
  split?: Record<string, number>;
  /** Part of the bucketing hash: a new salt reshuffles who is in which bucket, for this flag only. */
  salt: string;
  /** Set by `flags delete` before the flag is removed with --force. */
  deprecated?: { since: string; reason?: string };
}

export interface FlagDocument {
  version: 1;
  flags: Record<string, Flag>;
}

/** AppConfig's feature flag key rule, so the same keys work in every store. */
export const FLAG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
export const BASIS_POINTS = 10_000;

export function emptyDocument(): FlagDocument {
  return { version: 1, flags: {} };
}

/** A new boolean flag: off, 0% on. */
export function newBooleanFlag(key: string, description?: string): Flag {
  return {
    ...(description ? { description } : {}),
    enabled: false,
    type: 'boolean',
    variants: { on: true, off: false },
    defaultVariant: 'off',
    offVariant: 'off',
    salt: key,
  };
}

/** Every problem with a flag, as "flags.<key>.<field>: what is wrong"; empty when it is valid. */
export function validateFlag(key: string, flag: unknown): string[] {
  const at = (field: string) => `flags.${key}${field ? `.${field}` : ''}`;
  const problems: string[] = [];
  if (!FLAG_KEY.test(key)) problems.push(`${at('')}: the key must start with a lower-case letter and use letters, digits, - and _ (at most 64)`);
  if (!isObject(flag)) return [...problems, `${at('')}: must be an object`];
  const f = flag as Record<string, unknown>;
  if (typeof f.enabled !== 'boolean') problems.push(`${at('enabled')}: must be true or false`);
  if (f.description !== undefined && typeof f.description !== 'string') problems.push(`${at('description')}: must be a string`);
  if (!(FLAG_TYPES as readonly unknown[]).includes(f.type)) problems.push(`${at('type')}: must be boolean, string or number`);
  if (typeof f.salt !== 'string' || f.salt === '') problems.push(`${at('salt')}: must be a non-empty string`);

  const variants = isObject(f.variants) ? (f.variants as Record<string, unknown>) : undefined;
  if (!variants || Object.keys(variants).length === 0) {
    problems.push(`${at('variants')}: must name at least one variant`);
    return problems;
  }
  // Only when the type itself is valid: the type problem is already reported, and String() of a
  // garbage value can throw (an object without a prototype), which validation must never do.
  if (typeof f.type === 'string' && FLAG_TYPES.includes(f.type as FlagType)) {
    for (const [name, value] of Object.entries(variants)) {
      if (typeof value !== f.type) problems.push(`${at(`variants.${name}`)}: must be a ${f.type}`);
    }
  }
  if (f.type === 'boolean' && (variants.on !== true || variants.off !== false || Object.keys(variants).length !== 2)) {
    problems.push(`${at('variants')}: a boolean flag has exactly { "on": true, "off": false }`);
  }
  const known = (name: unknown) => typeof name === 'string' && name in variants;
  if (!known(f.defaultVariant)) problems.push(`${at('defaultVariant')}: must be one of ${Object.keys(variants).join(', ')}`);
  if (!known(f.offVariant)) problems.push(`${at('offVariant')}: must be one of ${Object.keys(variants).join(', ')}`);

  if (f.targets !== undefined) {
    if (!isObject(f.targets)) problems.push(`${at('targets')}: must map variants to lists of targeting keys`);
    else {
      const seen = new Map<string, string>();
      for (const [variant, keys] of Object.entries(f.targets as Record<string, unknown>)) {
        if (!known(variant)) problems.push(`${at(`targets.${variant}`)}: "${variant}" is not a variant`);
        if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k === '')) {
          problems.push(`${at(`targets.${variant}`)}: must be a list of targeting keys`);
          continue;
        }
        for (const k of keys as string[]) {
          const other = seen.get(k);
          if (other && other !== variant) problems.push(`${at('targets')}: "${k}" is targeted for both ${other} and ${variant}`);
          seen.set(k, variant);
        }
      }
    }
  }

  if (f.rules !== undefined) {
    if (!Array.isArray(f.rules)) problems.push(`${at('rules')}: must be a list`);
    else (f.rules as unknown[]).forEach((rule, i) => problems.push(...validateRule(rule, at(`rules.${i}`), known)));
  }

  if (f.split !== undefined) {
    if (!isObject(f.split)) problems.push(`${at('split')}: must map variants to basis points`);
    else {
      let total = 0;
      for (const [variant, points] of Object.entries(f.split as Record<string, unknown>)) {
        if (!known(variant)) problems.push(`${at(`split.${variant}`)}: "${variant}" is not a variant`);
        if (typeof points !== 'number' || !Number.isInteger(points) || points < 0 || points > BASIS_POINTS) {
          problems.push(`${at(`split.${variant}`)}: must be whole basis points from 0 to ${BASIS_POINTS} (100 = 1%)`);
        } else total += points;
      }
      if (total > BASIS_POINTS) problems.push(`${at('split')}: the shares add up to ${total / 100}%, more than 100%`);
    }
  }

  if (f.deprecated !== undefined && (!isObject(f.deprecated) || typeof (f.deprecated as { since?: unknown }).since !== 'string')) {
    problems.push(`${at('deprecated')}: must be { "since": "<ISO date>", "reason"?: "…" }`);
  }
  return problems;
}

function validateRule(rule: unknown, at: string, known: (name: unknown) => boolean): string[] {
  if (!isObject(rule)) return [`${at}: must be an object`];
  const r = rule as Record<string, unknown>;
  const problems: string[] = [];
  if (!known(r.variant)) problems.push(`${at}.variant: must be one of the flag's variants`);
  if (!Array.isArray(r.conditions) || r.conditions.length === 0) return [...problems, `${at}.conditions: must list at least one condition`];
  (r.conditions as unknown[]).forEach((condition, i) => {
    const where = `${at}.conditions.${i}`;
    if (!isObject(condition)) return void problems.push(`${where}: must be an object`);
    const c = condition as Record<string, unknown>;
    if (typeof c.attribute !== 'string' || c.attribute === '') problems.push(`${where}.attribute: must name a context attribute`);
    if (!(OPERATORS as readonly unknown[]).includes(c.op)) problems.push(`${where}.op: must be one of ${OPERATORS.join(', ')}`);
    const list = c.op === 'in' || c.op === 'not-in';
    const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
    if (list ? !Array.isArray(c.value) || !(c.value as unknown[]).every(scalar) : !scalar(c.value)) {
      problems.push(`${where}.value: must be ${list ? 'a list of values' : 'a single value'}`);
    }
    const op = typeof c.op === 'string' ? c.op : '';
    if (op.startsWith('semver-') && (typeof c.value !== 'string' || !parseSemver(c.value))) {
      problems.push(`${where}.value: must be a version such as 2.1.0`);
    }
    // A numeric comparison with a value that is not a number could never match: say so now.
    if (NUMERIC_OPERATORS.includes(op as Operator) && parseNumber(c.value) === undefined) {
      problems.push(`${where}.value: must be a number`);
    }
  });
  return problems;
}

/** Every problem with a document; empty when it is valid. */
export function validateDocument(document: unknown): string[] {
  if (!isObject(document)) return ['the flag document must be an object'];
  const d = document as Record<string, unknown>;
  const problems: string[] = [];
  if (d.version !== 1) problems.push('version: must be 1');
  if (!isObject(d.flags)) return [...problems, 'flags: must be an object'];
  for (const [key, flag] of Object.entries(d.flags as Record<string, unknown>)) problems.push(...validateFlag(key, flag));
  return problems;
}

/**
 * major.minor.patch with an optional -prerelease and +build; undefined when it is not a version.
 * Dot-separated identifiers must not be empty (semver 2.0 §9, §10): `1.0.0-a..b` is not a version.
 */
export function parseSemver(value: string): { major: number; minor: number; patch: number; pre: string[] } | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.exec(value.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), pre: match[4] ? match[4].split('.') : [] };
}

/** A finite number, or a string that is one written in decimal ("42", "-1.5", "2e3"); undefined otherwise. */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
