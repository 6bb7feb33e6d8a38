import { readdir, stat } from 'node:fs/promises';

export type TargetState =
  | { kind: 'missing' }
  | { kind: 'not-a-directory' }
  | { kind: 'empty' }
  | { kind: 'non-empty'; entries: string[] };

/** Entries that do not make a folder "not empty" for a new project (a fresh `git init`). */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

export async function inspectTarget(dir: string): Promise<TargetState> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return { kind: 'not-a-directory' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  const entries = (await readdir(dir)).filter((entry) => !IGNORABLE.has(entry)).sort();
  return entries.length ? { kind: 'non-empty', entries } : { kind: 'empty' };
}
