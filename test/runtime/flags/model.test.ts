import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { newBooleanFlag, parseNumber, parseSemver, validateDocument, validateFlag } from '../../../src/runtime/flags/model.js';

const ruleFlag = (condition: Record<string, unknown>) => ({ ...newBooleanFlag('f'), rules: [{ conditions: [condition], variant: 'on' }] });

describe('validateFlag', () => {
  it('accepts a new boolean flag', () => {
    expect(validateFlag('new-checkout', newBooleanFlag('new-checkout'))).toEqual([]);
  });

  it('never throws, even on values that cannot be turned into text', () => {
    const noPrototype = Object.create(null) as object;
    const hostile = { ...newBooleanFlag('f'), type: noPrototype, rules: [{ variant: 'on', conditions: [{ attribute: 'a', op: noPrototype, value: noPrototype }] }] };
    expect(validateFlag('f', hostile)).toEqual(expect.arrayContaining([expect.stringContaining('flags.f.type')]));
    expect(validateFlag('f', ruleFlag({ attribute: 'v', op: 'semver-gte', value: [noPrototype] }))).toEqual([
      expect.stringContaining('must be a single value'),
      expect.stringContaining('must be a version'),
    ]);
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }), (garbage) => {
        expect(Array.isArray(validateFlag('f', garbage))).toBe(true);
        expect(Array.isArray(validateDocument(garbage))).toBe(true);
        expect(Array.isArray(validateDocument({ version: 1, flags: { f: garbage } }))).toBe(true);
      }),
    );
  });

  it('refuses a numeric comparison with a value that is not a number, accepts a numeric string', () => {
    expect(validateFlag('f', ruleFlag({ attribute: 'age', op: 'gt', value: 'abc' }))).toEqual(['flags.f.rules.0.conditions.0.value: must be a number']);
    expect(validateFlag('f', ruleFlag({ attribute: 'age', op: 'gte', value: '18' }))).toEqual([]);
    expect(validateFlag('f', ruleFlag({ attribute: 'age', op: 'lt', value: 65 }))).toEqual([]);
  });

  it('refuses a semver condition whose value is not a version string', () => {
    expect(validateFlag('f', ruleFlag({ attribute: 'v', op: 'semver-gte', value: 2 }))).toEqual(['flags.f.rules.0.conditions.0.value: must be a version such as 2.1.0']);
    expect(validateFlag('f', ruleFlag({ attribute: 'v', op: 'semver-gte', value: '2.1.0-rc.1' }))).toEqual([]);
  });
});

describe('parseSemver', () => {
  it('reads major.minor.patch, a prerelease and ignores build metadata', () => {
    expect(parseSemver('2.1.0')).toEqual({ major: 2, minor: 1, patch: 0, pre: [] });
    expect(parseSemver('v1.0.0-rc.1+build.5')).toEqual({ major: 1, minor: 0, patch: 0, pre: ['rc', '1'] });
  });

  it('refuses empty prerelease or build identifiers (semver 2.0 §9, §10) and partial versions', () => {
    for (const bad of ['1.0.0-a..b', '1.0.0-', '1.0.0-a.', '1.0.0+', '1.0.0+a..b', '1.0', '1', 'x.y.z', '']) expect(parseSemver(bad), bad).toBeUndefined();
  });
});

describe('parseNumber', () => {
  it('takes finite numbers and decimal numeric strings only', () => {
    expect(parseNumber(42)).toBe(42);
    expect(parseNumber(' -1.5 ')).toBe(-1.5);
    expect(parseNumber('2e3')).toBe(2000);
    expect(parseNumber('.5')).toBe(0.5);
    for (const bad of ['', ' ', 'abc', '0x10', '1,5', 'Infinity', NaN, Infinity, true, null, undefined, [1]]) expect(parseNumber(bad), String(bad)).toBeUndefined();
  });
});
