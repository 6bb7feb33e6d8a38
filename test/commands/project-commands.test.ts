import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { json, sprout, tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const workspace = {
  name: 'shop',
  pattern: 'microservices',
  options: {},
  stages: {
    local: {},
    dev: { account: '111111111111', region: 'eu-west-1', roleName: 'Deployer' },
    prod: { account: '222222222222', region: 'eu-west-1', profile: 'prod', domainLabel: '' },
  },
  defaultStage: 'local',
  domain: { name: 'example.com', account: '333333333333', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
  services: { catalog: { path: 'services/catalog', pattern: 'backend-api' } },
};

beforeEach(async () => {
  scratch = await tempDir();
  await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify(workspace, null, 2));
});
afterEach(() => scratch.cleanup());

const run = (args: string[], cwd = scratch.path) => sprout(args, { cwd, env: { AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: undefined } });

describe('sprout deploy --dry-run', () => {
  it('prints the plan as JSON without any AWS call', async () => {
    const result = await run(['deploy', '--stage', 'prod', '--dry-run', '--json']);
    expect(result.exitCode).toBe(0);
    const { result: plan } = json(result);
    expect(plan.dryRun).toBe(true);
    expect(plan.plan.apps.map((a: any) => [a.kind, a.name, a.account, a.stackName, a.url ?? null])).toEqual([
      ['platform', 'platform', '333333333333', 'shop-platform-prod', null],
      ['service', 'catalog', '222222222222', 'shop-catalog-prod', 'https://catalog.example.com'],
    ]);
    expect(plan.plan.apps[1].credentials).toEqual({ profile: 'prod' });
  });

  it('prints a table for people, from any folder inside the project', async () => {
    await mkdir(join(scratch.path, 'services', 'catalog'), { recursive: true });
    const result = await run(['deploy', '-s', 'dev', '--dry-run'], join(scratch.path, 'services', 'catalog'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Plan for shop, stage dev (dry run: nothing deployed):');
    expect(result.stdout).toMatch(/catalog\s+111111111111\s+eu-west-1\s+shop-catalog-dev\s+role arn:aws:iam::111111111111:role\/Deployer\s+https:\/\/catalog\.dev\.example\.com/);
  });

  it('refuses the local stage, an unknown stage, and a folder outside any project (exit 3)', async () => {
    expect(json(await run(['deploy', '--dry-run', '--json'])).error.code).toBe('LOCAL_STAGE');
    const unknown = await run(['deploy', '-s', 'prd', '--dry-run', '--json']);
    expect(unknown.exitCode).toBe(3);
    expect(json(unknown).error.suggestions[0]).toBe('Did you mean --stage prod?');
    const outside = await tempDir();
    try {
      expect(json(await run(['deploy', '-s', 'dev', '--json'], outside.path)).error.code).toBe('NO_PROJECT');
    } finally {
      await outside.cleanup();
    }
  });

  it('reports a malformed sprout.json with the field and the line (exit 3)', async () => {
    const broken = JSON.stringify({ ...workspace, stages: { ...workspace.stages, dev: { account: '1111', region: 'eu-west-1' } } }, null, 2);
    await writeFile(join(scratch.path, 'sprout.json'), broken);
    const result = await run(['deploy', '-s', 'dev', '--dry-run']);
    expect(result.exitCode).toBe(3);
    const line = broken.split('\n').findIndex((l) => l.includes('"1111"')) + 1;
    expect(result.stderr).toContain(`stages.dev.account (line ${line}): expected a 12-digit AWS account id`);
  });
});

describe('sprout deploy without credentials', () => {
  it('fails before any synth with exit 3, naming the profile and the login command', async () => {
    const result = await sprout(['deploy', '--stage', 'prod', '--require-approval', 'never', '--json'], {
      cwd: scratch.path,
      env: { AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_CONFIG_FILE: join(scratch.path, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(scratch.path, 'none') },
    });
    expect(result.exitCode).toBe(3);
    const { error } = json(result);
    expect(error.code).toBe('NO_CREDENTIALS');
    expect(error.message).toContain('No AWS credentials for profile "prod"');
    expect(error.suggestions).toContain('Log in: aws sso login --profile prod');
    expect(error.details.apps.map((a: any) => [a.name, a.status])).toEqual([
      ['platform', 'failed'],
      ['catalog', 'skipped'],
    ]);
    expect(existsSync(join(scratch.path, '.sprout', 'outputs'))).toBe(false);
  });
});

describe('sprout services', () => {
  it('add scaffolds and registers a service; list resolves it; remove unregisters it', async () => {
    const added = await run(['services', 'add', 'billing', '-p', 'backend-api', '--account', '123456789012', '--domain', 'billing.example.com', '--json']);
    expect(added.exitCode).toBe(0);
    expect(json(added).result).toMatchObject({ name: 'billing', path: 'services/billing', service: { account: '123456789012', domain: 'billing.example.com' } });
    expect(existsSync(join(scratch.path, 'services', 'billing', 'infra', 'app.ts'))).toBe(true);

    const listed = json(await run(['services', 'list', '--stage', 'prod', '--json']));
    expect(listed.result.services.map((s: any) => [s.name, s.account, s.url])).toEqual([
      ['catalog', '222222222222', 'https://catalog.example.com'],
      ['billing', '123456789012', 'https://billing.example.com'],
    ]);

    const plan = json(await run(['deploy', '--stage', 'prod', '--dry-run', '--json'])).result.plan;
    expect(plan.apps.find((a: any) => a.name === 'platform').context['sprout:platform'].domain.trustedAccounts).toEqual(['123456789012', '222222222222']);

    const removed = await run(['services', 'remove', 'billing', '--json']);
    expect(removed.exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(scratch.path, 'sprout.json'), 'utf8')).services.billing).toBeUndefined();
    expect(existsSync(join(scratch.path, 'services', 'billing'))).toBe(true);
  });

  it('add refuses a duplicate (exit 3) and remove --delete-files refuses without --yes when it cannot ask (exit 2)', async () => {
    expect((await run(['services', 'add', 'catalog', '-p', 'backend-api'])).exitCode).toBe(3);
    const refused = await run(['services', 'remove', 'catalog', '--delete-files', '--json']);
    expect(refused.exitCode).toBe(2);
    expect(json(refused).error.code).toBe('CONFIRMATION_REQUIRED');
  });
});

describe('sprout destroy, outputs, bootstrap', () => {
  it('destroy refuses to run without --yes when nobody can confirm (exit 2)', async () => {
    const result = await run(['destroy', '--stage', 'dev']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Add --yes to confirm');
  });

  it('outputs explains that nothing was deployed yet (exit 3), then shows the recorded outputs', async () => {
    expect(json(await run(['outputs', '-s', 'dev', '--json'])).error.code).toBe('NO_OUTPUTS');
    await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
    const recorded = { stage: 'dev', updatedAt: '2026-11-26T00:00:00.000Z', services: { catalog: { account: '111111111111', region: 'eu-west-1', url: 'https://catalog.dev.example.com', deployedAt: '2026-11-26T00:00:00.000Z', stacks: { 'shop-catalog-dev': { ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/' } } } } };
    await writeFile(join(scratch.path, '.sprout', 'outputs', 'dev.json'), JSON.stringify(recorded));
    const shown = await run(['outputs', '-s', 'dev']);
    expect(shown.stdout).toContain('catalog  111111111111/eu-west-1  https://catalog.dev.example.com');
    expect(shown.stdout).toMatch(/catalog\s+shop-catalog-dev\s+ApiUrl\s+https:\/\/abc\.execute-api/);
    expect(json(await run(['outputs', '-s', 'dev', '--json'])).result).toEqual(recorded);
  });

  it('bootstrap --dry-run lists each account and region of the stage', async () => {
    const result = json(await run(['bootstrap', '-s', 'dev', '--trust', '999999999999', '--dry-run', '--json']));
    expect(result.result.environments).toEqual([
      { account: '333333333333', region: 'us-east-1', for: ['platform'] },
      { account: '111111111111', region: 'eu-west-1', for: ['catalog'] },
    ]);
    expect(result.warnings[0]).toContain('AdministratorAccess');
    expect((await run(['bootstrap', '-s', 'dev', '--trust', '123', '--dry-run'])).exitCode).toBe(2);
  });
});
