import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { repoRoot } from '../../helpers/cli.js';
import { cleanEnv, generate, linkDependencies } from '../../templates/support.js';

/** A generated project, as `sprout create … --yes [--option k=v]` and `npm install` leave it. */
export async function project(pattern: string, options: string[] = []): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await generate(pattern, options);
  await linkDependencies(dir);
  return { dir, remove: () => rm(join(dir, '..'), { recursive: true, force: true }) };
}

export interface ReadyEvent {
  event: 'ready';
  distributions: Array<{ name: string; url: string }>;
  apis: Array<{ name: string; kind: string; url: string }>;
  queues: string[];
  notEmulated: Array<{ type: string; reason: string }>;
  [key: string]: unknown;
}

export interface LogLine {
  event: 'log';
  kind: string;
  source: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface DevProcess {
  ready: ReadyEvent;
  logs: LogLine[];
  /** Resolves with the first log line (seen so far or later) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the next ready event of a --watch reload. */
  waitForReload(timeoutMs?: number): Promise<ReadyEvent>;
  /** Ctrl-C: resolves with the exit code and the --json summary on stdout. */
  stop(): Promise<{ exitCode: number | null; summary: any }>;
  child: ChildProcess;
}

/** Starts `sprout dev --port 0 --json` in a project, as a user would in a second terminal, and waits for its ready line. */
export async function startDev(dir: string, args: string[] = [], readyTimeoutMs = 240_000): Promise<DevProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'run.js'), 'dev', '--port', '0', '--json', ...args], {
    cwd: dir,
    env: { ...cleanEnv(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  const reloads: Array<(event: ReadyEvent) => void> = [];
  let stdout = '';
  const stderrText: string[] = [];
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  let resolveReady!: (event: ReadyEvent) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<ReadyEvent>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrText.push(line);
    let parsed: any;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (parsed.event === 'ready') {
      if (parsed.reload) reloads.splice(0).forEach((resolve) => resolve(parsed));
      else resolveReady(parsed);
    }
    if (parsed.event !== 'log') return;
    logs.push(parsed);
    for (const waiter of [...waiters]) {
      if (waiter.match(parsed)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => rejectReady(new Error(`sprout dev exited (${code}) before it was ready:\n${stderrText.slice(-40).join('\n')}\n${stdout}`)));
  const timer = setTimeout(() => rejectReady(new Error(`sprout dev was not ready within ${readyTimeoutMs} ms:\n${stderrText.slice(-40).join('\n')}`)), readyTimeoutMs);
  try {
    const event = await ready;
    return {
      ready: event,
      logs,
      child,
      waitForLog(match, timeoutMs = 30_000) {
        const seen = logs.find(match);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const waiter = { match, resolve: (line: LogLine) => (clearTimeout(t), resolve(line)) };
          const t = setTimeout(() => {
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${stderrText.slice(-30).join('\n')}`));
          }, timeoutMs);
          waiters.push(waiter);
        });
      },
      waitForReload(timeoutMs = 120_000) {
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no reload within ${timeoutMs} ms; last lines:\n${stderrText.slice(-30).join('\n')}`)), timeoutMs);
          reloads.push((event) => (clearTimeout(t), resolve(event)));
        });
      },
      async stop() {
        if (child.exitCode === null) child.kill('SIGINT');
        const exitCode = await Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
        let summary: any;
        try {
          summary = JSON.parse(stdout);
        } catch {
          summary = undefined;
        }
        return { exitCode, summary };
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Processes whose working folder is inside `dir` (the handlers' execution environments run in their bundle's folder). */
export async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
  }
  return pids;
}

/** Whether anything still accepts connections at `url`. */
export async function listening(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` every 250 ms until it gives a value. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
