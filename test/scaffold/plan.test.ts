import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { planProject, type PlanInput } from '../../src/scaffold/plan.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let files: string;

beforeEach(async () => {
  scratch = await tempDir();
  files = join(scratch.path, 'files');
  await mkdir(join(files, 'src'), { recursive: true });
  await writeFile(
    join(files, 'package.json'),
    JSON.stringify({ name: 'sprout-template', dependencies: { 'aws-cdk-lib': '^2.0.0', leftpad: '1.0.0' }, devDependencies: { vitest: '*' } }),
  );
  await writeFile(join(files, 'sprout.json'), JSON.stringify({ name: 'sprout-template', pattern: 'x', options: { a: 1 }, stages: { local: {}, dev: { region: 'eu-west-1' } }, defaultStage: 'local' }));
  await writeFile(join(files, 'README.md'), '# sprout-template\n\nnpm create sprout-template\n');
  await writeFile(join(files, 'gitignore'), 'node_modules\n');
  await writeFile(join(files, 'src', 'logo.bin'), Buffer.from([0x89, 0x00, 0x73, 0x70, 0x72, 0x6f, 0x75, 0x74, 0x2d]));
  await writeFile(join(files, 'run.sh'), '#!/bin/sh\necho sprout-template\n');
  await chmod(join(files, 'run.sh'), 0o755);
});

afterEach(() => scratch.cleanup());

const input = (overrides: Partial<PlanInput> = {}): PlanInput => ({
  filesDir: files,
  name: '@acme/shop',
  pattern: 'backend-api',
  options: { pageSize: 50 },
  versions: { 'aws-cdk-lib': '2.276.0', vitest: '^4.1.12' },
  ...overrides,
});

const text = (plan: Awaited<ReturnType<typeof planProject>>, path: string) => plan.files.find((f) => f.path === path)!.content.toString('utf8');

describe('planProject', () => {
  it('replaces the name token in every text file', async () => {
    const plan = await planProject(input());
    expect(text(plan, 'README.md')).toBe('# @acme/shop\n\nnpm create @acme/shop\n');
    expect(text(plan, 'run.sh')).toContain('echo @acme/shop');
  });

  it('pins dependency versions to sprout\'s own and reports those it has no version for', async () => {
    const plan = await planProject(input());
    const pkg = JSON.parse(text(plan, 'package.json'));
    expect(pkg.name).toBe('@acme/shop');
    expect(pkg.dependencies).toEqual({ 'aws-cdk-lib': '2.276.0', leftpad: '1.0.0' });
    expect(pkg.devDependencies).toEqual({ vitest: '^4.1.12' });
    expect(plan.unpinnedDependencies).toEqual(['leftpad']);
  });

  it('writes the name, pattern and chosen options into sprout.json and keeps its stages', async () => {
    const config = JSON.parse(text(await planProject(input({ templateSource: 'gh:acme/t' })), 'sprout.json'));
    expect(config).toEqual({
      $schema: 'https://unpkg.com/create-sprout/schemas/sprout.schema.json',
      name: '@acme/shop',
      pattern: 'backend-api',
      template: 'gh:acme/t',
      options: { pageSize: 50 },
      stages: { local: {}, dev: { region: 'eu-west-1' } },
      defaultStage: 'local',
    });
  });

  it('renames gitignore to .gitignore and keeps the executable bit', async () => {
    const plan = await planProject(input());
    const paths = plan.files.map((f) => f.path);
    expect(paths).toContain('.gitignore');
    expect(paths).not.toContain('gitignore');
    expect(plan.files.find((f) => f.path === 'run.sh')!.mode).toBe(0o755);
    expect(plan.files.find((f) => f.path === 'README.md')!.mode).toBe(0o644);
  });

  it('copies binary files byte for byte', async () => {
    const plan = await planProject(input());
    expect([...plan.files.find((f) => f.path === 'src/logo.bin')!.content]).toEqual([0x89, 0x00, 0x73, 0x70, 0x72, 0x6f, 0x75, 0x74, 0x2d]);
  });

  it('never copies installs, build output or lock files', async () => {
    for (const skipped of ['node_modules/x/index.js', 'cdk.out/manifest.json', 'dist/a.js', 'coverage/lcov.info']) {
      await mkdir(join(files, skipped, '..'), { recursive: true });
      await writeFile(join(files, skipped), 'x');
    }
    await writeFile(join(files, 'package-lock.json'), '{}');
    const paths = (await planProject(input())).files.map((f) => f.path);
    expect(paths).toEqual(['.gitignore', 'README.md', 'package.json', 'run.sh', 'sprout.json', 'src/logo.bin']);
  });

  it('adds a sprout.json when the template has none', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(join(files, 'sprout.json'));
    const config = JSON.parse(text(await planProject(input()), 'sprout.json'));
    expect(config).toEqual({
      $schema: 'https://unpkg.com/create-sprout/schemas/sprout.schema.json',
      name: '@acme/shop',
      pattern: 'backend-api',
      options: { pageSize: 50 },
      stages: { local: {} },
      defaultStage: 'local',
    });
  });

  it('writes options that configure sprout at their configPath, dropping empty strings', async () => {
    const plan = await planProject(
      input({
        options: { domainMode: 'path', rootDomain: 'shop.example', dnsAccountId: '' },
        configPaths: { domainMode: 'domain.mode', rootDomain: 'domain.name', dnsAccountId: 'domain.account' },
        services: { catalog: { path: 'services/catalog', pattern: 'backend-api' } },
      }),
    );
    const config = JSON.parse(text(plan, 'sprout.json'));
    expect(config.domain).toEqual({ mode: 'path', name: 'shop.example' });
    expect(config.services).toEqual({ catalog: { path: 'services/catalog', pattern: 'backend-api' } });
  });

  it('refuses a template that contains a symbolic link', async () => {
    await symlink('/etc/passwd', join(files, 'src', 'passwd'));
    await expect(planProject(input())).rejects.toMatchObject({ code: 'TEMPLATE_INVALID', exitCode: 3 });
  });

  it('refuses a package.json that is not a JSON object', async () => {
    await writeFile(join(files, 'package.json'), '[1, 2]');
    await expect(planProject(input())).rejects.toMatchObject({ code: 'TEMPLATE_INVALID' });
  });
});

describe('planProject with base layers (a template that extends another)', () => {
  it("copies the base files, leaves out what the template omits, and lets the template's own files win", async () => {
    const base = join(scratch.path, 'base');
    await mkdir(join(base, 'test', 'old'), { recursive: true });
    await writeFile(join(base, 'README.md'), '# base\n');
    await writeFile(join(base, 'handler.ts'), 'export const fromBase = "sprout-template";\n');
    await writeFile(join(base, 'kept.ts'), 'export const kept = 1;\n');
    await writeFile(join(base, 'test', 'old', 'a.test.ts'), 'old\n');
    await writeFile(join(base, 'test', 'kept.test.ts'), 'kept\n');
    const plan = await planProject(input({ baseLayers: [{ dir: base, omit: [] }], omit: ['handler.ts', 'test/old/'] }));
    const paths = plan.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['kept.ts', 'test/kept.test.ts', 'run.sh', 'src/logo.bin', '.gitignore']));
    expect(paths).not.toContain('handler.ts');
    expect(paths.some((p) => p.startsWith('test/old/'))).toBe(false);
    // The template's own README replaces the base's; the name token is replaced in both layers.
    expect(text(plan, 'README.md')).toBe('# @acme/shop\n\nnpm create @acme/shop\n');
    expect(new Set(paths).size).toBe(paths.length);
  });
});
