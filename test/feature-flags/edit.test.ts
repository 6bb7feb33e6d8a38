import { describe, expect, it } from 'vitest';

import { createFlag, deleteFlag, documentChanges, parseRule, reachesNobody, setFlag } from '../../src/feature-flags/edit.js';
import { emptyDocument, type FlagDocument, validateDocument } from '../../src/runtime/flags/model.js';

const withCheckout = (): FlagDocument => createFlag(emptyDocument(), { key: 'new-checkout', type: 'boolean', description: 'One-page checkout' });

describe('createFlag', () => {
  it('creates a boolean flag that is off, and valid', () => {
    const document = withCheckout();
    expect(document.flags['new-checkout']).toEqual({
      description: 'One-page checkout',
      enabled: false,
      type: 'boolean',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      offVariant: 'off',
      salt: 'new-checkout',
    });
    expect(validateDocument(document)).toEqual([]);
  });

  it('creates string and number flags from name=value variants', () => {
    const colour = createFlag(emptyDocument(), { key: 'button-colour', type: 'string', variants: ['control=blue', 'green=#0f0'] });
    expect(colour.flags['button-colour']).toMatchObject({ variants: { control: 'blue', green: '#0f0' }, defaultVariant: 'control', offVariant: 'control' });
    const size = createFlag(emptyDocument(), { key: 'page-size', type: 'number', variants: ['small=10', 'large=50'], defaultVariant: 'large' });
    expect(size.flags['page-size']).toMatchObject({ variants: { small: 10, large: 50 }, defaultVariant: 'large' });
  });

  it('refuses a duplicate (exit 3), a string flag without variants and a non-number (exit 2)', () => {
    expect(() => createFlag(withCheckout(), { key: 'new-checkout', type: 'boolean' })).toThrow(expect.objectContaining({ code: 'FLAG_EXISTS', exitCode: 3 }));
    expect(() => createFlag(emptyDocument(), { key: 'x', type: 'string' })).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => createFlag(emptyDocument(), { key: 'x', type: 'number', variants: ['a=lots'] })).toThrow(/must be a number/);
  });
});

describe('setFlag', () => {
  it('turns a flag on for a percentage, in basis points', () => {
    const flag = setFlag(withCheckout(), 'new-checkout', { enabled: true, percent: 25 }).flags['new-checkout']!;
    expect(flag.enabled).toBe(true);
    expect(flag.split).toEqual({ on: 2500 });
  });

  it('sets a split over variants and refuses one above 100% or with an unknown variant', () => {
    const colour = createFlag(emptyDocument(), { key: 'colour', type: 'string', variants: ['control=blue', 'green=green', 'red=red'] });
    expect(setFlag(colour, 'colour', { split: 'control=50,green=25,red=25' }).flags.colour!.split).toEqual({ control: 5000, green: 2500, red: 2500 });
    expect(() => setFlag(colour, 'colour', { split: 'control=60,green=50' })).toThrow(/more than 100%/);
    expect(() => setFlag(colour, 'colour', { split: 'purple=10' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_VARIANT' }));
    expect(() => setFlag(colour, 'colour', { percent: 10 })).toThrow(/--percent is for boolean flags/);
  });

  it('moves a targeting key to its new variant and removes emptied lists', () => {
    let document = setFlag(withCheckout(), 'new-checkout', { targets: ['alice=on', 'bob=on'] });
    document = setFlag(document, 'new-checkout', { targets: ['alice=off'] });
    expect(document.flags['new-checkout']!.targets).toEqual({ on: ['bob'], off: ['alice'] });
    document = setFlag(document, 'new-checkout', { untarget: ['alice'] });
    expect(document.flags['new-checkout']!.targets).toEqual({ on: ['bob'] });
  });

  it('replaces the rules, in order, and clears them', () => {
    const document = setFlag(withCheckout(), 'new-checkout', { rules: ['country in DE,AT => on', 'plan equals premium and appVersion semver-gte 2.1.0 => on'] });
    expect(document.flags['new-checkout']!.rules!.map((r) => r.conditions)).toEqual([
      [{ attribute: 'country', op: 'in', value: ['DE', 'AT'] }],
      [
        { attribute: 'plan', op: 'equals', value: 'premium' },
        { attribute: 'appVersion', op: 'semver-gte', value: '2.1.0' },
      ],
    ]);
    expect(setFlag(document, 'new-checkout', { clearRules: true }).flags['new-checkout']!.rules).toBeUndefined();
  });

  it('leaves its input untouched', () => {
    const before = withCheckout();
    const copy = structuredClone(before);
    setFlag(before, 'new-checkout', { enabled: true, percent: 10, targets: ['a=on'] });
    expect(before).toEqual(copy);
  });

  it('suggests the flag meant for a missing key (exit 3)', () => {
    expect(() => setFlag(withCheckout(), 'new-chekout', { enabled: true })).toThrow(expect.objectContaining({ code: 'FLAG_NOT_FOUND', exitCode: 3, suggestions: expect.arrayContaining(['Did you mean "new-checkout"?']) }));
  });
});

describe('parseRule', () => {
  const flag = withCheckout().flags['new-checkout']!;
  it('reads numbers as numbers, except for string and version operators', () => {
    expect(parseRule('age gte 18 => on', flag, 'k').conditions).toEqual([{ attribute: 'age', op: 'gte', value: 18 }]);
    expect(parseRule('zip starts-with 10 => on', flag, 'k').conditions).toEqual([{ attribute: 'zip', op: 'starts-with', value: '10' }]);
    expect(parseRule('v semver-gt 2.0.0 => on', flag, 'k').conditions[0]!.value).toBe('2.0.0');
  });

  it('refuses a rule without "=>", an unknown operator (suggesting one) and an unknown variant', () => {
    expect(() => parseRule('country in DE', flag, 'k')).toThrow(expect.objectContaining({ code: 'INVALID_RULE' }));
    expect(() => parseRule('country inn DE => on', flag, 'k')).toThrow(expect.objectContaining({ suggestions: ['Did you mean in?'] }));
    expect(() => parseRule('country in DE => maybe', flag, 'k')).toThrow(expect.objectContaining({ code: 'UNKNOWN_VARIANT' }));
  });
});

describe('deleteFlag', () => {
  it('first marks the flag deprecated, and removes it with force', () => {
    const now = new Date('2026-11-26T10:00:00.000Z');
    const marked = deleteFlag(withCheckout(), 'new-checkout', { force: false, now, reason: 'shipped' });
    expect(marked.flags['new-checkout']!.deprecated).toEqual({ since: '2026-11-26T10:00:00.000Z', reason: 'shipped' });
    expect(deleteFlag(marked, 'new-checkout', { force: true, now }).flags).toEqual({});
  });
});

describe('documentChanges', () => {
  it('lists each changed field with its old and new value', () => {
    const before = withCheckout();
    const after = setFlag(before, 'new-checkout', { enabled: true, percent: 25 });
    expect(documentChanges(before, after)).toEqual(['flags.new-checkout.enabled: false → true', 'flags.new-checkout.split: (none) → {"on":2500}']);
    expect(documentChanges(before, before)).toEqual([]);
  });
});

describe('reachesNobody', () => {
  it('spots an enabled boolean flag that still serves off to everyone', () => {
    const on = setFlag(withCheckout(), 'new-checkout', { enabled: true });
    expect(reachesNobody(on.flags['new-checkout']!)).toBe(true);
    expect(reachesNobody(setFlag(on, 'new-checkout', { percent: 100 }).flags['new-checkout']!)).toBe(false);
    expect(reachesNobody(setFlag(on, 'new-checkout', { targets: ['alice=on'] }).flags['new-checkout']!)).toBe(false);
    expect(reachesNobody(setFlag(on, 'new-checkout', { rules: ['country equals DE => on'] }).flags['new-checkout']!)).toBe(false);
    expect(reachesNobody(withCheckout().flags['new-checkout']!)).toBe(false);
  });
});
