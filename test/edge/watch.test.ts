import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { abort, createRelease, readDocument, startRollout } from '../../src/edge/service.js';
import { driveStep, watchPlan } from '../../src/edge/watch.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { tempDir } from '../helpers/cli.js';
import { T0 } from './fixtures.js';
import { fakeEdge, fakeMetrics } from './fake-edge.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const healthy = { exposures: 2000, originResponses: 1000, origin5xx: 1 };

async function started(counts: Parameters<typeof fakeMetrics>[0]) {
  const edge = fakeEdge(scratch.path, fakeMetrics(counts));
  const dir = join(scratch.path, 'site');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.html'), 'v2');
  const { release } = await createRelease(edge, { dir, dryRun: false });
  await startRollout(edge, { candidate: release.id, steps: [10, 50, 100], intervalSeconds: 600, gates: { maxErrorRate: 0.01, minRequests: 500, alarms: [] }, dryRun: false });
  return edge;
}

describe('--watch', () => {
  it('drives every step to completion when the gates keep passing, one interval per step', async () => {
    const edge = await started(() => healthy);
    const lines: string[] = [];
    const outcome = await watchPlan(edge, plainTaskRunner((line) => lines.push(line)), { tickSeconds: 60 });
    expect(outcome.document.rollout?.state).toBe('complete');
    expect(outcome.document.stable).toBe(outcome.document.rollout?.candidate);
    expect(edge.clock.now - T0.getTime()).toBe(2 * 600_000);
    expect(outcome.document.history.map((h) => h.action)).toEqual(['release', 'start', 'advance', 'advance']);
    expect(lines.filter((l) => l.startsWith('✔'))).toHaveLength(2);
  });

  it('rolls back by itself when a gate fails mid-step, and says which metric, value and window', async () => {
    // Healthy during the first step; the candidate starts failing four minutes into the second.
    const edge = await started((_release, window) => (window.to.getTime() - T0.getTime() < 840_000 ? healthy : { exposures: 2000, originResponses: 1000, origin5xx: 80 }));
    const lines: string[] = [];
    const outcome = await watchPlan(edge, plainTaskRunner((line) => lines.push(line)), { tickSeconds: 60 });
    const stored = await readDocument(edge);
    expect(stored.rollout?.state).toBe('aborted');
    expect(stored.rollout?.step).toBe(1);
    expect(edge.clock.now - T0.getTime()).toBe(840_000);
    expect(stored.rollout?.reason).toBe(
      `rolled back by the watcher: 5xx rate: 8% of 1,000 origin responses, 2,000 requests, over the last 4m (max 1%) (window ${new Date(T0.getTime() + 600_000).toISOString()} – ${new Date(T0.getTime() + 840_000).toISOString()})`,
    );
    expect(outcome.end).toMatchObject({ kind: 'aborted' });
    expect(lines).toContainEqual(expect.stringMatching(/^✖ Step 2 of 3: .*Rolled back: 5xx rate: 8%/));
  });

  it('pauses at the end of a step whose traffic was too thin to judge', async () => {
    const edge = await started(() => ({ exposures: 12, originResponses: 12, origin5xx: 0 }));
    const end = await driveStep(edge, 0, { tickSeconds: 60 });
    expect(end.kind).toBe('paused');
    expect((await readDocument(edge)).rollout).toMatchObject({ state: 'paused', step: 0, reason: expect.stringContaining('12 of the 500 requests needed') });
    expect(edge.clock.now - T0.getTime()).toBe(600_000);
  });

  it('stops watching a step that someone else aborted', async () => {
    const edge = await started(() => healthy);
    let ticks = 0;
    const sleep = edge.sleep;
    edge.sleep = async (ms) => {
      if (++ticks === 2) await abort(edge, { reason: 'from another terminal', dryRun: false });
      await sleep(ms);
    };
    const end = await driveStep(edge, 0, { tickSeconds: 60 });
    expect(end.kind).toBe('left');
    expect((await readDocument(edge)).rollout).toMatchObject({ state: 'aborted', reason: 'from another terminal' });
  });
});
