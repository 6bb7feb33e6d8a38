import { describe, expect, it } from 'vitest';

import type { TemplateOption } from '../../src/catalog/schema.js';
import { UsageError } from '../../src/core/errors.js';
import { coerceOptionValue, parseOptionAssignments, resolveOptionValues } from '../../src/scaffold/options.js';

const declared: TemplateOption[] = [
  { name: 'pageSize', type: 'number', description: 'page size of lists', prompt: 'Page size?', default: 25, min: 1, max: 100, integer: true },
  { name: 'tracing', type: 'boolean', description: 'turn tracing on', prompt: 'Tracing?', default: true },
  { name: 'mode', type: 'enum', description: 'the queue kind', prompt: 'Mode?', choices: ['sqs', 'kinesis'], default: 'sqs' },
  { name: 'legacyUrl', type: 'string', description: 'the legacy base url', prompt: 'URL?', default: 'https://legacy.example.com', pattern: 'https://.+' },
];

describe('parseOptionAssignments', () => {
  it('splits key=value at the first equals sign', () => {
    expect(parseOptionAssignments(['pageSize=50', 'legacyUrl=https://x.test/a=b'])).toEqual({ pageSize: '50', legacyUrl: 'https://x.test/a=b' });
  });

  it('refuses entries without a key', () => {
    expect(() => parseOptionAssignments(['pageSize'])).toThrow(UsageError);
    expect(() => parseOptionAssignments(['=5'])).toThrow(/key=value/);
  });
});

describe('coerceOptionValue', () => {
  const [pageSize, tracing, mode, legacyUrl] = declared as [TemplateOption, TemplateOption, TemplateOption, TemplateOption];

  it('converts numbers and checks integer and range', () => {
    expect(coerceOptionValue(pageSize, '50')).toEqual({ value: 50 });
    expect(coerceOptionValue(pageSize, '2.5')).toEqual({ problem: 'pageSize must be a whole number, not 2.5' });
    expect(coerceOptionValue(pageSize, '0')).toEqual({ problem: 'pageSize must be at least 1, not 0' });
    expect(coerceOptionValue(pageSize, '101')).toEqual({ problem: 'pageSize must be at most 100, not 101' });
    expect(coerceOptionValue(pageSize, 'lots')).toEqual({ problem: 'pageSize must be a number, not "lots"' });
    expect(coerceOptionValue(pageSize, '')).toHaveProperty('problem');
  });

  it('accepts the usual spellings of booleans and nothing else', () => {
    for (const yes of ['true', 'YES', 'on', '1']) expect(coerceOptionValue(tracing, yes)).toEqual({ value: true });
    for (const no of ['false', 'no', 'OFF', '0']) expect(coerceOptionValue(tracing, no)).toEqual({ value: false });
    expect(coerceOptionValue(tracing, 'maybe')).toHaveProperty('problem');
  });

  it('checks enums against their choices and strings against their pattern', () => {
    expect(coerceOptionValue(mode, 'kinesis')).toEqual({ value: 'kinesis' });
    expect(coerceOptionValue(mode, 'kafka')).toEqual({ problem: 'mode must be one of sqs, kinesis, not "kafka"' });
    expect(coerceOptionValue(legacyUrl, 'https://old.example.com')).toEqual({ value: 'https://old.example.com' });
    expect(coerceOptionValue(legacyUrl, 'http://old.example.com')).toHaveProperty('problem');
  });
});

describe('resolveOptionValues', () => {
  it('fills defaults for everything not given', () => {
    expect(resolveOptionValues(declared, { pageSize: '10' }, 'backend-api')).toEqual({
      pageSize: 10,
      tracing: true,
      mode: 'sqs',
      legacyUrl: 'https://legacy.example.com',
    });
  });

  it('reports every problem at once, with a did-you-mean for unknown keys (exit 2)', () => {
    let error: UsageError | undefined;
    try {
      resolveOptionValues(declared, { pagesize: '10', mode: 'kafka', tracing: 'maybe' }, 'backend-api');
    } catch (caught) {
      error = caught as UsageError;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.exitCode).toBe(2);
    expect(error!.details!.problems).toEqual([
      '"pagesize" is not an option of backend-api',
      'tracing must be true or false, not "maybe"',
      'mode must be one of sqs, kinesis, not "kafka"',
    ]);
    expect(error!.suggestions).toContain('Did you mean --option pageSize=10?');
  });

  it('says when a template takes no options', () => {
    expect(() => resolveOptionValues([], { x: '1' }, 'plain')).toThrow(expect.objectContaining({ suggestions: ['plain takes no options.'] }));
  });
});
