import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { json, sprout, tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
  await writeFile(
    join(scratch.path, 'sprout.json'),
    JSON.stringify({ name: 'demo', pattern: 'backend-api', options: {}, stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1', profile: 'dev' } }, defaultStage: 'local' }),
  );
});
afterEach(() => scratch.cleanup());

const noAws = { AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
const flags = (...args: string[]) => sprout(['flags', ...args], { cwd: scratch.path, env: noAws });

// Each step runs the built CLI in a child process; next to the template harness a test can take a minute.
describe('sprout flags on the local store (no AWS account)', { timeout: 120_000 }, () => {
  it('creates a flag, turns it on for 25% and evaluates it for a user, stickily', async () => {
    expect((await flags('create', 'new-checkout', '--description', 'One-page checkout')).exitCode).toBe(0);
    const set = await flags('set', 'new-checkout', '--on', '--percent', '25', '--json');
    expect(set.exitCode).toBe(0);
    expect(json(set).result).toMatchObject({ store: 'local', version: '2', changes: ['flags.new-checkout.enabled: false → true', 'flags.new-checkout.split: (none) → {"on":2500}'] });

    const first = json(await flags('eval', 'new-checkout', '--context', 'targetingKey=user-42', '--json')).result;
    expect(['SPLIT', 'DEFAULT']).toContain(first.reason);
    expect(first.value).toBe(first.reason === 'SPLIT');
    const again = json(await flags('eval', 'new-checkout', '--context', 'targetingKey=user-42', '--json')).result;
    expect(again).toEqual(first);
  });

  it('lists, shows, targets and rules, as the same evaluator the functions run', async () => {
    await flags('create', 'new-checkout');
    await flags('set', 'new-checkout', '--on', '--target', 'alice=on', '--rule', 'country in DE,AT => on');
    const listed = json(await flags('list', '--json')).result;
    expect(listed.flags.map((f: { key: string; enabled: boolean }) => [f.key, f.enabled])).toEqual([['new-checkout', true]]);
    expect((await flags('list')).stdout).toMatch(/new-checkout\s+on\s+boolean\s+1 target, 1 rule/);

    expect(json(await flags('eval', 'new-checkout', '-c', 'targetingKey=alice', '--json')).result).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const byRule = await flags('eval', 'new-checkout', '-c', 'targetingKey=zed,country=AT');
    expect(byRule.stdout).toContain('new-checkout = true (variant on) · TARGETING_MATCH · rule: country in DE,AT => on');
    expect(json(await flags('eval', 'new-checkout', '-c', 'targetingKey=zed,country=FR', '--json')).result).toMatchObject({ value: false, reason: 'DEFAULT' });

    const shown = await flags('get', 'new-checkout');
    expect(shown.stdout).toContain('Rule 1: country in DE,AT => on');
  });

  it('disable turns it off for everyone, and rollback brings back the version before', async () => {
    await flags('create', 'new-checkout');
    await flags('set', 'new-checkout', '--on', '--target', 'alice=on');
    await flags('disable', 'new-checkout');
    expect(json(await flags('eval', 'new-checkout', '-c', 'targetingKey=alice', '--json')).result).toMatchObject({ value: false, reason: 'DISABLED' });
    expect((await flags('rollback')).exitCode).toBe(0);
    expect(json(await flags('eval', 'new-checkout', '-c', 'targetingKey=alice', '--json')).result).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const history = json(await flags('history', '--json')).result.versions;
    expect(history.map((v: { description: string }) => v.description.split(' · ')[0])).toEqual([
      'sprout flags rollback',
      'sprout flags disable new-checkout',
      'sprout flags set new-checkout --on --target alice=on',
      'sprout flags create new-checkout',
    ]);
  });

  it('warns when a flag is on but serves off to everyone', async () => {
    await flags('create', 'new-checkout');
    const enabled = json(await flags('enable', 'new-checkout', '--json'));
    expect(enabled.warnings[0]).toContain('new-checkout is on but still serves off to everyone');
    const everyone = json(await flags('set', 'new-checkout', '--percent', '100', '--json'));
    expect(everyone.warnings).toEqual([]);
    expect(json(await flags('eval', 'new-checkout', '-c', 'targetingKey=anyone', '--json')).result.value).toBe(true);
  });

  it('--dry-run shows the change and writes nothing', async () => {
    const dry = await flags('create', 'new-checkout', '--dry-run');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('Dry run: would change local file');
    expect(existsSync(join(scratch.path, '.sprout', 'local', 'flags.json'))).toBe(false);
  });

  it('delete first deprecates, then removes with --force', async () => {
    await flags('create', 'old-banner');
    await flags('delete', 'old-banner', '--reason', 'shipped');
    expect(json(await flags('get', 'old-banner', '--json')).result.flag.deprecated).toMatchObject({ reason: 'shipped' });
    await flags('delete', 'old-banner', '--force');
    const gone = await flags('get', 'old-banner', '--json');
    expect(gone.exitCode).toBe(3);
    expect(json(gone).error.code).toBe('FLAG_NOT_FOUND');
  });

  it('refuses bad input with exit 2 and a missing flag with exit 3, writing nothing', async () => {
    await flags('create', 'new-checkout');
    const before = await readFile(join(scratch.path, '.sprout', 'local', 'flags.json'), 'utf8');
    expect((await flags('set', 'new-checkout', '--percent', '120')).exitCode).toBe(2);
    const badRule = await flags('set', 'new-checkout', '--rule', 'country inn DE => on', '--json');
    expect(badRule.exitCode).toBe(2);
    expect(json(badRule).error.suggestions).toContain('Did you mean in?');
    expect((await flags('set', 'new-chekout', '--on')).exitCode).toBe(3);
    expect(await readFile(join(scratch.path, '.sprout', 'local', 'flags.json'), 'utf8')).toBe(before);
  });
});

describe('sprout flags on an AWS stage without credentials', () => {
  it('fails with exit 3 naming the profile and the login, and writes nothing', async () => {
    const result = await flags('create', 'new-checkout', '--stage', 'dev', '--json');
    expect(result.exitCode).toBe(3);
    expect(json(result).error).toMatchObject({ code: 'NO_CREDENTIALS', suggestions: expect.arrayContaining(['Log in: aws sso login --profile dev']) });
    expect(existsSync(join(scratch.path, '.sprout'))).toBe(false);
  });
});
