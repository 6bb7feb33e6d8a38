import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_QUERIES } from '../infra/queries.js';

// The README is part of the project: its queries are the ones the stack saves, and its options
// table lists every option sprout.json has, with its default.

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const sqlBlocks = [...readme.matchAll(/```sql\n([\s\S]*?)\n```/g)].map((m) => m[1]);

describe('the README', () => {
  it('shows every sample query exactly as the workgroup saves it, and no other', () => {
    expect(sqlBlocks).toEqual(SAMPLE_QUERIES.map((q) => q.sql));
    for (const query of SAMPLE_QUERIES) expect(readme).toContain(`**${query.name}** ${query.description}`);
  });

  it('documents every option with its default', () => {
    for (const [name, value] of Object.entries(sprout.options as Record<string, unknown>)) {
      expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` \\| \`?${String(value)}\`? \\|`, 'm'));
    }
  });

  it('draws the architecture', () => {
    expect(readme).toMatch(/```mermaid\nflowchart LR\n/);
  });
});
