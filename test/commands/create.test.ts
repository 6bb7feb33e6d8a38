import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadCatalog } from '../../src/catalog/catalog.js';
import { json, repoRoot, sprout, tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const run = (args: string[], env?: Record<string, string | undefined>) => sprout(args, { cwd: scratch.path, env });
const planned = loadCatalog().find((p) => p.status === 'planned')?.manifest.id;

describe('sprout create (the built CLI, not interactive)', () => {
  it('creates backend-api and prints the JSON result', async () => {
    const result = await run(['create', 'shop', '-p', 'backend-api', '--no-install', '--no-git', '--json']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.exitCode).toBe(0);
    const doc = json(result);
    expect(Object.keys(doc.result).sort()).toEqual(['dir', 'dryRun', 'files', 'git', 'installed', 'name', 'nextSteps', 'packageManager', 'pattern']);
    expect(doc.result).toMatchObject({ dir: join(scratch.path, 'shop'), pattern: 'backend-api', name: 'shop', installed: false, git: false });
    expect(doc.result.files).toEqual(expect.arrayContaining(['package.json', 'sprout.json', 'cdk.json', '.gitignore', 'README.md']));
    expect(doc.result.nextSteps).toEqual(['cd shop', 'npm install', 'npm test', 'sprout dev', 'npm run synth', 'npm run deploy']);
    for (const file of doc.result.files) expect(existsSync(join(scratch.path, 'shop', file)), file).toBe(true);
    const pkg = JSON.parse(await readFile(join(scratch.path, 'shop', 'package.json'), 'utf8'));
    const own = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('shop');
    expect(pkg.dependencies['aws-cdk-lib']).toBe(own.devDependencies['aws-cdk-lib']);
    expect(pkg.devDependencies.tsx).toBe('4.23.14');
    expect((await readdir(scratch.path)).sort()).toEqual(['shop']);
  });

  it('create-sprout is sprout create', async () => {
    const result = await sprout(['shop', '-p', 'backend-api', '--no-install', '--no-git', '--json'], { cwd: scratch.path, bin: 'create.js' });
    expect(result.exitCode).toBe(0);
    expect(json(result).result.pattern).toBe('backend-api');
  });

  it('without a terminal, lists every missing input in one error (exit 2) and writes nothing', async () => {
    const result = await run(['create']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Missing DIR and --pattern.');
    expect(result.stderr).toContain('sprout create my-app --pattern backend-api --yes');
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('in --json mode reports the same error in the envelope', async () => {
    const result = await run(['create', 'shop', '--json']);
    expect(result.exitCode).toBe(2);
    expect(json(result)).toMatchObject({ status: 2, error: { code: 'MISSING_INPUT', details: { missing: ['--pattern'] } } });
  });

  it('even at a terminal, CI=true means no prompts', async () => {
    const result = await run(['create', 'shop', '--json'], { CI: 'true' });
    expect(result.exitCode).toBe(2);
  });

  it('refuses an unknown pattern (exit 3) with the nearest ids', async () => {
    const result = await run(['create', 'shop', '-p', 'backend', '--json']);
    expect(result.exitCode).toBe(3);
    expect(json(result).error.suggestions[0]).toBe('Did you mean "backend-api"?');
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it.runIf(planned)('refuses a planned pattern (exit 3) with a clear message', async () => {
    const result = await run(['create', 'shop', '-p', planned!]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`The "${planned}" pattern is planned but not available yet`);
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('refuses an invalid package name with npm\'s reason (exit 2)', async () => {
    const result = await run(['create', 'shop', '-p', 'backend-api', '--name', 'Bad Name', '--json']);
    expect(result.exitCode).toBe(2);
    const doc = json(result);
    expect(doc.error.code).toBe('INVALID_NAME');
    expect(doc.error.message).toMatch(/capital letters|URL-friendly/);
    expect(doc.error.suggestions).toEqual(['Use --name bad-name']);
  });

  it('refuses a bad --option (exit 2) naming the valid ones', async () => {
    const result = await run(['create', 'shop', '-p', 'backend-api', '--option', 'pagesize=10', '--json']);
    expect(result.exitCode).toBe(2);
    const doc = json(result);
    expect(doc.error.suggestions).toContain('Did you mean --option pageSize=10?');
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('refuses a non-empty folder (exit 3); --force still never overwrites (exit 3, conflicts listed)', async () => {
    await mkdir(join(scratch.path, 'shop'));
    await writeFile(join(scratch.path, 'shop', 'README.md'), 'mine');
    const refused = await run(['create', 'shop', '-p', 'backend-api', '--no-install', '--no-git', '--json']);
    expect(refused.exitCode).toBe(3);
    expect(json(refused).error.code).toBe('DIR_NOT_EMPTY');
    const forced = await run(['create', 'shop', '-p', 'backend-api', '--no-install', '--no-git', '--force', '--json']);
    expect(forced.exitCode).toBe(3);
    expect(json(forced).error).toMatchObject({ code: 'FILE_CONFLICT', details: { conflicts: ['README.md'] } });
    expect(await readdir(join(scratch.path, 'shop'))).toEqual(['README.md']);
    expect(await readFile(join(scratch.path, 'shop', 'README.md'), 'utf8')).toBe('mine');
  });

  it('--dry-run lists the files and writes nothing', async () => {
    const result = await run(['create', 'shop', '-p', 'backend-api', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Dry run: would create shop \(backend-api\)/);
    expect(result.stdout).toContain('  package.json');
    expect(result.stdout).toContain('Nothing was written.');
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('a failed install exits 68 (partial) and keeps the project', async () => {
    // A fake npm on PATH that fails, so the test needs no network.
    const bin = join(scratch.path, 'fake-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'npm'), '#!/bin/sh\necho "npm ERR! code E404" >&2\nexit 1\n');
    await chmod(join(bin, 'npm'), 0o755);
    const result = await run(['create', 'shop', '-p', 'backend-api', '--no-git', '--package-manager', 'npm', '--json'], {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(result.exitCode).toBe(68);
    const doc = json(result);
    expect(doc.status).toBe(68);
    expect(doc.result.installed).toBe(false);
    expect(doc.warnings[0]).toContain('npm ERR! code E404');
    expect(existsSync(join(scratch.path, 'shop', 'package.json'))).toBe(true);
  });

  it('Ctrl-C during the install exits 130 and says how to finish', async () => {
    const bin = join(scratch.path, 'fake-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'npm'), '#!/bin/sh\necho started > "$PWD/.install-started"\nexec sleep 30\n');
    await chmod(join(bin, 'npm'), 0o755);
    const child = execa('node', [join(repoRoot, 'bin/run.js'), 'create', 'shop', '-p', 'backend-api', '--no-git'], {
      cwd: scratch.path,
      env: { PATH: `${bin}:${process.env.PATH}`, CI: undefined },
      reject: false,
    });
    const marker = join(scratch.path, 'shop', '.install-started');
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toContain('Cancelled. The project was written to');
    expect(String(result.stderr)).toContain('npm install');
  });
});
