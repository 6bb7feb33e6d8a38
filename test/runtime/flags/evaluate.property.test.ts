import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { evaluateFlag } from '../../../src/runtime/flags/evaluate.js';
import { type Flag, type FlagDocument, newBooleanFlag } from '../../../src/runtime/flags/model.js';

const KEYS = 100_000;

const rollout = (basisPoints: number, salt: string, key = 'rollout'): FlagDocument => ({
  version: 1,
  flags: { [key]: { ...newBooleanFlag(key), enabled: true, salt, split: { on: basisPoints } } },
});

const isOn = (document: FlagDocument, targetingKey: string, key = 'rollout') => evaluateFlag(document, key, false, { targetingKey }).value;

/** `count` distinct random targeting keys (UUIDs), drawn from fast-check's generator. */
const randomKeys = (count: number) => fc.sample(fc.uuid(), count);

const garbage = fc.anything({
  withNullPrototype: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withSparseArray: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
});

describe('evaluateFlag properties', () => {
  it('a 25% split gives the feature to 25% ± 1% of 100,000 random targeting keys', () => {
    const document = rollout(2500, 'salt-25');
    const on = randomKeys(KEYS).filter((key) => isOn(document, key)).length;
    expect(Math.abs(on / KEYS - 0.25)).toBeLessThan(0.01);
  });

  it('raising a percentage never takes the feature away from anyone who had it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (targetingKey, salt, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          if (isOn(rollout(low, salt), targetingKey)) expect(isOn(rollout(high, salt), targetingKey)).toBe(true);
          // Equivalently: whoever is off at the higher share is off at the lower one.
          if (!isOn(rollout(high, salt), targetingKey)) expect(isOn(rollout(low, salt), targetingKey)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('raising the first variant’s share of a multi-variant split only moves users into it', () => {
    const flag = (first: number): FlagDocument => ({
      version: 1,
      flags: {
        exp: { enabled: true, type: 'string', variants: { a: 'a', b: 'b', control: 'control' }, defaultVariant: 'control', offVariant: 'control', salt: 's', split: { a: first, b: 2000 } },
      },
    });
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 }), (targetingKey, x, y) => {
        const [low, high] = x <= y ? [x, y] : [y, x];
        const before = evaluateFlag(flag(low), 'exp', '', { targetingKey }).value;
        const after = evaluateFlag(flag(high), 'exp', '', { targetingKey }).value;
        expect(before === 'a' ? after === 'a' : true).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('two flags with different salts assign independently (|phi| < 0.02 over 100,000 keys at 50%)', () => {
    const keys = randomKeys(KEYS);
    const phi = (saltA: string, saltB: string) => {
      const a = rollout(5000, saltA);
      const b = rollout(5000, saltB);
      const n = [
        [0, 0],
        [0, 0],
      ] as [[number, number], [number, number]];
      for (const key of keys) n[Number(isOn(a, key))]![Number(isOn(b, key))]! += 1;
      const [[n00, n01], [n10, n11]] = n;
      return (n11 * n00 - n10 * n01) / Math.sqrt((n10 + n11) * (n00 + n01) * (n01 + n11) * (n00 + n10));
    };
    expect(Math.abs(phi('salt-a', 'salt-b'))).toBeLessThan(0.02);
    expect(phi('same-salt', 'same-salt')).toBe(1); // the measure sees a correlation when there is one
  });

  it('garbage for document, key and context returns the default with an error reason, and never throws', () => {
    fc.assert(
      fc.property(garbage, garbage, garbage, fc.constantFrom<boolean | string | number>(false, true, '', 'fallback', 0, 42), (document, key, context, fallback) => {
        const resolution = evaluateFlag(document, key as string, fallback, context);
        expect(resolution.value).toBe(fallback);
        expect(resolution.reason).toBe('ERROR');
        expect(resolution.errorCode).toMatch(/^(PARSE_ERROR|FLAG_NOT_FOUND)$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('a garbage flag in a valid document is a PARSE_ERROR, never a throw', () => {
    fc.assert(
      fc.property(garbage, (flag) => {
        expect(evaluateFlag({ version: 1, flags: { f: flag } }, 'f', 'fallback', { targetingKey: 'u' })).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'PARSE_ERROR' });
      }),
      { numRuns: 2000 },
    );
  });

  it('a garbage context on a valid targeted flag gives a value of the flag’s type, or INVALID_CONTEXT', () => {
    const targeted: Flag = {
      ...newBooleanFlag('f'),
      enabled: true,
      targets: { on: ['tester'] },
      rules: [{ conditions: [{ attribute: 'country', op: 'not-in', value: ['DE'] }], variant: 'on' }],
      split: { on: 5000 },
    };
    fc.assert(
      fc.property(garbage, (context) => {
        const resolution = evaluateFlag({ version: 1, flags: { f: targeted } }, 'f', false, context);
        expect(typeof resolution.value).toBe('boolean');
        if (resolution.reason === 'ERROR') expect(resolution.errorCode).toBe('INVALID_CONTEXT');
      }),
      { numRuns: 2000 },
    );
  });
});
