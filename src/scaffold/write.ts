import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { CancelledError, ConflictError, SproutError } from '../core/errors.js';
import type { PlannedFile } from './plan.js';

export interface WriteOptions {
  /** Aborting (Ctrl-C) stops the write and removes everything it made. */
  signal?: AbortSignal;
  onProgress?: (written: number, total: number) => void;
}

/**
 * Writes a project so that nothing half-written is ever left behind:
 * every file is rendered into a temporary folder beside the target, then
 * - a missing target becomes that folder with one rename;
 * - an existing folder receives each file by a hard link that fails if the file exists,
 *   so an existing file is never overwritten, even one that appeared a moment ago.
 * On any error or abort, what was made is removed.
 */
export async function writeProject(target: string, files: PlannedFile[], options: WriteOptions = {}): Promise<void> {
  const destination = resolve(target);
  for (const file of files) assertInside(destination, file.path);

  const createdParents = await makeParents(dirname(destination));
  // mkdir (not mkdtemp, whose 0700 would survive the rename) with a random suffix.
  const staging = join(dirname(destination), `.${basename(destination)}.sprout-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    await stage(staging, files, options);
    if (await exists(destination)) await mergeInto(staging, destination, files, options.signal);
    else await rename(staging, destination);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    await removeAll([...createdParents].reverse());
    throw error;
  }
  await rm(staging, { recursive: true, force: true });
}

/** A template path is relative and stays inside the project: "../x", "/etc/x" and "a/../../x" are refused. */
export function assertInside(root: string, path: string): void {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (!path || isAbsolute(path) || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new SproutError('TEMPLATE_UNSAFE_PATH', `The template tried to write "${path}", which is outside the project folder.`, {
      exitCode: 3,
      suggestions: ['Use a template whose files all live under its files/ folder.'],
    });
  }
}

async function stage(staging: string, files: PlannedFile[], options: WriteOptions): Promise<void> {
  let written = 0;
  for (const file of files) {
    throwIfAborted(options.signal);
    const full = join(staging, ...file.path.split('/'));
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, file.content, { mode: file.mode, flag: 'wx' });
    options.onProgress?.(++written, files.length);
  }
  throwIfAborted(options.signal);
}

async function mergeInto(staging: string, destination: string, files: PlannedFile[], signal?: AbortSignal): Promise<void> {
  const made: string[] = [];
  try {
    for (const file of files) {
      throwIfAborted(signal);
      const from = join(staging, ...file.path.split('/'));
      const to = join(destination, ...file.path.split('/'));
      made.push(...(await makeParents(dirname(to))));
      await placeWithoutOverwrite(from, to, file.path);
      made.push(to);
    }
  } catch (error) {
    await removeAll([...made].reverse());
    throw error;
  }
}

async function placeWithoutOverwrite(from: string, to: string, path: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new ConflictError('FILE_CONFLICT', `${path} appeared in the project folder while sprout was writing; nothing was changed.`, {
        details: { conflicts: [path] },
        suggestions: ['Run the command again.'],
      });
    }
    // File systems without hard links: an exclusive copy still never overwrites.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') await copyFile(from, to, constants.COPYFILE_EXCL);
    else throw error;
  }
}

/** mkdir -p that reports the folders it created, outermost first, so they can be removed again. */
async function makeParents(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let current = dir;
  while (!(await exists(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) await mkdir(folder);
  return missing;
}

async function removeAll(paths: string[]): Promise<void> {
  for (const path of paths) {
    try {
      const info = await lstat(path);
      if (info.isDirectory()) await rmdir(path);
      else await unlink(path);
    } catch {
      // Best effort: a folder the user filled in the meantime is theirs to keep.
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Cancelled. Nothing was written.');
}
