import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CancelledError } from '../../src/core/errors.js';
import type { PlannedFile } from '../../src/scaffold/plan.js';
import { assertInside, writeProject } from '../../src/scaffold/write.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const file = (path: string, content = path, mode = 0o644): PlannedFile => ({ path, content: Buffer.from(content), mode });
const project = [file('package.json', '{}'), file('src/functions/a.ts'), file('src/lib/b.ts'), file('bin/run.sh', '#!/bin/sh', 0o755)];

async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await tree(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe('writeProject into a new folder', () => {
  it('writes every file with its mode, and leaves no staging folder beside it', async () => {
    const target = join(scratch.path, 'my-app');
    await writeProject(target, project);
    expect(await tree(target)).toEqual(['bin/run.sh', 'package.json', 'src/functions/a.ts', 'src/lib/b.ts']);
    expect(await readFile(join(target, 'src/lib/b.ts'), 'utf8')).toBe('src/lib/b.ts');
    expect((await stat(join(target, 'bin/run.sh'))).mode & 0o111).not.toBe(0);
    expect((await stat(target)).mode & 0o777).not.toBe(0o700);
    expect(await readdir(scratch.path)).toEqual(['my-app']);
  });

  it('creates missing parent folders, and removes them again when the write fails', async () => {
    const target = join(scratch.path, 'a', 'b', 'my-app');
    const broken = [file('ok.txt'), { path: 'bad.txt', content: undefined as unknown as Buffer, mode: 0o644 }];
    await expect(writeProject(target, broken)).rejects.toThrow();
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('leaves nothing behind when aborted part way (Ctrl-C)', async () => {
    const target = join(scratch.path, 'my-app');
    const controller = new AbortController();
    const write = writeProject(target, project, {
      signal: controller.signal,
      onProgress: (written) => {
        if (written === 2) controller.abort();
      },
    });
    await expect(write).rejects.toBeInstanceOf(CancelledError);
    expect(await readdir(scratch.path)).toEqual([]);
  });
});

describe('writeProject into an existing folder', () => {
  it('adds the files beside what is there', async () => {
    const target = join(scratch.path, 'existing');
    await mkdir(join(target, 'src'), { recursive: true });
    await writeFile(join(target, 'notes.md'), 'mine');
    await writeProject(target, project);
    expect(await tree(target)).toEqual(['bin/run.sh', 'notes.md', 'package.json', 'src/functions/a.ts', 'src/lib/b.ts']);
    expect(await readFile(join(target, 'notes.md'), 'utf8')).toBe('mine');
  });

  it('never overwrites a file: a clash rolls back everything it wrote (exit 4)', async () => {
    const target = join(scratch.path, 'existing');
    await mkdir(join(target, 'src', 'lib'), { recursive: true });
    await writeFile(join(target, 'src', 'lib', 'b.ts'), 'the user\'s own');
    await expect(writeProject(target, project)).rejects.toMatchObject({ code: 'FILE_CONFLICT', exitCode: 4 });
    expect(await readFile(join(target, 'src', 'lib', 'b.ts'), 'utf8')).toBe('the user\'s own');
    expect(await tree(target)).toEqual(['src/lib/b.ts']);
    expect(await readdir(scratch.path)).toEqual(['existing']);
  });

  it('rolls back when aborted part way', async () => {
    const target = join(scratch.path, 'existing');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'k');
    const controller = new AbortController();
    controller.abort();
    await expect(writeProject(target, project, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(await tree(target)).toEqual(['keep.txt']);
  });
});

describe('a template can never write outside the project folder', () => {
  it.each(['../evil.sh', '/etc/cron.d/evil', 'a/../../evil', '..', ''])('refuses %j', async (path) => {
    expect(() => assertInside('/tmp/project', path)).toThrow(expect.objectContaining({ code: 'TEMPLATE_UNSAFE_PATH' }));
    const target = join(scratch.path, 'my-app');
    await expect(writeProject(target, [file('ok.txt'), file(path)])).rejects.toMatchObject({ code: 'TEMPLATE_UNSAFE_PATH' });
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('allows ordinary nested paths, including dots inside names', () => {
    expect(() => assertInside('/tmp/project', 'src/a..b/c.ts')).not.toThrow();
    expect(() => assertInside('/tmp/project', '.github/workflows/ci.yml')).not.toThrow();
  });
});
