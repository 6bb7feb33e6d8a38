// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * Whether one rule condition holds for an evaluation context. Pure, no dependency.
 *
 * The decisions, each tested in test/runtime/flags/conditions.test.ts:
 * - Context values that count are strings, finite numbers and booleans. Anything else (null, an
 *   object, a list, a Date, NaN) is treated as a MISSING attribute.
 * - A missing attribute never matches, whatever the operator — `not-equals` and `not-in` included.
 *   A rule "country not-in [DE, FR]" must not catch a caller that did not say its country at all
 *   (LaunchDarkly behaves the same way). To target "everyone else", rely on the default variant.
 * - equals / in: the same value of the same type; when the types differ, a number and a numeric
 *   string compare as numbers (42 equals "42", "42.0") and anything else compares by its text
 *   (true equals "true"): contexts often arrive as text, e.g. `--context plan=3,beta=true`.
 *   Text comparison is exact: case-sensitive, no trimming.
 * - starts-with / ends-with: on the text of both sides (a number attribute 4211 starts with "42").
 * - gt / gte / lt / lte: both sides must be numbers or numeric strings; otherwise no match.
 * - semver-*: the attribute must be a version string (see parseSemver); compared by semver 2.0
 *   precedence, build metadata ignored.
 */

import { type Condition, type FlagValue, type Operator, parseNumber, parseSemver } from './model.js';

type Scalar = string | number | boolean;

export function conditionHolds(condition: Condition, context: Record<string, unknown>): boolean {
  const actual = attributeOf(context, condition.attribute);
  if (actual === undefined) return false;
  const expected = condition.value;
  switch (condition.op) {
    case 'equals':
      return isScalar(expected) && sameValue(actual, expected);
    case 'not-equals':
      return isScalar(expected) && !sameValue(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((candidate) => isScalar(candidate) && sameValue(actual, candidate));
    case 'not-in':
      return Array.isArray(expected) && !expected.some((candidate) => isScalar(candidate) && sameValue(actual, candidate));
    case 'starts-with':
      return isScalar(expected) && String(actual).startsWith(String(expected));
    case 'ends-with':
      return isScalar(expected) && String(actual).endsWith(String(expected));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareWith(condition.op, compareNumbers(actual, expected));
    case 'semver-eq':
    case 'semver-gt':
    case 'semver-gte':
    case 'semver-lt':
    case 'semver-lte':
      return compareWith(condition.op, compareVersions(actual, expected));
    default:
      return false;
  }
}

/** The context's own value for an attribute, or undefined when it has none that a rule can use. */
function attributeOf(context: Record<string, unknown>, attribute: string): Scalar | undefined {
  // Own properties only: "constructor" or "__proto__" must not be found on Object.prototype.
  if (!Object.prototype.hasOwnProperty.call(context, attribute)) return undefined;
  const value = context[attribute];
  return isScalar(value) ? value : undefined;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** equals, with the cross-type rules described above. */
export function sameValue(a: Scalar, b: Scalar): boolean {
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = parseNumber(a);
    const y = parseNumber(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  return String(a) === String(b);
}

/** Negative, zero or positive like a sort comparator; undefined when the two cannot be compared. */
type Comparison = number | undefined;

function compareNumbers(actual: Scalar, expected: FlagValue | FlagValue[]): Comparison {
  const x = parseNumber(actual);
  const y = parseNumber(expected);
  return x === undefined || y === undefined ? undefined : Math.sign(x - y);
}

function compareVersions(actual: Scalar, expected: FlagValue | FlagValue[]): Comparison {
  if (typeof actual !== 'string' || typeof expected !== 'string') return undefined;
  const a = parseSemver(actual);
  const b = parseSemver(expected);
  return a && b ? compareSemver(a, b) : undefined;
}

function compareWith(op: Operator, comparison: Comparison): boolean {
  if (comparison === undefined) return false;
  switch (op.replace(/^semver-/, '')) {
    case 'gt':
      return comparison > 0;
    case 'gte':
      return comparison >= 0;
    case 'lt':
      return comparison < 0;
    case 'lte':
      return comparison <= 0;
    default: // semver-eq
      return comparison === 0;
  }
}

type Version = NonNullable<ReturnType<typeof parseSemver>>;

/**
 * Semver 2.0 precedence (§11): major, minor, patch numerically; then a version without a
 * prerelease ranks above one with it (1.0.0-rc.1 < 1.0.0); then prerelease identifiers left to
 * right: numeric ones numerically, alphanumeric ones in ASCII order, numeric below alphanumeric,
 * and a shorter list below a longer one that starts the same (1.0.0-alpha < 1.0.0-alpha.1).
 */
export function compareSemver(a: Version, b: Version): number {
  const core = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core !== 0) return core;
  if (a.pre.length === 0 || b.pre.length === 0) return Math.sign(b.pre.length - a.pre.length);
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const order = compareIdentifiers(a.pre[i] ?? '', b.pre[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

function compareIdentifiers(x: string, y: string): number {
  const xNumeric = /^\d+$/.test(x);
  const yNumeric = /^\d+$/.test(y);
  if (xNumeric && yNumeric) return compareDigits(x, y);
  if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares digit strings of any length (prerelease numbers can exceed 2^53). */
function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return Math.sign(a.length - b.length);
  return a < b ? -1 : a > b ? 1 : 0;
}
