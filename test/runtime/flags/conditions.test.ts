import { describe, expect, it } from 'vitest';

import { compareSemver, conditionHolds, sameValue } from '../../../src/runtime/flags/conditions.js';
import { type Condition, type FlagValue, type Operator, parseSemver } from '../../../src/runtime/flags/model.js';

const holds = (op: Operator, value: FlagValue | FlagValue[], attribute: unknown) => conditionHolds({ attribute: 'a', op, value }, { a: attribute });

describe('equals / not-equals', () => {
  it('compares values of the same type exactly (case-sensitive, no trimming)', () => {
    expect(holds('equals', 'DE', 'DE')).toBe(true);
    expect(holds('equals', 'DE', 'de')).toBe(false);
    expect(holds('equals', 'DE', ' DE')).toBe(false);
    expect(holds('equals', 3, 3)).toBe(true);
    expect(holds('equals', true, false)).toBe(false);
    expect(holds('not-equals', 'DE', 'FR')).toBe(true);
    expect(holds('not-equals', 'DE', 'DE')).toBe(false);
  });

  it('compares a number with a numeric string as numbers', () => {
    expect(holds('equals', 42, '42')).toBe(true);
    expect(holds('equals', '42', 42)).toBe(true);
    expect(holds('equals', 42, '42.0')).toBe(true);
    expect(holds('equals', 42, '4.2e1')).toBe(true);
    expect(holds('equals', 42, '43')).toBe(false);
    expect(holds('not-equals', 42, '42')).toBe(false);
  });

  it('compares other mixed types by their text', () => {
    expect(holds('equals', true, 'true')).toBe(true);
    expect(holds('equals', 'false', false)).toBe(true);
    expect(holds('equals', true, 'TRUE')).toBe(false);
    expect(holds('equals', 1, true)).toBe(false);
    expect(sameValue(1, 'one')).toBe(false);
  });
});

describe('in / not-in', () => {
  it('matches when the attribute equals one of the list, with the same comparison as equals', () => {
    expect(holds('in', ['DE', 'FR'], 'FR')).toBe(true);
    expect(holds('in', ['DE', 'FR'], 'IT')).toBe(false);
    expect(holds('in', [1, 2, 3], '2')).toBe(true);
    expect(holds('in', [], 'DE')).toBe(false);
    expect(holds('not-in', ['DE', 'FR'], 'IT')).toBe(true);
    expect(holds('not-in', ['DE', 'FR'], 'DE')).toBe(false);
    expect(holds('not-in', [], 'DE')).toBe(true);
  });

  it('never matches when the value is not a list', () => {
    expect(holds('in', 'DE', 'DE')).toBe(false);
    expect(holds('not-in', 'DE', 'FR')).toBe(false);
  });
});

describe('starts-with / ends-with', () => {
  it('work on the text of both sides', () => {
    expect(holds('starts-with', 'admin-', 'admin-bob')).toBe(true);
    expect(holds('starts-with', 'admin-', 'bob')).toBe(false);
    expect(holds('ends-with', '@example.com', 'ann@example.com')).toBe(true);
    expect(holds('ends-with', '@example.com', 'ann@example.org')).toBe(false);
    expect(holds('starts-with', '42', 4211)).toBe(true);
    expect(holds('ends-with', 'ue', true)).toBe(true);
  });
});

describe('gt / gte / lt / lte', () => {
  it('compare numbers, and numeric strings on either side', () => {
    expect(holds('gt', 18, 19)).toBe(true);
    expect(holds('gt', 18, 18)).toBe(false);
    expect(holds('gte', 18, 18)).toBe(true);
    expect(holds('lt', 18, 17.5)).toBe(true);
    expect(holds('lt', 18, 18)).toBe(false);
    expect(holds('lte', 18, 18)).toBe(true);
    expect(holds('gt', '18', '19')).toBe(true);
    expect(holds('lte', 10, '9')).toBe(true); // numerically, not as text ("9" > "10")
  });

  it('never match what is not a number', () => {
    expect(holds('gt', 18, 'old')).toBe(false);
    expect(holds('lt', 18, '')).toBe(false);
    expect(holds('gte', 18, true)).toBe(false);
    expect(holds('lte', 'abc', 1)).toBe(false);
  });
});

describe('semver-*', () => {
  it('compare versions by precedence, not as text', () => {
    expect(holds('semver-gte', '2.1.0', '2.10.0')).toBe(true);
    expect(holds('semver-gt', '2.1.0', '2.1.0')).toBe(false);
    expect(holds('semver-gte', '2.1.0', '2.1.0')).toBe(true);
    expect(holds('semver-lt', '2.1.0', '2.0.9')).toBe(true);
    expect(holds('semver-lte', '2.1.0', '2.1.1')).toBe(false);
    expect(holds('semver-eq', '2.1.0', 'v2.1.0+build.7')).toBe(true);
    expect(holds('semver-eq', '2.1.0', '2.1.0-rc.1')).toBe(false);
  });

  it('never match an attribute that is not a version string', () => {
    expect(holds('semver-gte', '2.1.0', 'latest')).toBe(false);
    expect(holds('semver-gte', '2.1.0', 3)).toBe(false);
    expect(holds('semver-gte', 'not-a-version', '3.0.0')).toBe(false);
  });

  it('orders prereleases as semver 2.0 §11 does', () => {
    // The example from the spec, in ascending order.
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    const versions = ordered.map((v) => parseSemver(v)!);
    for (let i = 0; i < versions.length; i++) {
      for (let j = 0; j < versions.length; j++) {
        expect(compareSemver(versions[i]!, versions[j]!), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('compares long numeric prerelease identifiers exactly', () => {
    expect(compareSemver(parseSemver('1.0.0-99999999999999999998')!, parseSemver('1.0.0-99999999999999999999')!)).toBe(-1);
    expect(compareSemver(parseSemver('1.0.0-10')!, parseSemver('1.0.0-9')!)).toBe(1);
    expect(compareSemver(parseSemver('1.0.0-2')!, parseSemver('1.0.0-10a')!)).toBe(-1); // numeric ranks below alphanumeric
  });
});

describe('a missing attribute never matches, whatever the operator', () => {
  const conditions: Condition[] = [
    { attribute: 'country', op: 'equals', value: 'DE' },
    { attribute: 'country', op: 'not-equals', value: 'DE' },
    { attribute: 'country', op: 'in', value: ['DE'] },
    { attribute: 'country', op: 'not-in', value: ['DE'] },
    { attribute: 'country', op: 'starts-with', value: '' },
    { attribute: 'country', op: 'ends-with', value: '' },
    { attribute: 'country', op: 'gt', value: 0 },
    { attribute: 'country', op: 'lte', value: 0 },
    { attribute: 'country', op: 'semver-gte', value: '0.0.0' },
  ];

  it.each(conditions)('$op with no such attribute', (condition) => {
    expect(conditionHolds(condition, {})).toBe(false);
  });

  it.each([
    { kind: 'null', value: null },
    { kind: 'undefined', value: undefined },
    { kind: 'an object', value: { code: 'DE' } },
    { kind: 'a list', value: ['DE'] },
    { kind: 'a Date', value: new Date(0) },
    { kind: 'NaN', value: NaN },
    { kind: 'Infinity', value: Infinity },
  ])('$kind counts as missing', ({ value }) => {
    for (const condition of conditions) expect(conditionHolds(condition, { country: value })).toBe(false);
  });

  it('reads only the context’s own properties, not Object.prototype', () => {
    expect(conditionHolds({ attribute: 'constructor', op: 'not-equals', value: 'x' }, {})).toBe(false);
    expect(conditionHolds({ attribute: 'toString', op: 'starts-with', value: '' }, {})).toBe(false);
  });
});
