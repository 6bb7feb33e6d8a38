import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { json, sprout, tempDir } from '../helpers/cli.js';

// The end-to-end path on the local stage, through the built CLI as a user runs it: no AWS
// account, the release document in .sprout/local/. (A generated spa project is tried in the
// template harness; here the build folder is written by hand, so no npm install is needed.)

let project: Awaited<ReturnType<typeof tempDir>>;
const env = { SPROUT_ACTOR: 'alice@laptop' };
const cli = (...args: string[]) => sprout(args, { cwd: project.path, env });

beforeAll(async () => {
  project = await tempDir();
  await writeFile(join(project.path, 'sprout.json'), JSON.stringify({ name: 'shop', pattern: 'spa', options: {}, stages: { local: {} }, defaultStage: 'local' }));
  await mkdir(join(project.path, 'dist', 'site', 'assets'), { recursive: true });
  await writeFile(join(project.path, 'dist', 'site', 'index.html'), '<html><script src="/assets/main-A1.js"></script></html>');
  await writeFile(join(project.path, 'dist', 'site', 'assets', 'main-A1.js'), 'console.log("v2")');
});
afterAll(() => project.cleanup());

describe('releases and rollouts on the local stage', () => {
  let id: string;

  it('status before anything: nothing in progress, exit 0', async () => {
    const run = await cli('rollout', 'status', '--json');
    expect(run.exitCode).toBe(0);
    expect(json(run).result).toMatchObject({ health: 'idle', stable: null, rollout: null });
  });

  it('release create uploads the build into .sprout/local and registers it', async () => {
    const run = await cli('release', 'create', '--json');
    expect(run.exitCode).toBe(0);
    id = json(run).result.release.id;
    expect(id).toMatch(/^r-[0-9a-f]{12}$/);
    expect((await readdir(join(project.path, '.sprout', 'local', 'site', 'releases', id))).sort()).toEqual(['.sprout-release.json', 'assets', 'index.html']);
    const again = await cli('release', 'create', '--json');
    expect(json(again).result).toMatchObject({ uploaded: false, registered: false, release: { id } });
  });

  it('an unknown release is exit 3, and a usage mistake exit 2', async () => {
    expect((await cli('rollout', 'start', 'r-000000000000', '--json')).exitCode).toBe(3);
    expect((await cli('rollout', 'start', id, '--steps', '50,10', '--json')).exitCode).toBe(2);
    expect((await cli('rollout', 'advance', '--json')).exitCode).toBe(3);
  });

  it('start, advance, abort, status: the whole path, with the history', async () => {
    const start = await cli('rollout', 'start', id, '--steps', '10,50,100', '--json');
    expect(start.exitCode).toBe(0);
    expect(json(start).result.rollout.weights).toEqual({ stable: 90, candidate: 10 });
    expect((await cli('rollout', 'start', id, '--json')).exitCode).toBe(4);

    const advance = await cli('rollout', 'advance', '--json');
    expect(advance.exitCode).toBe(0);
    expect(json(advance).result).toMatchObject({ action: 'advanced', rollout: { weights: { candidate: 50 } } });
    // No traffic was served locally: the error-rate gate says it did not judge.
    expect(json(advance).result.verdict.checks).toEqual([expect.objectContaining({ gate: 'error-rate', result: 'skipped' })]);

    const inProgress = await cli('rollout', 'status');
    expect(inProgress.exitCode).toBe(69);
    expect(inProgress.stdout).toContain('Running: step 2 of 3 (10 → 50 → 100%)');
    expect(inProgress.stdout).toMatch(/█{20}▒{20}/);

    const abort = await cli('rollout', 'abort');
    expect(abort.exitCode).toBe(0);
    expect(abort.stdout).toContain(`Still deployed: ${id} (no traffic`);

    const status = await cli('rollout', 'status', '--json');
    expect(status.exitCode).toBe(1);
    const result = json(status).result;
    expect(result).toMatchObject({ health: 'aborted', rollout: { candidate: id, state: 'aborted', weights: { stable: 100, candidate: 0 } } });
    expect(result.history.map((h: { action: string; weight?: number; actor: string }) => [h.action, h.weight, h.actor])).toEqual([
      ['release', undefined, 'alice@laptop'],
      ['start', 10, 'alice@laptop'],
      ['advance', 50, 'alice@laptop'],
      ['abort', 0, 'alice@laptop'],
    ]);
  });

  it('promote --full after a new start makes the release stable (exit 0 from status)', async () => {
    expect((await cli('rollout', 'start', id, '--steps', '25,100', '--json')).exitCode).toBe(0);
    expect((await cli('rollout', 'pause', '--json')).exitCode).toBe(0);
    expect((await cli('rollout', 'advance', '--json')).exitCode).toBe(3);
    const promote = await cli('rollout', 'promote', '--full', '--json');
    expect(json(promote).result).toMatchObject({ stable: id, health: 'complete' });
    expect((await cli('rollout', 'status', '--json')).exitCode).toBe(0);
    const list = json(await cli('release', 'list', '--json')).result;
    expect(list.releases).toEqual([expect.objectContaining({ id, role: 'stable' })]);
  });
});
