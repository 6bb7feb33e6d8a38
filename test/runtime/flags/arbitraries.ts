// fast-check generators of VALID flags and documents (validateDocument finds nothing wrong with them).
import fc from 'fast-check';

import { type Condition, type Flag, type FlagDocument, type FlagValue, OPERATORS } from '../../../src/runtime/flags/model.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
export const flagKey = fc.stringMatching(/^[a-z][a-zA-Z\d_-]{0,63}$/);
/** Any text, astral characters included (each may become a surrogate pair at a chunk boundary). */
const text = fc.string({ unit: 'grapheme', maxLength: 60 });
const scalar: fc.Arbitrary<FlagValue> = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());

const condition: fc.Arbitrary<Condition> = fc.constantFrom(...OPERATORS).chain((op): fc.Arbitrary<Condition> => {
  const attribute = fc.string({ minLength: 1, maxLength: 20 });
  if (op === 'in' || op === 'not-in') return fc.record({ attribute, op: fc.constant(op), value: fc.array(scalar, { maxLength: 5 }) });
  if (op.startsWith('semver-')) {
    const version = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.constantFrom('alpha', 'rc.1', 'beta.2'), { nil: undefined }));
    return fc.record({ attribute, op: fc.constant(op), value: version.map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`) });
  }
  if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') return fc.record({ attribute, op: fc.constant(op), value: fc.integer() });
  return fc.record({ attribute, op: fc.constant(op), value: scalar });
});

/** Shares in basis points whose total is at most 10,000. */
const shares = (variants: string[]) =>
  fc.array(fc.nat(10_000), { minLength: variants.length, maxLength: variants.length }).map((raw) => {
    const total = raw.reduce((sum, n) => sum + n, 0);
    const scale = total > 10_000 ? 10_000 / total : 1;
    return Object.fromEntries(variants.map((variant, i) => [variant, Math.floor((raw[i] ?? 0) * scale)]));
  });

export const flag: fc.Arbitrary<Flag> = fc
  .oneof(
    fc.constant({ type: 'boolean' as const, variants: { on: true, off: false } as Record<string, FlagValue> }),
    fc.uniqueArray(name, { minLength: 1, maxLength: 4 }).chain((names) =>
      fc.record({ type: fc.constant('string' as const), variants: fc.tuple(...names.map(() => text)).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]!]))) }),
    ),
    fc.uniqueArray(name, { minLength: 1, maxLength: 4 }).chain((names) =>
      fc.record({ type: fc.constant('number' as const), variants: fc.tuple(...names.map(() => fc.integer())).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]!]))) }),
    ),
  )
  .chain(({ type, variants }) => {
    const names = Object.keys(variants);
    const variant = fc.constantFrom(...names);
    return fc.record(
      {
        description: text,
        enabled: fc.boolean(),
        type: fc.constant(type),
        variants: fc.constant(variants),
        defaultVariant: variant,
        offVariant: variant,
        targets: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 10 }).chain((keys) =>
          fc.array(variant, { minLength: keys.length, maxLength: keys.length }).map((assigned) => {
            const targets: Record<string, string[]> = {};
            keys.forEach((key, i) => (targets[assigned[i]!] ??= []).push(key));
            return targets;
          }),
        ),
        rules: fc.array(fc.record({ conditions: fc.array(condition, { minLength: 1, maxLength: 3 }), variant, description: fc.option(text, { nil: undefined }) }, { requiredKeys: ['conditions', 'variant'] }), { maxLength: 3 }),
        split: shares(names),
        salt: fc.string({ minLength: 1, maxLength: 20 }),
        deprecated: fc.record({ since: fc.constant('2025-01-31'), reason: text }, { requiredKeys: ['since'] }),
      },
      { requiredKeys: ['enabled', 'type', 'variants', 'defaultVariant', 'offVariant', 'salt'] },
    );
  })
  // Optional fields that were left out must be absent, not undefined: JSON has no undefined.
  .map((generated) => JSON.parse(JSON.stringify(generated)) as Flag);

export const flagDocument = (maxFlags = 10): fc.Arbitrary<FlagDocument> =>
  fc.dictionary(flagKey, flag, { maxKeys: maxFlags, noNullPrototype: true }).map((flags) => ({ version: 1 as const, flags }));
