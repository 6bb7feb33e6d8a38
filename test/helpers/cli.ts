import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { execa } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with pipes (so: not interactive) and CI unset unless given. */
export async function sprout(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; bin?: string } = {}): Promise<CliRun> {
  const result = await execa('node', [join(repoRoot, 'bin', options.bin ?? 'run.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { CI: undefined, NO_COLOR: '1', ...options.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The single JSON document a --json run prints on stdout. */
export function json<T = Record<string, any>>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}

export async function tempDir(prefix = 'sprout-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
