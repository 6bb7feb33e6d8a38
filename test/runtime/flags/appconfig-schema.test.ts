import { describe, expect, it } from 'vitest';

import { APPCONFIG_LIMITS, checkFeatureFlagsContent } from '../../../src/runtime/flags/appconfig-schema.js';
import { encodeAppConfig } from '../../../src/runtime/flags/codec.js';
import { newBooleanFlag } from '../../../src/runtime/flags/model.js';

/** Content in the shape of the AppConfig user guide's examples: one flag, attributes of each kind. */
const valid = () => ({
  version: '1',
  flags: {
    ui_refresh: {
      name: 'UI refresh',
      description: 'The new style guide',
      _deprecation: { status: 'planned' },
      attributes: {
        dark_mode: { constraints: { type: 'boolean', required: true } },
        level: { constraints: { type: 'string', enum: ['INFO', 'DEBUG'] } },
        threads: { constraints: { type: 'number', minimum: 1, maximum: 8 } },
        regions: { constraints: { type: 'array', elements: { type: 'string' } } },
      },
    },
  },
  values: { ui_refresh: { enabled: true, dark_mode: true, level: 'INFO', threads: 4, regions: ['eu-west-1'] } },
});

type Content = ReturnType<typeof valid> & Record<string, unknown>;

const problemsAfter = (change: (content: Content) => void) => {
  const content = valid() as Content;
  change(content);
  return checkFeatureFlagsContent(JSON.stringify(content));
};

describe('checkFeatureFlagsContent', () => {
  it('accepts content of the documented shape, and sprout’s own encoding', () => {
    expect(checkFeatureFlagsContent(valid())).toEqual([]);
    expect(checkFeatureFlagsContent(encodeAppConfig({ version: 1, flags: { 'new-checkout': newBooleanFlag('new-checkout', 'One-page checkout') } }))).toEqual([]);
  });

  it('wants version "1", flags, and nothing else at the top', () => {
    expect(problemsAfter((c) => (c.version = '2'))).toEqual(['version: must be the string "1"']);
    expect(problemsAfter((c) => (c.extra = true))).toEqual(['extra: not allowed here']);
    expect(checkFeatureFlagsContent({ version: '1' })).toEqual(['flags: must be an object']);
    expect(checkFeatureFlagsContent('{')).toEqual(['the content is not JSON']);
  });

  it('checks flag and attribute keys against AppConfig’s pattern', () => {
    expect(problemsAfter((c) => ((c.flags as Record<string, unknown>)['Bad-Key'] = { name: 'x' }))).toEqual([expect.stringContaining('flags.Bad-Key: the key must match')]);
    expect(problemsAfter((c) => ((c.flags as Record<string, unknown>)[`a${'b'.repeat(64)}`] = {}))).toHaveLength(1);
    expect(problemsAfter((c) => ((c.flags.ui_refresh.attributes as Record<string, unknown>)['9lives'] = {}))).toEqual([expect.stringContaining('attributes.9lives: the key must match')]);
    expect(problemsAfter((c) => ((c.flags as Record<string, unknown>)['with_underscore-and-dash9'] = {}))).toEqual([]);
  });

  it('allows at most 100 flags and 25 attributes a flag', () => {
    const flags = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, {}]));
    expect(checkFeatureFlagsContent({ version: '1', flags })).toEqual([`flags: 101 entries, more than AppConfig's ${APPCONFIG_LIMITS.flags}`]);
    const attributes = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`a${i}`, {}]));
    expect(checkFeatureFlagsContent({ version: '1', flags: { f: { attributes } } })).toEqual([`flags.f.attributes: 26 entries, more than AppConfig's 25`]);
  });

  it('limits names, descriptions and strings, counting characters, not bytes', () => {
    expect(problemsAfter((c) => (c.flags.ui_refresh.name = 'two\nlines'))).toEqual([expect.stringContaining('name: must be 1 to 64')]);
    expect(problemsAfter((c) => (c.flags.ui_refresh.name = 'n'.repeat(65)))).toHaveLength(1);
    expect(problemsAfter((c) => (c.flags.ui_refresh.name = '名'.repeat(64)))).toEqual([]);
    expect(problemsAfter((c) => (c.flags.ui_refresh.description = 'é'.repeat(1024)))).toEqual([]);
    expect(problemsAfter((c) => (c.flags.ui_refresh.description = 'é'.repeat(1025)))).toEqual([expect.stringContaining('description: must be a string of at most 1024')]);
    expect(problemsAfter((c) => (c.values.ui_refresh.regions = ['x'.repeat(1025)]))).toEqual([expect.stringContaining('regions[0]: a string of more than 1024')]);
  });

  it('knows the allowed fields of a flag, a deprecation, an attribute and its constraints', () => {
    expect(problemsAfter((c) => ((c.flags.ui_refresh as Record<string, unknown>).enabled = true))).toEqual(['flags.ui_refresh.enabled: not allowed here']);
    expect(problemsAfter((c) => (c.flags.ui_refresh._deprecation = { status: 'soon' }))).toEqual([expect.stringContaining('_deprecation: must be')]);
    expect(problemsAfter((c) => ((c.flags.ui_refresh.attributes.level.constraints as Record<string, unknown>).pattern = '^[A-Z]+$'))).toEqual([
      'flags.ui_refresh.attributes.level.constraints: pattern and enum cannot both be set',
    ]);
    expect(problemsAfter((c) => ((c.flags.ui_refresh.attributes.regions.constraints as Record<string, unknown>).elements = { type: 'array' }))).toContain(
      'flags.ui_refresh.attributes.regions.constraints.elements.type: must be number or string',
    );
  });

  it('checks each value: enabled, defined attributes, attribute types and constraints', () => {
    expect(problemsAfter((c) => delete (c.values.ui_refresh as Record<string, unknown>).enabled)).toEqual(['values.ui_refresh.enabled: must be true or false']);
    expect(problemsAfter((c) => ((c.values as Record<string, unknown>).ghost = { enabled: true }))).toEqual(['values.ghost: there is no flag "ghost" in flags']);
    expect(problemsAfter((c) => ((c.values.ui_refresh as Record<string, unknown>).colour = 'red'))).toEqual(['values.ui_refresh.colour: the flag defines no attribute "colour"']);
    expect(problemsAfter((c) => delete (c.values.ui_refresh as Record<string, unknown>).dark_mode)).toEqual(['values.ui_refresh.dark_mode: required by its constraints']);
    expect(problemsAfter((c) => (c.values.ui_refresh.level = 'TRACE'))).toEqual([expect.stringContaining('values.ui_refresh.level: does not satisfy its constraints')]);
    expect(problemsAfter((c) => (c.values.ui_refresh.threads = 9))).toHaveLength(1);
    expect(problemsAfter((c) => ((c.values.ui_refresh as Record<string, unknown>).regions = [1, 2]))).toEqual([expect.stringContaining('regions: does not satisfy')]);
  });

  it('refuses attribute values outside AppConfig’s types, empty and mixed lists included', () => {
    for (const bad of [[], ['a', 1], { nested: true }, null]) {
      expect(problemsAfter((c) => ((c.values.ui_refresh as Record<string, unknown>).regions = bad))).toEqual(
        expect.arrayContaining(['values.ui_refresh.regions: must be a string, a number, a boolean, or a non-empty list of only strings or only numbers']),
      );
    }
  });

  it('leaves room for enabled among the 25 properties a flag returns', () => {
    const attributes = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`a${i}`, {}]));
    const values = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`a${i}`, i]));
    expect(checkFeatureFlagsContent({ version: '1', flags: { f: { attributes } }, values: { f: { enabled: true, ...values } } })).toEqual([
      'values.f: 25 attributes, more than the 24 a flag can return',
    ]);
  });

  it('refuses content over the hosted store’s 1 MB', () => {
    const huge = JSON.stringify({ ...valid(), values: { ui_refresh: { ...valid().values.ui_refresh, regions: Array.from({ length: 1100 }, () => 'x'.repeat(1000)) } } });
    expect(checkFeatureFlagsContent(huge)).toEqual([expect.stringMatching(/^the content is \d+ bytes, more than AppConfig's 1000000$/)]);
  });
});
