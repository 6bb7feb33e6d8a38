import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { checkFeatureFlagsContent } from '../../../src/runtime/flags/appconfig-schema.js';
import {
  chunk,
  decodeAppConfig,
  decodeEnv,
  encodeAppConfig,
  encodeEnv,
  FlagCodecError,
  readAppConfigFlags,
  SPEC_CHUNK_LENGTH,
  SPROUT_FLAGS_VARIABLE,
} from '../../../src/runtime/flags/codec.js';
import { evaluateFlag } from '../../../src/runtime/flags/evaluate.js';
import { type Flag, type FlagDocument, newBooleanFlag, validateDocument } from '../../../src/runtime/flags/model.js';
import { flagDocument } from './arbitraries.js';

const newCheckout: Flag = {
  ...newBooleanFlag('new-checkout', 'The one-page checkout'),
  enabled: true,
  targets: { on: ['tester-1'] },
  rules: [{ conditions: [{ attribute: 'country', op: 'in', value: ['DE', 'AT'] }], variant: 'on', description: 'DACH first' }],
  split: { on: 2500 },
};
const theme: Flag = {
  enabled: false,
  type: 'string',
  variants: { classic: 'classic', bold: 'bold' },
  defaultVariant: 'classic',
  offVariant: 'classic',
  salt: 'theme',
  deprecated: { since: '2025-03-01', reason: 'bold won' },
};
const document: FlagDocument = { version: 1, flags: { 'new-checkout': newCheckout, theme } };

/** What AppConfigData GetLatestConfiguration returns for a hosted configuration (see codec.ts). */
function retrievalForm(hostedContent: string): Record<string, unknown> {
  const { values } = JSON.parse(hostedContent) as { values: Record<string, { enabled: boolean }> };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value.enabled ? value : { enabled: false }]));
}

describe('lambda-env codec', () => {
  it('stores the whole document as compact JSON in SPROUT_FLAGS', () => {
    expect(SPROUT_FLAGS_VARIABLE).toBe('SPROUT_FLAGS');
    const text = encodeEnv(document);
    expect(text).not.toMatch(/\n|": /);
    expect(decodeEnv(text)).toEqual(document);
  });

  it('refuses text that is not a JSON object', () => {
    expect(() => decodeEnv('{"version":1,')).toThrow(FlagCodecError);
    expect(() => decodeEnv('[1]')).toThrow(/must hold a JSON object/);
  });
});

describe('AppConfig codec: the hosted form', () => {
  it('encodes one flag as AppConfig name, description, deprecation, a spec attribute and its native enabled', () => {
    const content = JSON.parse(encodeAppConfig(document));
    expect(content.version).toBe('1');
    expect(content.flags.theme).toEqual({
      name: 'theme',
      _deprecation: { status: 'planned' },
      attributes: { spec: { description: expect.stringContaining('sprout'), constraints: { type: 'array', required: true, elements: { type: 'string' } } } },
    });
    expect(content.flags['new-checkout'].description).toBe('The one-page checkout');
    expect(content.values.theme.enabled).toBe(false);
    expect(content.values['new-checkout'].enabled).toBe(true);
    const { enabled: _enabled, ...specOfNewCheckout } = newCheckout;
    const spec = JSON.parse(content.values['new-checkout'].spec.join(''));
    expect(spec).not.toHaveProperty('enabled');
    expect(spec).toEqual(specOfNewCheckout);
  });

  it('round-trips: decode(encode(doc)) = doc, from text, bytes or parsed JSON', () => {
    const content = encodeAppConfig(document);
    expect(decodeAppConfig(content)).toEqual(document);
    expect(decodeAppConfig(new TextEncoder().encode(content))).toEqual(document);
    expect(decodeAppConfig(JSON.parse(content))).toEqual(document);
  });

  it('round-trips any valid document, and AppConfig would accept every encoding', () => {
    fc.assert(
      fc.property(flagDocument(12), (doc) => {
        const content = encodeAppConfig(doc);
        expect(checkFeatureFlagsContent(content)).toEqual([]);
        expect(decodeAppConfig(content)).toEqual(doc);
      }),
      { numRuns: 150 },
    );
  });

  it('encodes a flag with 500 targeting keys: the spec in ≤ 1000-character pieces, accepted, and decoded whole', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `customer-${String(i).padStart(5, '0')}@example.com`);
    const big: FlagDocument = { version: 1, flags: { beta: { ...newCheckout, targets: { on: keys } } } };
    const content = encodeAppConfig(big);
    const spec = JSON.parse(content).values.beta.spec as string[];
    expect(spec.length).toBeGreaterThan(10);
    expect(spec.every((piece) => piece.length <= SPEC_CHUNK_LENGTH)).toBe(true);
    expect(checkFeatureFlagsContent(content)).toEqual([]);
    expect(decodeAppConfig(content)).toEqual(big);
    expect(evaluateFlag(decodeAppConfig(retrievalForm(content)), 'beta', false, { targetingKey: keys[499] })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });

  it('keeps AppConfig’s enabled as the truth: switching a flag in the console switches it', () => {
    const content = JSON.parse(encodeAppConfig(document));
    content.values['new-checkout'].enabled = false;
    expect(decodeAppConfig(content).flags['new-checkout']!.enabled).toBe(false);
  });

  it('truncates a description longer than AppConfig’s 1024 characters there, and keeps it whole in the spec', () => {
    const long = 'é'.repeat(1500);
    const doc: FlagDocument = { version: 1, flags: { f: { ...newBooleanFlag('f'), description: long } } };
    const content = encodeAppConfig(doc);
    expect([...JSON.parse(content).flags.f.description]).toHaveLength(1024);
    expect(decodeAppConfig(content).flags.f!.description).toBe(long);
  });

  it('reads a flag made in the AppConfig console (no spec) as an incomplete flag that validation reports', () => {
    const consoleMade = { version: '1', flags: { 'kill-switch': { name: 'Kill switch', attributes: { threads: {} } } }, values: { 'kill-switch': { enabled: true, threads: 4 } } };
    const { document: decoded, switchedOff } = readAppConfigFlags(consoleMade);
    expect(decoded.flags['kill-switch']).toEqual({ enabled: true });
    expect(validateDocument(decoded)).toContain('flags.kill-switch.type: must be boolean, string or number');
    expect(evaluateFlag(decoded, 'kill-switch', false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(switchedOff).toEqual([]);
    // A hosted flag without any value is off.
    expect(decodeAppConfig({ version: '1', flags: { later: { name: 'later' } } }).flags.later).toEqual({ enabled: false });
  });

  it('refuses to encode what AppConfig would refuse (more than 100 flags)', () => {
    const flags = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`flag-${i}`, newBooleanFlag(`flag-${i}`)]));
    expect(() => encodeAppConfig({ version: 1, flags })).toThrow(/more than AppConfig's 100/);
  });
});

describe('AppConfig codec: the retrieval-time form (GetLatestConfiguration)', () => {
  it('decodes enabled flags whole, and disabled ones — which arrive without attributes — as switched off', () => {
    const retrieved = retrievalForm(encodeAppConfig(document));
    expect(retrieved).toEqual({ 'new-checkout': { enabled: true, spec: expect.any(Array) }, theme: { enabled: false } });
    const { document: decoded, switchedOff } = readAppConfigFlags(JSON.stringify(retrieved));
    expect(decoded.flags['new-checkout']).toEqual(newCheckout);
    expect(decoded.flags.theme).toEqual({ enabled: false });
    expect(switchedOff).toEqual(['theme']);
  });

  it('tells a flag named "version" from the hosted form’s version', () => {
    const retrieved = { version: { enabled: true }, other: { enabled: false } };
    expect(Object.keys(decodeAppConfig(retrieved).flags)).toEqual(['version', 'other']);
  });

  it('refuses content it cannot read, saying why', () => {
    expect(() => decodeAppConfig('not json')).toThrow(FlagCodecError);
    expect(() => decodeAppConfig('[]')).toThrow(/must be a JSON object/);
    expect(() => decodeAppConfig({ version: '2', flags: {} })).toThrow(/version 2 is not supported/);
    expect(() => decodeAppConfig({ f: { enabled: 'yes' } })).toThrow(/"f" has no enabled value/);
    expect(() => decodeAppConfig({ f: 'on' })).toThrow(/"f" has no enabled value/);
    expect(() => decodeAppConfig({ f: { enabled: true, spec: 'x' } })).toThrow(/spec attribute must be a list of strings/);
    expect(() => decodeAppConfig({ f: { enabled: true, spec: ['{"type":'] } })).toThrow(/spec of AppConfig flag "f" is not JSON/);
  });
});

describe('chunk', () => {
  it('cuts into pieces of at most the size that join back to the text', () => {
    const text = 'x'.repeat(2500);
    expect(chunk(text).map((piece) => piece.length)).toEqual([1000, 1000, 500]);
    expect(chunk('')).toEqual([]);
  });

  it('never splits a surrogate pair', () => {
    const text = `${'x'.repeat(999)}${'🚀'.repeat(600)}`; // the first pair straddles position 1000
    const pieces = chunk(text);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(1000);
      expect(/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(piece)).toBe(false);
    }
    expect(pieces[0]).toHaveLength(999);
  });
});
