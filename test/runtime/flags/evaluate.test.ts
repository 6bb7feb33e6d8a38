import { describe, expect, it } from 'vitest';

import { bucketOf } from '../../../src/runtime/flags/bucket.js';
import { evaluateFlag } from '../../../src/runtime/flags/evaluate.js';
import { type Flag, type FlagDocument, newBooleanFlag } from '../../../src/runtime/flags/model.js';

const doc = (flags: Record<string, Flag>): FlagDocument => ({ version: 1, flags });

const theme: Flag = {
  description: 'Checkout colour scheme',
  enabled: true,
  type: 'string',
  variants: { classic: 'classic', bold: 'bold', calm: 'calm' },
  defaultVariant: 'classic',
  offVariant: 'classic',
  salt: 'theme-2024',
  targets: { bold: ['tester-1', 'tester-2'] },
  rules: [
    { conditions: [{ attribute: 'country', op: 'equals', value: 'DE' }, { attribute: 'plan', op: 'in', value: ['pro', 'team'] }], variant: 'calm', description: 'German paying customers' },
    { conditions: [{ attribute: 'appVersion', op: 'semver-lt', value: '2.0.0' }], variant: 'classic' },
  ],
};

/** A boolean flag on for `percent` of users. */
const rollout = (percent: number, salt = 'rollout'): Flag => ({ ...newBooleanFlag('rollout'), enabled: true, salt, split: { on: percent * 100 } });

/** The first targeting key user-<n> whose bucket for a flag satisfies `test`. */
function userWhoseBucket(test: (bucket: number) => boolean, flagKey = 'rollout', salt = 'rollout'): string {
  for (let n = 0; ; n++) if (test(bucketOf(flagKey, salt, `user-${n}`))) return `user-${n}`;
}

describe('evaluateFlag, step by step', () => {
  it('1. a document that is not a flag document → the default, PARSE_ERROR', () => {
    for (const bad of [undefined, null, 'flags', [], { flags: {} }, { version: 2, flags: {} }, { version: 1, flags: [] }]) {
      expect(evaluateFlag(bad, 'theme', 'fallback')).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    }
  });

  it('2. no such flag → the default, FLAG_NOT_FOUND (inherited properties are not flags)', () => {
    expect(evaluateFlag(doc({ theme }), 'missing', 'fallback')).toEqual({
      value: 'fallback',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: 'no flag "missing" in the document',
    });
    expect(evaluateFlag(doc({}), 'constructor', false)).toMatchObject({ value: false, errorCode: 'FLAG_NOT_FOUND' });
    expect(evaluateFlag(doc({}), '__proto__', false)).toMatchObject({ value: false, errorCode: 'FLAG_NOT_FOUND' });
  });

  it('3. an invalid flag → the default, PARSE_ERROR naming the problem', () => {
    const broken = { ...theme, defaultVariant: 'neon' };
    const resolution = evaluateFlag(doc({ theme: broken }), 'theme', 'fallback', { targetingKey: 'u' });
    expect(resolution).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(resolution.errorMessage).toContain('flags.theme.defaultVariant');
  });

  it('4. a flag of another type than the default → the default, TYPE_MISMATCH', () => {
    expect(evaluateFlag(doc({ theme }), 'theme', false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(evaluateFlag(doc({ theme }), 'theme', 7).errorMessage).toBe('flag "theme" is a string flag, asked for a number');
  });

  it('5. disabled → offVariant, DISABLED, whatever the targeting', () => {
    const off = { ...theme, enabled: false, offVariant: 'calm' };
    expect(evaluateFlag(doc({ theme: off }), 'theme', 'fallback', { targetingKey: 'tester-1', country: 'DE', plan: 'pro' })).toEqual({ value: 'calm', variant: 'calm', reason: 'DISABLED' });
  });

  it('6. an enabled flag with no targets, rules or split → defaultVariant, STATIC (no context needed)', () => {
    const on = { ...newBooleanFlag('kill-switch'), enabled: true, defaultVariant: 'on' };
    expect(evaluateFlag(doc({ 'kill-switch': on }), 'kill-switch', false)).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
    // Empty targeting lists and an all-zero split do not read the context either.
    const inert = { ...on, targets: { on: [] }, split: { on: 0 } };
    expect(evaluateFlag(doc({ 'kill-switch': inert }), 'kill-switch', false, 'not a context')).toMatchObject({ reason: 'STATIC' });
  });

  it('7. a context that is not an object, or a targetingKey that is not a string → the default, INVALID_CONTEXT', () => {
    for (const context of ['user-1', 42, ['a'], true]) {
      expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', context)).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
    }
    expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', { targetingKey: 42 })).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorMessage: 'targetingKey must be a string, not number' });
  });

  it('8. a listed targeting key → its variant, TARGETING_MATCH, before any rule', () => {
    expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', { targetingKey: 'tester-2', country: 'DE', plan: 'pro' })).toEqual({
      value: 'bold',
      variant: 'bold',
      reason: 'TARGETING_MATCH',
      rule: 'targeting key listed for "bold"',
    });
  });

  it('9. the first rule whose conditions ALL hold → its variant, TARGETING_MATCH with ruleIndex and rule', () => {
    expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', { targetingKey: 'u', country: 'DE', plan: 'team', appVersion: '1.0.0' })).toEqual({
      value: 'calm',
      variant: 'calm',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
      rule: 'German paying customers',
    });
    // Only one of rule 0's two conditions holds: rule 1 (described by its conditions) wins.
    expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', { country: 'DE', plan: 'free', appVersion: '1.9.9' })).toMatchObject({
      value: 'classic',
      ruleIndex: 1,
      rule: 'appVersion semver-lt "2.0.0"',
    });
  });

  it('10. a split → the variant whose cumulative share holds the bucket, in the order of variants, SPLIT', () => {
    const split: Flag = { ...theme, targets: undefined, rules: undefined, split: { calm: 2000, bold: 3000 } };
    // Variants are in the order classic, bold, calm: bold takes buckets 0–2999, calm 3000–4999.
    const boldUser = userWhoseBucket((b) => b < 3000, 'theme', split.salt);
    const calmUser = userWhoseBucket((b) => b >= 3000 && b < 5000, 'theme', split.salt);
    const restUser = userWhoseBucket((b) => b >= 5000, 'theme', split.salt);
    const at = (user: string) => evaluateFlag(doc({ theme: split }), 'theme', 'fallback', { targetingKey: user });
    expect(at(boldUser)).toEqual({ value: 'bold', variant: 'bold', reason: 'SPLIT', bucket: bucketOf('theme', split.salt, boldUser) });
    expect(at(calmUser)).toMatchObject({ value: 'calm', reason: 'SPLIT' });
    // What the split leaves over gets the default variant.
    expect(at(restUser)).toMatchObject({ value: 'classic', variant: 'classic', reason: 'DEFAULT', bucket: bucketOf('theme', split.salt, restUser) });
  });

  it('10. a split without a targeting key → the FLAG’s default variant, DEFAULT with TARGETING_KEY_MISSING', () => {
    for (const context of [undefined, null, {}, { targetingKey: '' }, { country: 'DE' }]) {
      expect(evaluateFlag(doc({ rollout: rollout(100) }), 'rollout', true, context)).toEqual({
        value: false,
        variant: 'off',
        reason: 'DEFAULT',
        errorCode: 'TARGETING_KEY_MISSING',
        errorMessage: 'flag "rollout" splits users by targetingKey, and the context has none: serving its default variant',
      });
    }
  });

  it('11. targeting that matches nobody and no split → defaultVariant, DEFAULT', () => {
    expect(evaluateFlag(doc({ theme }), 'theme', 'fallback', { targetingKey: 'someone', country: 'FR', appVersion: '3.0.0' })).toEqual({
      value: 'classic',
      variant: 'classic',
      reason: 'DEFAULT',
    });
  });

  it('serves 0% to nobody and 100% to everybody', () => {
    for (let n = 0; n < 200; n++) {
      expect(evaluateFlag(doc({ rollout: rollout(0) }), 'rollout', true, { targetingKey: `user-${n}` }).value).toBe(false);
      expect(evaluateFlag(doc({ rollout: rollout(100) }), 'rollout', false, { targetingKey: `user-${n}` }).value).toBe(true);
    }
  });

  it('is sticky: the same key gets the same answer every time', () => {
    const user = userWhoseBucket((b) => b < 2500);
    for (let i = 0; i < 5; i++) expect(evaluateFlag(doc({ rollout: rollout(25) }), 'rollout', false, { targetingKey: user })).toMatchObject({ value: true, reason: 'SPLIT' });
  });

  it('widens a literal default: the value type is the flag type', () => {
    const resolution = evaluateFlag(doc({ theme }), 'theme', 'classic' as const, { targetingKey: 'tester-1' });
    const value: string = resolution.value;
    expect(value).toBe('bold');
  });
});
