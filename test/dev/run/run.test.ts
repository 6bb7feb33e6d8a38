import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { appsOf, devStateFile, isSource, runDev } from '../../../src/dev/run.js';
import type { RunningSandbox, SandboxOptions, SandboxSummary } from '../../../src/dev/sandbox.js';
import type { DevLogEvent } from '../../../src/dev/types.js';
import type { ProjectConfig } from '../../../src/project/schema.js';
import { tempDir } from '../../helpers/cli.js';

const config = { name: 'shop', pattern: 'backend-api', options: {}, stages: { local: {} }, defaultStage: 'local' } as unknown as ProjectConfig;

function summaryFor(port: number): SandboxSummary {
  return { project: 'shop', distributions: [], apis: [{ name: 'api', kind: 'rest', url: `http://127.0.0.1:${port}/local` }], endpoints: { aws: 'http://127.0.0.1:5000' } } as unknown as SandboxSummary;
}

/** A sandbox that records how it was started and closed. */
function fakeSandboxes() {
  const started: SandboxOptions[] = [];
  const closed: Array<{ keepData?: boolean }> = [];
  const data = { dynamodb: 'd', s3: 's', kinesis: 'k' } as RunningSandbox['data'];
  const start = async (options: SandboxOptions): Promise<RunningSandbox> => {
    started.push(options);
    if (options.apps.some((app) => app.assemblyDir === 'broken')) throw new Error('the new handler does not start');
    return { summary: summaryFor(options.port || 4000), data, idle: async () => {}, close: async (o = {}) => void closed.push(o) };
  };
  return { started, closed, data, start };
}

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
  await mkdir(join(dir.path, 'src'), { recursive: true });
});
afterEach(() => dir.cleanup());

const until = (check: () => boolean, ms = 5000) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - started > ms ? reject(new Error('timed out')) : setTimeout(tick, 20));
    tick();
  });

describe('runDev', () => {
  it('serves until stopped, writes .sprout/local/dev.json while it runs, and closes everything (data included) at the end', async () => {
    const fake = fakeSandboxes();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const ready: SandboxSummary[] = [];
    const run = runDev({ root: dir.path, config, port: 4000, watch: false, timing: { scale: 1 }, log: () => {}, synthesize: async () => 'cdk.out', onReady: (s) => ready.push(s), stopped, start: fake.start });
    await until(() => ready.length === 1);
    expect(JSON.parse(await readFile(devStateFile(dir.path), 'utf8'))).toMatchObject({ pid: process.pid, apis: [{ url: 'http://127.0.0.1:4000/local' }] });
    stop();
    await run;
    expect(fake.closed).toEqual([{}]);
    await expect(stat(devStateFile(dir.path))).rejects.toThrow();
  });

  it('--watch: a change re-synthesizes and restarts on the same port with the same data; a change that does not synthesize keeps the old one serving', async () => {
    const fake = fakeSandboxes();
    const logs: DevLogEvent[] = [];
    let synth = 0;
    let outcome: 'ok' | 'fails' | 'broken' = 'ok';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const reloads: boolean[] = [];
    const run = runDev({
      root: dir.path,
      config,
      port: 0,
      watch: true,
      timing: { scale: 1 },
      log: (event) => logs.push(event),
      synthesize: async () => {
        synth++;
        if (outcome === 'fails') throw new Error('infra/app.ts(3,1): error TS1005');
        return outcome === 'broken' ? 'broken' : `cdk.out-${synth}`;
      },
      onReady: (_s, reload) => reloads.push(reload),
      stopped,
      start: fake.start,
    });
    await until(() => reloads.length === 1);

    await writeFile(join(dir.path, 'src', 'handler.ts'), 'export const a = 1;');
    await until(() => reloads.length === 2);
    expect(fake.closed).toEqual([{ keepData: true }]);
    // Same API port, same local AWS endpoint, same data emulators: URLs handed out before stay valid.
    expect(fake.started[1]).toMatchObject({ port: 4000, awsPort: 5000, data: fake.data, apps: [{ assemblyDir: 'cdk.out-2' }] });

    outcome = 'fails';
    await writeFile(join(dir.path, 'src', 'handler.ts'), 'export const a = ;');
    await until(() => logs.some((l) => l.kind === 'error'));
    expect(logs.find((l) => l.kind === 'error')!.message).toContain('Still serving the last version that synthesized');
    // Nothing was closed or restarted for it.
    expect(fake.closed).toHaveLength(1);
    expect(fake.started).toHaveLength(2);

    outcome = 'broken';
    await writeFile(join(dir.path, 'src', 'handler.ts'), 'export const a = 2;');
    await until(() => logs.some((l) => l.message.includes('Not serving until the next change')));

    outcome = 'ok';
    await writeFile(join(dir.path, 'src', 'handler.ts'), 'export const a = 3;');
    await until(() => reloads.length === 3);
    expect(fake.started.at(-1)).toMatchObject({ data: fake.data });
    stop();
    await run;
  });

  it('runs a workspace’s services as one app, and ignores changes that cannot change it', () => {
    expect(appsOf('/p', { ...config, services: { catalog: { path: 'services/catalog' }, orders: { path: 'services/orders' } } } as unknown as ProjectConfig)).toEqual([
      { name: 'catalog', dir: '/p/services/catalog' },
      { name: 'orders', dir: '/p/services/orders' },
    ]);
    expect(appsOf('/p', config)).toEqual([{ name: 'shop', dir: '/p' }]);
    expect(isSource('src/functions/get-item.ts')).toBe(true);
    expect(isSource('sprout.json')).toBe(true);
    for (const ignored of ['node_modules/x/index.js', '.sprout/local/flags.json', 'cdk.out/manifest.json', 'test/items.test.ts', 'README.md']) expect(isSource(ignored)).toBe(false);
  });
});
