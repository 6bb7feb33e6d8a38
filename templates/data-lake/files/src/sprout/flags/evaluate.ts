// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The flag evaluator: one pure function, the same in the CLI (`sprout flags eval`), in Lambda
 * (through the OpenFeature provider) and anywhere else a project needs it. No dependency, and it
 * NEVER throws: whatever the document, key or context, the caller gets a value (its own default
 * when something is wrong) and a reason, as OpenFeature requires of evaluation (spec 1.4.10).
 *
 * Order:
 *  1. the document is not a version 1 flag document → default, ERROR / PARSE_ERROR
 *  2. no such flag → default, ERROR / FLAG_NOT_FOUND
 *  3. the flag fails validateFlag → default, ERROR / PARSE_ERROR
 *  4. the flag's type is not the type of the caller's default → default, ERROR / TYPE_MISMATCH
 *  5. disabled → offVariant, DISABLED
 *  6. nothing in the flag looks at the context (no targets, rules or split) → defaultVariant, STATIC
 *  7. the context is not an object, or its targetingKey is not a string → default, ERROR / INVALID_CONTEXT
 *  8. the targeting key is listed in `targets` → that variant, TARGETING_MATCH
 *  9. the first rule whose conditions all hold → its variant, TARGETING_MATCH (ruleIndex, rule)
 * 10. a split with a share above 0: no targeting key → defaultVariant, DEFAULT with
 *     TARGETING_KEY_MISSING (the flag's default variant, not the caller's default: the flag still
 *     decides); otherwise bucketOf(key, salt, targetingKey) against the cumulative shares in the
 *     order of `variants` → that variant, SPLIT (bucket); past the last share → defaultVariant, DEFAULT
 * 11. otherwise → defaultVariant, DEFAULT
 */

import { bucketOf } from './bucket.js';
import { conditionHolds } from './conditions.js';
import { type Flag, type FlagValue, type Rule, isObject, validateFlag } from './model.js';

export type Reason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'ERROR';
export type EvaluationErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

export interface Resolution<T extends FlagValue> {
  value: T;
  /** The variant served; absent when the caller's default was returned. */
  variant?: string;
  reason: Reason;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
  /** Which rule matched (0-based), for TARGETING_MATCH by a rule. */
  ruleIndex?: number;
  /** What matched, in words: the rule's description (or its conditions), or the targeting list. */
  rule?: string;
  /** The targeting key's bucket (0–9999) when a split was consulted. */
  bucket?: number;
}

/** `false` → boolean, `'blue'` → string: a literal default must not narrow the value's type. */
type Widen<T extends FlagValue> = T extends boolean ? boolean : T extends string ? string : number;

export function evaluateFlag<T extends FlagValue>(document: unknown, key: string, defaultValue: T, context?: unknown): Resolution<Widen<T>> {
  const fallback = defaultValue as unknown as Widen<T>;
  try {
    return resolve(document, key, fallback, context);
  } catch (error) {
    // Unreachable for any input we know of; the guarantee "never throws" must not rest on that.
    return failure(fallback, 'GENERAL', `evaluating "${typeof key === 'string' ? key : typeof key}" failed: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
}

function resolve<T extends FlagValue>(document: unknown, key: string, defaultValue: T, context: unknown): Resolution<T> {
  if (!isObject(document) || document.version !== 1 || !isObject(document.flags)) {
    return failure(defaultValue, 'PARSE_ERROR', 'the flag document is not a sprout flag document ({ "version": 1, "flags": { … } })');
  }
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(document.flags, key)) {
    return failure(defaultValue, 'FLAG_NOT_FOUND', `no flag "${typeof key === 'string' ? key : typeof key}" in the document`);
  }
  const candidate: unknown = document.flags[key];
  const problems = validateFlag(key, candidate);
  if (problems.length > 0) return failure(defaultValue, 'PARSE_ERROR', `flag "${key}" is invalid: ${summarize(problems)}`);
  const flag = candidate as Flag;
  if (flag.type !== typeof defaultValue) {
    return failure(defaultValue, 'TYPE_MISMATCH', `flag "${key}" is a ${flag.type} flag, asked for a ${typeof defaultValue}`);
  }

  const serve = (variant: string, reason: Reason, extra: Partial<Resolution<T>> = {}): Resolution<T> => ({
    value: flag.variants[variant] as T,
    variant,
    reason,
    ...extra,
  });

  if (!flag.enabled) return serve(flag.offVariant, 'DISABLED');
  if (!readsContext(flag)) return serve(flag.defaultVariant, 'STATIC');

  const caller = readContext(context);
  if ('problem' in caller) return failure(defaultValue, 'INVALID_CONTEXT', caller.problem);
  const { attributes, targetingKey } = caller;

  if (targetingKey !== undefined) {
    for (const [variant, keys] of Object.entries(flag.targets ?? {})) {
      if (keys.includes(targetingKey)) return serve(variant, 'TARGETING_MATCH', { rule: `targeting key listed for "${variant}"` });
    }
  }

  const rules = flag.rules ?? [];
  for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
    const rule = rules[ruleIndex] as Rule;
    if (rule.conditions.every((condition) => conditionHolds(condition, attributes))) {
      return serve(rule.variant, 'TARGETING_MATCH', { ruleIndex, rule: rule.description ?? describeRule(rule) });
    }
  }

  if (splitShare(flag) > 0) {
    if (targetingKey === undefined) {
      return serve(flag.defaultVariant, 'DEFAULT', {
        errorCode: 'TARGETING_KEY_MISSING',
        errorMessage: `flag "${key}" splits users by targetingKey, and the context has none: serving its default variant`,
      });
    }
    const bucket = bucketOf(key, flag.salt, targetingKey);
    let upTo = 0;
    for (const variant of Object.keys(flag.variants)) {
      upTo += flag.split?.[variant] ?? 0;
      if (bucket < upTo) return serve(variant, 'SPLIT', { bucket });
    }
    return serve(flag.defaultVariant, 'DEFAULT', { bucket });
  }

  return serve(flag.defaultVariant, 'DEFAULT');
}

function failure<T extends FlagValue>(defaultValue: T, errorCode: EvaluationErrorCode, errorMessage: string): Resolution<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode, errorMessage };
}

/** Whether anything in an enabled flag depends on who asks. */
function readsContext(flag: Flag): boolean {
  const targeted = Object.values(flag.targets ?? {}).some((keys) => keys.length > 0);
  return targeted || (flag.rules ?? []).length > 0 || splitShare(flag) > 0;
}

function splitShare(flag: Flag): number {
  return Object.values(flag.split ?? {}).reduce((sum, points) => sum + points, 0);
}

type CallerContext = { attributes: Record<string, unknown>; targetingKey: string | undefined } | { problem: string };

/** No context is an empty one; an empty targetingKey is no targeting key. */
function readContext(context: unknown): CallerContext {
  if (context === undefined || context === null) return { attributes: {}, targetingKey: undefined };
  if (!isObject(context)) return { problem: `the evaluation context must be an object, not ${Array.isArray(context) ? 'a list' : typeof context}` };
  const targetingKey = Object.prototype.hasOwnProperty.call(context, 'targetingKey') ? context.targetingKey : undefined;
  if (targetingKey === undefined || targetingKey === null || targetingKey === '') return { attributes: context, targetingKey: undefined };
  if (typeof targetingKey !== 'string') return { problem: `targetingKey must be a string, not ${typeof targetingKey}` };
  return { attributes: context, targetingKey };
}

/** `country equals "DE" and plan in ["pro","team"]`: shown by `flags eval` when a rule has no description. */
export function describeRule(rule: Rule): string {
  return rule.conditions.map((c) => `${c.attribute} ${c.op} ${JSON.stringify(c.value)}`).join(' and ');
}

function summarize(problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}
