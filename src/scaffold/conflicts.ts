import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

import type { PlannedFile } from './plan.js';

/**
 * The planned paths that something in the folder already occupies: the file itself, or a
 * file where the plan needs a folder ("src" is a file but the plan writes "src/index.ts").
 */
export async function findConflicts(target: string, files: PlannedFile[]): Promise<string[]> {
  const conflicts = new Set<string>();
  const checked = new Map<string, Promise<'file' | 'dir' | 'none'>>();
  const kind = (path: string) => {
    if (!checked.has(path)) checked.set(path, kindOf(join(target, ...path.split('/'))));
    return checked.get(path)!;
  };
  for (const file of files) {
    const parts = file.path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if ((await kind(folder)) === 'file') conflicts.add(folder);
    }
    if ((await kind(file.path)) !== 'none') conflicts.add(file.path);
  }
  return [...conflicts].sort();
}

async function kindOf(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    return (await lstat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}
