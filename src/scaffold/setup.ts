import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Exec } from '../core/exec.js';
import type { Task } from '../ui/tasks.js';
import type { PackageManager } from './package-manager.js';

export interface SetupContext {
  target: string;
  exec: Exec;
  signal?: AbortSignal;
}

/** `<pm> install` in the new project; its output streams into the task line by line. */
export function installTask(manager: PackageManager, context: SetupContext): Task {
  return {
    title: `Install dependencies with ${manager}`,
    run: async (log) => {
      const result = await context.exec(manager, ['install'], { cwd: context.target, onLine: log, signal: context.signal });
      if (context.signal?.aborted) throw new Error('cancelled');
      if (result.exitCode === 127) throw new Error(`${manager} is not installed or not on PATH`);
      if (result.exitCode !== 0) throw new Error(`${manager} install exited with ${result.exitCode}: ${lastLine(result.stderr || result.stdout)}`);
      return `Installed dependencies with ${manager}`;
    },
  };
}

export type GitOutcome =
  | { status: 'initialized' }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/**
 * `git init` and a first commit, unless git is missing or the project already sits inside a
 * repository (a monorepo). A failed commit (no user.name/email) removes the new .git again,
 * so the folder is never left with a half-made repository.
 */
export async function initGit(pattern: string, context: SetupContext): Promise<GitOutcome> {
  const git = (...args: string[]) => context.exec('git', args, { cwd: context.target, signal: context.signal });
  if ((await git('--version')).exitCode !== 0) return { status: 'skipped', reason: 'git is not installed' };
  const inside = await git('rev-parse', '--is-inside-work-tree');
  if (inside.exitCode === 0 && inside.stdout.trim() === 'true') {
    return { status: 'skipped', reason: 'the folder is already inside a git repository' };
  }
  const steps = [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', `Initial commit from sprout (${pattern})`]];
  for (const step of steps) {
    const result = await git(...step);
    if (result.exitCode !== 0) {
      await rm(join(context.target, '.git'), { recursive: true, force: true });
      return { status: 'failed', reason: `git ${step[0]} failed: ${lastLine(result.stderr || result.stdout)}` };
    }
  }
  return { status: 'initialized' };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
}
