import { describe, expect, it } from 'vitest';

import { PATTERN_IDS } from '../../src/catalog/ids.js';
import { nearest } from '../../src/core/nearest.js';

describe('nearest', () => {
  it('suggests the ids a typo was meant to be, closest first', () => {
    expect(nearest('sagaa', PATTERN_IDS)[0]).toBe('saga');
    expect(nearest('backend-apy', PATTERN_IDS)).toEqual(['backend-api']);
    expect(nearest('pubsub-fanot', PATTERN_IDS)[0]).toBe('pubsub-fanout');
  });

  it('finds ids that contain what was typed', () => {
    expect(nearest('pubsub', PATTERN_IDS)).toEqual(expect.arrayContaining(['pubsub-fanout', 'pubsub-streams']));
    expect(nearest('spa', PATTERN_IDS)).toContain('secured-spa');
  });

  it('suggests nothing for input unlike every id, and caps the list', () => {
    expect(nearest('kubernetes', PATTERN_IDS)).toEqual([]);
    expect(nearest('a', ['ab', 'ac', 'ad', 'ae'], 2)).toHaveLength(2);
  });
});
