import { describe, expect, it } from 'vitest';

import { PATTERN_IDS } from '../../src/catalog/ids.js';
import { json, sprout } from '../helpers/cli.js';

describe('sprout (the built CLI)', () => {
  it('prints its version', async () => {
    const run = await sprout(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^create-sprout\/\d+\.\d+\.\d+ /);
  });

  it('lists its commands and the exit codes in --help', async () => {
    const run = await sprout(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('create');
    expect(run.stdout).toContain('patterns');
    expect(run.stdout).toMatch(/EXIT CODES[\s\S]*68\s+partial success[\s\S]*130\s+cancelled/);
    expect(run.stdout).not.toMatch(/^\s+base\b/m);
  });

  it('shows examples and exit codes in a command\'s help', async () => {
    const run = await sprout(['create', '--help']);
    expect(run.stdout).toContain('EXAMPLES');
    expect(run.stdout).toContain('sprout create my-api --pattern backend-api --yes');
    expect(run.stdout).toContain('EXIT CODES');
  });

  it('suggests the command meant by a typo, as a usage error (exit 2) when it cannot ask', async () => {
    const run = await sprout(['craete', 'my-app']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('"craete" is not a sprout command.');
    expect(run.stderr).toContain('Did you mean "sprout create"?');
    const doc = json(await sprout(['patterns', 'lst', '--json']));
    expect(doc).toEqual({
      status: 2,
      error: {
        code: 'COMMAND_NOT_FOUND',
        message: '"patterns lst" is not a sprout command.',
        suggestions: ['Did you mean "sprout patterns list"?', 'Run "sprout help" to see every command.'],
      },
    });
  });
});

describe('sprout patterns list', () => {
  it('--json lists all 19 ids in the envelope, with backend-api ready', async () => {
    const run = await sprout(['patterns', 'list', '--json']);
    expect(run.exitCode).toBe(0);
    const doc = json(run);
    expect(Object.keys(doc)).toEqual(['status', 'result', 'warnings']);
    expect(doc.status).toBe(0);
    expect(doc.warnings).toEqual([]);
    expect(doc.result.patterns.map((p: { id: string }) => p.id)).toEqual([...PATTERN_IDS]);
    expect(doc.result.patterns[0]).toEqual({
      id: 'backend-api',
      title: 'Backend API service',
      summary: expect.any(String),
      services: expect.arrayContaining(['Amazon DynamoDB']),
      tags: ['api', 'crud'],
      level: 'beginner',
      status: 'ready',
    });
    expect(run.stderr).toBe('');
  });

  it('prints a table with one row a pattern', async () => {
    const run = await sprout(['patterns', 'list']);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+STATUS\s+SERVICES$/);
    expect(lines).toHaveLength(20);
    expect(lines[1]).toMatch(/^backend-api\s+Backend API service\s+ready\s+Amazon API Gateway/);
  });

  it('filters by --tag and --search', async () => {
    const byTag = json(await sprout(['patterns', 'list', '--tag', 'streaming', '--json']));
    expect(byTag.result.patterns.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['pubsub-streams']));
    for (const p of byTag.result.patterns) expect(p.tags).toContain('streaming');
    const bySearch = json(await sprout(['patterns', 'list', '--search', 'dynamodb idempotent', '--json']));
    expect(bySearch.result.patterns.map((p: { id: string }) => p.id)).toContain('backend-api');
  });

  it('warns (in the envelope) when nothing matches', async () => {
    const doc = json(await sprout(['patterns', 'list', '--search', 'mainframe', '--json']));
    expect(doc.result.patterns).toEqual([]);
    expect(doc.warnings[0]).toMatch(/No pattern matches/);
  });

  it('refuses an unknown tag as a usage error (exit 2)', async () => {
    const run = await sprout(['patterns', 'list', '--tag', 'kubernetes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(json(run).error.code).toBe('USAGE');
  });
});

describe('sprout patterns show', () => {
  it('describes a pattern with its options and draws the diagram', async () => {
    const run = await sprout(['patterns', 'show', 'backend-api']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Backend API service (backend-api)');
    expect(run.stdout).toMatch(/pageSize\s+number\s+25/);
    expect(run.stdout).toMatch(/tableRemovalPolicy\s+retain\|destroy\s+retain/);
    expect(run.stdout).toContain('Architecture:');
    expect(run.stdout).toMatch(/DynamoDB items/);
    expect(run.stdout).toMatch(/[┌+][─-]+/);
  });

  it('names the pattern a template builds on', async () => {
    const run = await sprout(['patterns', 'show', 'spa']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Builds on: backend-api (the project includes its code; see "sprout patterns show backend-api")');
    expect((await sprout(['patterns', 'show', 'backend-api'])).stdout).not.toContain('Builds on:');
  });

  it('says when a pattern has no HTTP endpoint, and so takes no custom domain', async () => {
    const run = await sprout(['patterns', 'show', 'saga']);
    expect(run.stdout).toContain('No HTTP endpoint: events, streams or the AWS API drive it, so it takes no custom domain');
    expect((await sprout(['patterns', 'show', 'backend-api'])).stdout).not.toContain('No HTTP endpoint');
  });

  it('--json returns the whole manifest and its status', async () => {
    const doc = json(await sprout(['patterns', 'show', 'saga', '--json']));
    expect(doc.result).toMatchObject({ id: 'saga', status: 'ready', httpEndpoint: false, diagram: expect.stringMatching(/^flowchart/) });
    expect(doc.result.options.length).toBeGreaterThan(0);
  });

  it('an unknown id exits 3 and suggests the nearest ids', async () => {
    const run = await sprout(['patterns', 'show', 'pubsub', '--json']);
    expect(run.exitCode).toBe(3);
    const doc = json(run);
    expect(Object.keys(doc)).toEqual(['status', 'error']);
    expect(doc).toMatchObject({ status: 3, error: { code: 'PATTERN_NOT_FOUND', details: { nearest: expect.arrayContaining(['pubsub-fanout', 'pubsub-streams']) } } });
    expect(doc.error.suggestions[0]).toMatch(/^Did you mean "pubsub-(fanout|streams)" or "pubsub-(fanout|streams)"\?$/);
  });

  it('an unknown id without --json explains on stderr and prints nothing on stdout', async () => {
    const run = await sprout(['patterns', 'show', 'sagaa']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('There is no pattern "sagaa".');
    expect(run.stderr).toContain('Did you mean "saga"?');
  });

  it('a missing id is a usage error (exit 2)', async () => {
    const run = await sprout(['patterns', 'show']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/Missing 1 required arg/);
  });
});
