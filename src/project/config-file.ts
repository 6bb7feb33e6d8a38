import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ConflictError, PreconditionError } from '../core/errors.js';
import type { ProjectConfig } from './schema.js';

export const CONFIG_FILE = 'sprout.json';

/** A sprout.json as read: the parsed config, where it is, and a fingerprint for optimistic writes. */
export interface LoadedConfig {
  root: string;
  path: string;
  config: ProjectConfig;
  /** sha256 of the bytes read; a save refuses to write over a file that changed since. */
  fingerprint: string;
}

/** The nearest folder at or above `cwd` holding a sprout.json, like git finds .git. */
export function findProjectRoot(cwd: string): string {
  let dir = cwd;
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new PreconditionError('NO_PROJECT', `No ${CONFIG_FILE} in ${cwd} or any folder above it.`, {
        suggestions: ['Run this inside a sprout project, or create one: sprout create my-app --pattern backend-api'],
      });
    }
    dir = parent;
  }
}

/**
 * Reads and validates sprout.json. A malformed file is a precondition error (exit 3) that
 * names, for each problem, the field path, what was expected and the line.
 */
export async function loadProjectConfig(root: string): Promise<LoadedConfig> {
  const path = join(root, CONFIG_FILE);
  const text = await readFile(path, 'utf8');
  const { parseConfigText } = await import('./parse.js');
  return { root, path, config: parseConfigText(text, path), fingerprint: fingerprint(text) };
}

/**
 * Writes sprout.json atomically (a temporary file beside it, then rename), and only if nobody
 * changed it since it was read: a lost race is exit 4, never a lost edit.
 */
export async function saveProjectConfig(loaded: LoadedConfig, config: ProjectConfig): Promise<LoadedConfig> {
  const current = await readFile(loaded.path, 'utf8').catch(() => '');
  if (fingerprint(current) !== loaded.fingerprint) {
    throw new ConflictError('CONFIG_CHANGED', `${loaded.path} changed while sprout was working; nothing was written.`, {
      suggestions: ['Run the command again: it will start from the file as it is now.'],
    });
  }
  const text = `${JSON.stringify(config, null, 2)}\n`;
  await writeAtomically(loaded.path, text);
  return { ...loaded, config, fingerprint: fingerprint(text) };
}

/** Replaces a file in one step: readers see the old content or the new one, never a part. */
export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.sprout-tmp`);
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
