import { type FSWatcher, watch } from 'node:fs';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

import type { ProjectConfig } from '../project/schema.js';
import { localEdgeDir } from '../edge/release-store.js';
import { type RunningSandbox, type SandboxApp, type SandboxSummary, startSandbox } from './sandbox.js';
import type { DevLog, DevTiming } from './types.js';

export interface DevRunOptions {
  root: string;
  config: ProjectConfig;
  port: number;
  watch: boolean;
  timing: DevTiming;
  log: DevLog;
  /** Synthesizes one app for the local stage; returns its assembly folder. */
  synthesize: (appDir: string) => Promise<string>;
  /** Called once everything serves (and again after each --watch reload). */
  onReady: (summary: SandboxSummary, reload: boolean) => void;
  /** Resolves when sprout dev should stop (Ctrl-C). */
  stopped: Promise<void>;
  /** Starts the sandbox (tests inject a fake). */
  start?: typeof startSandbox;
}

/** What other terminals and scripts read to find the running sandbox. */
export function devStateFile(root: string): string {
  return join(localEdgeDir(root), 'dev.json');
}

/** The apps to run: a workspace's services, or the project itself. */
export function appsOf(root: string, config: ProjectConfig): Array<{ name: string; dir: string }> {
  const services = Object.entries(config.services ?? {});
  if (services.length === 0) return [{ name: config.name, dir: root }];
  return services.map(([name, service]) => ({ name, dir: join(root, service.path) }));
}

/**
 * Synthesizes, serves until `stopped`, and with --watch re-synthesizes on each change to the
 * apps' code and restarts everything but the data emulators. A change that does not synthesize
 * is reported and the running sandbox keeps serving. Returns the last summary.
 */
export async function runDev(options: DevRunOptions): Promise<SandboxSummary> {
  const apps = appsOf(options.root, options.config);
  const start = options.start ?? startSandbox;
  const synthesizeAll = async (): Promise<SandboxApp[]> =>
    Promise.all(apps.map(async (app) => ({ name: app.name, assemblyDir: await options.synthesize(app.dir) })));

  let sandbox: RunningSandbox = await start({ root: options.root, project: options.config.name, apps: await synthesizeAll(), port: options.port, timing: options.timing, log: options.log });
  await writeState(options.root, sandbox.summary);
  options.onReady(sandbox.summary, false);

  const watchers: FSWatcher[] = [];
  let reloading: Promise<void> = Promise.resolve();
  if (options.watch) {
    let timer: NodeJS.Timeout | undefined;
    const changed = (file: string) => {
      options.log({ kind: 'info', source: 'watch', message: `${file} changed` });
      clearTimeout(timer);
      timer = setTimeout(() => {
        reloading = reloading.then(reload);
      }, 300);
    };
    for (const app of apps) {
      const watcher = watch(app.dir, { recursive: true }, (_event, file) => {
        if (file && isSource(file.toString())) changed(join(relative(options.root, app.dir), file.toString()));
      });
      watchers.push(watcher);
    }
  }

  async function reload(): Promise<void> {
    let assemblies: SandboxApp[];
    try {
      assemblies = await synthesizeAll();
    } catch (error) {
      options.log({ kind: 'error', source: 'watch', message: `${(error as Error).message}\nStill serving the last version that synthesized.` });
      return;
    }
    const port = firstPort(sandbox.summary) ?? options.port;
    const data = sandbox.data;
    await sandbox.close({ keepData: true });
    try {
      const awsPort = Number(new URL(sandbox.summary.endpoints.aws).port);
      sandbox = await start({ root: options.root, project: options.config.name, apps: assemblies, port, timing: options.timing, log: options.log, data, awsPort });
    } catch (error) {
      // The old sandbox is closed and the new one did not start: nothing serves until the next change, but the data is kept.
      options.log({ kind: 'error', source: 'watch', message: `${(error as Error).message}\nNot serving until the next change.` });
      return;
    }
    await writeState(options.root, sandbox.summary);
    options.onReady(sandbox.summary, true);
  }

  try {
    await options.stopped;
  } finally {
    for (const watcher of watchers) watcher.close();
    await reloading.catch(() => undefined);
    await sandbox.close();
    await rm(devStateFile(options.root), { force: true });
  }
  return sandbox.summary;
}

/** Files whose change can change the app: not dependencies, build output, tests or sprout's own state. */
export function isSource(file: string): boolean {
  const parts = file.split(sep);
  const ignored = ['node_modules', '.sprout', 'cdk.out', '.git', 'test', 'dist', 'coverage'];
  return !parts.some((part) => ignored.includes(part)) && !file.endsWith('.md');
}

function firstPort(summary: SandboxSummary): number | undefined {
  const url = summary.distributions[0]?.url ?? summary.apis[0]?.url;
  return url ? Number(new URL(url).port) : undefined;
}

async function writeState(root: string, summary: SandboxSummary): Promise<void> {
  const file = devStateFile(root);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), distributions: summary.distributions, apis: summary.apis }, null, 2)}\n`);
}
