import { describe, expect, it } from 'vitest';

import { filterChoices, noPrompter } from '../../src/ui/prompts.js';

const choices = [
  { value: 'saga', name: 'Saga', description: 'Step Functions with compensating steps' },
  { value: 'state-machine', name: 'State machine', description: 'Step Functions, Standard or Express' },
  { value: 'spa', name: 'Single-page application', description: 'S3 and CloudFront', keywords: 'web edge' },
];

describe('filterChoices (the pattern search list)', () => {
  it('keeps every choice for an empty search', () => {
    expect(filterChoices(choices, '')).toHaveLength(3);
    expect(filterChoices(choices, undefined)).toHaveLength(3);
  });

  it('matches every typed word against id, name and description, ignoring case', () => {
    expect(filterChoices(choices, 'step').map((c) => c.value)).toEqual(['saga', 'state-machine']);
    expect(filterChoices(choices, 'STEP express').map((c) => c.value)).toEqual(['state-machine']);
    expect(filterChoices(choices, 'cloudfront').map((c) => c.value)).toEqual(['spa']);
    expect(filterChoices(choices, 'kafka')).toEqual([]);
    expect(filterChoices(choices, 'edge').map((c) => c.value)).toEqual(['spa']);
  });
});

describe('noPrompter', () => {
  it('refuses to ask anything', async () => {
    await expect(noPrompter.input({ message: 'x' })).rejects.toThrow(/not interactive/);
    await expect(noPrompter.confirm({ message: 'x', default: true })).rejects.toThrow(/not interactive/);
  });
});
