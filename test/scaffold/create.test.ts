import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Pattern } from '../../src/catalog/catalog.js';
import type { TemplateManifest } from '../../src/catalog/schema.js';
import { CancelledError } from '../../src/core/errors.js';
import { type Exec, execaExec } from '../../src/core/exec.js';
import { type CreateDeps, type CreateRequest, createProject } from '../../src/scaffold/create.js';
import type { Prompter } from '../../src/ui/prompts.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { tempDir } from '../helpers/cli.js';

const manifest: TemplateManifest = {
  id: 'demo-api',
  title: 'Demo API',
  summary: 'A small API used by the tests of create.',
  description: 'A fixture template: a package.json, a sprout.json and one handler, enough to exercise create.',
  useWhen: 'Use it in the tests of sprout create.',
  avoidWhen: 'Avoid it anywhere else, it deploys nothing.',
  services: ['AWS Lambda'],
  tags: ['api'],
  level: 'beginner',
  httpEndpoint: true,
  options: [
    { name: 'pageSize', type: 'number', description: 'default page size', prompt: 'Page size?', default: 25, min: 1, max: 100, integer: true },
    { name: 'removal', type: 'enum', description: 'what destroy does', prompt: 'Removal policy?', choices: ['retain', 'destroy'], default: 'retain' },
    { name: 'tracing', type: 'boolean', description: 'X-Ray tracing on or off', prompt: 'Tracing?', default: true },
  ],
  diagram: 'flowchart LR\n  a[Client] --> b[API] --> c[(Table)]',
};

let scratch: Awaited<ReturnType<typeof tempDir>>;
let cwd: string;
let catalog: Pattern[];

async function writeTemplate(root: string, json: unknown = manifest): Promise<string> {
  const files = join(root, 'files');
  await mkdir(join(files, 'src'), { recursive: true });
  await writeFile(join(root, 'template.json'), JSON.stringify(json));
  await writeFile(join(files, 'package.json'), JSON.stringify({ name: 'sprout-template', devDependencies: { vitest: '*' } }));
  await writeFile(join(files, 'sprout.json'), JSON.stringify({ name: 'sprout-template', pattern: 'demo-api', options: {} }));
  await writeFile(join(files, 'README.md'), '# sprout-template\n');
  await writeFile(join(files, 'gitignore'), 'node_modules\n');
  await writeFile(join(files, 'src', 'handler.ts'), 'export const handler = async () => ({ statusCode: 200 });\n');
  return root;
}

beforeEach(async () => {
  scratch = await tempDir();
  cwd = join(scratch.path, 'work');
  await mkdir(cwd);
  const dir = await writeTemplate(join(scratch.path, 'catalog', 'demo-api'));
  catalog = [
    { manifest, dir, filesDir: join(dir, 'files'), status: 'ready' },
    { manifest: { ...manifest, id: 'later', title: 'Later' }, dir: join(scratch.path, 'catalog', 'later'), filesDir: '', status: 'planned' },
  ];
});
afterEach(() => scratch.cleanup());

/** A prompter that answers from a script and records each question it was asked. */
function scripted(answers: unknown[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (!answers.length) throw new Error(`unexpected question: ${message}`);
    return Promise.resolve(answers.shift());
  };
  return {
    asked,
    input: (q) => next(q.message) as Promise<string>,
    confirm: (q) => next(q.message) as Promise<boolean>,
    select: (q) => next(q.message) as never,
    search: (q) => next(q.message) as never,
  };
}

const noExec: Exec = () => Promise.reject(new Error('exec should not be called'));

function deps(overrides: Partial<CreateDeps> = {}): CreateDeps & { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    cwd,
    interactive: false,
    prompter: scripted([]),
    catalog: () => catalog,
    fetchTemplate: () => Promise.reject(new Error('no network in tests')),
    exec: noExec,
    tasks: plainTaskRunner((line) => lines.push(line)),
    reporter: { info: (m) => lines.push(m), warn: (m) => warnings.push(m) },
    versions: () => ({ vitest: '^4.1.12' }),
    userAgent: undefined,
    ...overrides,
  };
}

const request = (overrides: Partial<CreateRequest> = {}): CreateRequest => ({
  dir: 'shop',
  pattern: 'demo-api',
  options: [],
  yes: false,
  install: false,
  git: false,
  force: false,
  dryRun: false,
  ...overrides,
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('createProject, not interactive', () => {
  it('writes the project with defaults and reports what it did', async () => {
    const { result, partial } = await createProject(request(), deps());
    expect(partial).toBe(false);
    expect(result).toEqual({
      dir: join(cwd, 'shop'),
      pattern: 'demo-api',
      name: 'shop',
      files: ['.gitignore', 'README.md', 'package.json', 'sprout.json', 'src/handler.ts'],
      installed: false,
      git: false,
      packageManager: 'npm',
      dryRun: false,
      nextSteps: ['cd shop', 'npm install', 'npm test', 'sprout dev', 'npm run synth', 'npm run deploy'],
    });
    expect(await readJson(join(cwd, 'shop', 'sprout.json'))).toMatchObject({
      name: 'shop',
      pattern: 'demo-api',
      options: { pageSize: 25, removal: 'retain', tracing: true },
      stages: { local: {} },
      defaultStage: 'local',
    });
    expect(await readJson(join(cwd, 'shop', 'package.json'))).toEqual({ name: 'shop', devDependencies: { vitest: '^4.1.12' } });
  });

  it('lists every missing input in one usage error (exit 2) and writes nothing', async () => {
    const error = await createProject(request({ dir: undefined, pattern: undefined }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'MISSING_INPUT', exitCode: 2, details: { missing: ['DIR', '--pattern'] } });
    expect(error.message).toMatch(/^Missing DIR and --pattern\./);
    expect(error.suggestions.join('\n')).toContain('ready: demo-api');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('applies --option values and refuses bad ones before writing (exit 2)', async () => {
    await createProject(request({ options: ['pageSize=50', 'removal=destroy', 'tracing=false'] }), deps());
    expect((await readJson(join(cwd, 'shop', 'sprout.json'))).options).toEqual({ pageSize: 50, removal: 'destroy', tracing: false });
    const error = await createProject(request({ dir: 'other', options: ['pageSize=500'] }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', exitCode: 2 });
    expect(existsSync(join(cwd, 'other'))).toBe(false);
  });

  it('refuses a folder name that is not a valid package name, suggesting --name (exit 2)', async () => {
    const error = await createProject(request({ dir: 'My Shop' }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'INVALID_NAME', exitCode: 2, suggestions: ['Use --name my-shop'] });
    const { result } = await createProject(request({ dir: 'My Shop', name: 'my-shop' }), deps());
    expect(result.name).toBe('my-shop');
    expect(result.nextSteps[0]).toBe('cd "My Shop"');
  });

  it('refuses an unknown pattern (exit 3, nearest ids) and a planned one (exit 3)', async () => {
    await expect(createProject(request({ pattern: 'demo' }), deps())).rejects.toMatchObject({
      code: 'PATTERN_NOT_FOUND',
      exitCode: 3,
      suggestions: expect.arrayContaining(['Did you mean "demo-api"?']),
    });
    await expect(createProject(request({ pattern: 'later' }), deps())).rejects.toMatchObject({ code: 'PATTERN_PLANNED', exitCode: 3 });
    expect(await readdir(cwd)).toEqual([]);
  });

  it('refuses --pattern with --template (exit 2)', async () => {
    await expect(createProject(request({ template: './t' }), deps())).rejects.toMatchObject({ code: 'CONFLICTING_FLAGS', exitCode: 2 });
  });
});

describe('createProject and existing folders', () => {
  it('refuses a folder that is not empty (exit 3) and leaves it as it was', async () => {
    await mkdir(join(cwd, 'shop'));
    await writeFile(join(cwd, 'shop', 'notes.md'), 'mine');
    const error = await createProject(request(), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'DIR_NOT_EMPTY', exitCode: 3 });
    expect(error.suggestions.join(' ')).toContain('--force');
    expect(await readdir(join(cwd, 'shop'))).toEqual(['notes.md']);
  });

  it('accepts an empty folder, or one holding only .git', async () => {
    await mkdir(join(cwd, 'shop', '.git'), { recursive: true });
    const { result } = await createProject(request(), deps());
    expect(result.files).toContain('package.json');
    expect((await readdir(join(cwd, 'shop'))).sort()).toEqual(['.git', '.gitignore', 'README.md', 'package.json', 'sprout.json', 'src']);
  });

  it('with --force writes beside existing files', async () => {
    await mkdir(join(cwd, 'shop'));
    await writeFile(join(cwd, 'shop', 'notes.md'), 'mine');
    await createProject(request({ force: true }), deps());
    expect(await readFile(join(cwd, 'shop', 'notes.md'), 'utf8')).toBe('mine');
    expect(existsSync(join(cwd, 'shop', 'src', 'handler.ts'))).toBe(true);
  });

  it('with --force still never overwrites: lists every conflict (exit 3) and writes nothing', async () => {
    await mkdir(join(cwd, 'shop'));
    await writeFile(join(cwd, 'shop', 'README.md'), 'my readme');
    await writeFile(join(cwd, 'shop', 'src'), 'a file where the template has a folder');
    const error = await createProject(request({ force: true }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'FILE_CONFLICT', exitCode: 3, details: { conflicts: ['README.md', 'src'] } });
    expect((await readdir(join(cwd, 'shop'))).sort()).toEqual(['README.md', 'src']);
    expect(await readFile(join(cwd, 'shop', 'README.md'), 'utf8')).toBe('my readme');
  });

  it('refuses a target that is a file (exit 3)', async () => {
    await writeFile(join(cwd, 'shop'), 'x');
    await expect(createProject(request(), deps())).rejects.toMatchObject({ code: 'TARGET_NOT_A_DIRECTORY', exitCode: 3 });
  });
});

describe('createProject --dry-run', () => {
  it('lists the files, runs nothing and writes nothing', async () => {
    const { result } = await createProject(request({ dryRun: true, install: undefined, git: undefined }), deps());
    expect(result.dryRun).toBe(true);
    expect(result.files).toHaveLength(5);
    expect(result.installed).toBe(false);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('still reports the conflicts a real run would hit', async () => {
    await mkdir(join(cwd, 'shop'));
    await writeFile(join(cwd, 'shop', 'package.json'), '{}');
    await expect(createProject(request({ dryRun: true, force: true }), deps())).rejects.toMatchObject({ code: 'FILE_CONFLICT' });
  });
});

describe('createProject, interactive', () => {
  it('asks for the folder, the pattern, each option, install and git', async () => {
    const prompter = scripted(['shop', 'demo-api', '40', 'destroy', false, false, false]);
    const { result } = await createProject(request({ dir: undefined, pattern: undefined, install: undefined, git: undefined }), deps({ interactive: true, prompter }));
    expect(prompter.asked).toEqual([
      'Project folder',
      'Pattern (type to filter)',
      'Page size?',
      'Removal policy?',
      'Tracing?',
      'Install dependencies with npm?',
      'Initialize a git repository with a first commit?',
    ]);
    expect(result).toMatchObject({ installed: false, git: false });
    expect((await readJson(join(cwd, 'shop', 'sprout.json'))).options).toEqual({ pageSize: 40, removal: 'destroy', tracing: false });
  });

  it('with --yes asks only for what has no default, and not for options given with --option', async () => {
    const prompter = scripted(['demo-api']);
    await createProject(request({ pattern: undefined, yes: true }), deps({ interactive: true, prompter }));
    expect(prompter.asked).toEqual(['Pattern (type to filter)']);

    const again = scripted(['retain', true]);
    await createProject(request({ dir: 'two', options: ['pageSize=7'] }), deps({ interactive: true, prompter: again }));
    expect(again.asked).toEqual(['Removal policy?', 'Tracing?']);
  });

  it('asks for a valid package name when the folder name is not one', async () => {
    const prompter = scripted(['my-shop']);
    const { result } = await createProject(request({ dir: 'My Shop', yes: true }), deps({ interactive: true, prompter }));
    expect(prompter.asked).toEqual(['Package name']);
    expect(result.name).toBe('my-shop');
  });
});

describe('createProject install', () => {
  it('runs "<manager> install" in the new project and streams its output', async () => {
    const calls: Array<{ file: string; args: string[]; cwd: string }> = [];
    const exec: Exec = async (file, args, options) => {
      calls.push({ file, args, cwd: options.cwd });
      options.onLine?.('added 42 packages');
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const d = deps({ exec, userAgent: 'pnpm/9.0.0 npm/? node/v20.19.0' });
    const { result, partial } = await createProject(request({ install: true }), d);
    expect(calls).toEqual([{ file: 'pnpm', args: ['install'], cwd: join(cwd, 'shop') }]);
    expect(result).toMatchObject({ installed: true, packageManager: 'pnpm', nextSteps: ['cd shop', 'pnpm test', 'sprout dev', 'pnpm synth', 'pnpm deploy'] });
    expect(partial).toBe(false);
    expect(d.lines).toContain('  added 42 packages');
  });

  it('a failed install keeps the written project and is a partial success (68) with a warning', async () => {
    const exec: Exec = async () => ({ exitCode: 1, stdout: '', stderr: 'npm ERR! network unreachable' });
    const d = deps({ exec });
    const { result, partial } = await createProject(request({ install: true }), d);
    expect(partial).toBe(true);
    expect(result.installed).toBe(false);
    expect(result.nextSteps).toContain('npm install');
    expect(d.warnings).toEqual(['Dependencies were not installed: npm install exited with 1: npm ERR! network unreachable.']);
    expect(existsSync(join(cwd, 'shop', 'package.json'))).toBe(true);
  });

  it('says when the package manager is not installed', async () => {
    const d = deps({ exec: async () => ({ exitCode: 127, stdout: '', stderr: '' }), userAgent: 'bun/1.1.0' });
    const { partial } = await createProject(request({ install: true }), d);
    expect(partial).toBe(true);
    expect(d.warnings[0]).toContain('bun is not installed or not on PATH');
  });

  it('Ctrl-C during the install is reported as cancelled (130) with the steps to finish', async () => {
    const controller = new AbortController();
    const exec: Exec = async () => {
      controller.abort();
      return { exitCode: 130, stdout: '', stderr: '' };
    };
    const error = await createProject(request({ install: true }), deps({ exec, signal: controller.signal })).catch((e) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.suggestions).toContain('npm install');
  });

  it('Ctrl-C before the files are in place leaves nothing behind (130)', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createProject(request(), deps({ signal: controller.signal }))).rejects.toBeInstanceOf(CancelledError);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('createProject git (real git)', () => {
  const identity = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' };
  afterEach(() => vi.unstubAllEnvs());

  it('makes a repository with one commit of every file', async () => {
    for (const [key, value] of Object.entries(identity)) vi.stubEnv(key, value);
    const { result } = await createProject(request({ git: true }), deps({ exec: execaExec }));
    expect(result.git).toBe(true);
    const log = await execa('git', ['log', '--format=%s'], { cwd: join(cwd, 'shop') });
    expect(log.stdout).toBe('Initial commit from sprout (demo-api)');
    const tracked = await execa('git', ['ls-files'], { cwd: join(cwd, 'shop') });
    expect(tracked.stdout.split('\n').sort()).toEqual(result.files);
  });

  it('skips git inside an existing repository', async () => {
    for (const [key, value] of Object.entries(identity)) vi.stubEnv(key, value);
    await execa('git', ['init', '-q'], { cwd });
    const d = deps({ exec: execaExec });
    const { result } = await createProject(request({ git: true }), d);
    expect(result.git).toBe(false);
    expect(existsSync(join(cwd, 'shop', '.git'))).toBe(false);
    expect(d.warnings).toEqual([]);
    expect(d.lines).toContain('✔ Skipped git: the folder is already inside a git repository');
  });

  it('removes the new .git again when the first commit fails, and warns', async () => {
    const home = join(scratch.path, 'home');
    await mkdir(home);
    vi.stubEnv('HOME', home);
    vi.stubEnv('XDG_CONFIG_HOME', home);
    vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
    for (const key of Object.keys(identity)) vi.stubEnv(key, undefined as unknown as string);
    vi.stubEnv('EMAIL', undefined as unknown as string);
    const d = deps({ exec: execaExec });
    const { result, partial } = await createProject(request({ git: true }), d);
    expect(result.git).toBe(false);
    expect(partial).toBe(false);
    expect(existsSync(join(cwd, 'shop', '.git'))).toBe(false);
    expect(d.warnings[0]).toMatch(/^No git repository was made: git commit failed/);
  });
});

describe('createProject --template', () => {
  it('creates from a local template folder and records where it came from', async () => {
    await writeTemplate(join(scratch.path, 'mine'), { ...manifest, id: 'my-own' });
    const { result } = await createProject(request({ pattern: undefined, template: '../mine' }), deps());
    expect(result.pattern).toBe('my-own');
    expect(await readJson(join(cwd, 'shop', 'sprout.json'))).toMatchObject({ pattern: 'my-own', template: '../mine' });
  });

  it('refuses a template whose template.json breaks the schema, naming the fields (exit 3)', async () => {
    await writeTemplate(join(scratch.path, 'bad'), { ...manifest, tags: ['nope'], level: 'guru' });
    const error = await createProject(request({ pattern: undefined, template: '../bad' }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'TEMPLATE_INVALID', exitCode: 3 });
    expect(error.details.problems.map((p: string) => p.split(':')[0])).toEqual(['tags.0', 'level']);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('refuses a missing folder (exit 3)', async () => {
    await expect(createProject(request({ pattern: undefined, template: './nowhere' }), deps())).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND', exitCode: 3 });
  });

  it('fetches a remote template into a scratch folder and removes it afterwards', async () => {
    let fetchedInto = '';
    const fetchTemplate = async (source: string, into: string) => {
      expect(source).toBe('gh:acme/templates/orders#v2');
      fetchedInto = into;
      await writeTemplate(into, { ...manifest, id: 'orders' });
    };
    const { result } = await createProject(request({ pattern: undefined, template: 'gh:acme/templates/orders#v2' }), deps({ fetchTemplate }));
    expect(result.pattern).toBe('orders');
    expect(fetchedInto).not.toBe('');
    expect(existsSync(fetchedInto)).toBe(false);
  });

  it('reports a failed download as a precondition (exit 3)', async () => {
    const error = await createProject(request({ pattern: undefined, template: 'gh:acme/missing' }), deps()).catch((e) => e);
    expect(error).toMatchObject({ code: 'TEMPLATE_FETCH_FAILED', exitCode: 3 });
    expect(error.message).toContain('no network in tests');
  });
});
