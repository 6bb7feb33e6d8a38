import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { abort, advance, createRelease, promote, readDocument, startRollout } from '../../src/edge/service.js';
import { tempDir } from '../helpers/cli.js';
import { fakeEdge, fakeMetrics } from './fake-edge.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const gates = { maxErrorRate: 0.01, minRequests: 100, alarms: [] as string[] };

async function build(name: string, content: string): Promise<string> {
  const dir = join(scratch.path, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.html'), content);
  return dir;
}

async function withCandidate(metrics = fakeMetrics(() => ({ exposures: 1000, originResponses: 500, origin5xx: 0 }))) {
  const edge = fakeEdge(scratch.path, metrics);
  const { release } = await createRelease(edge, { dir: await build('v2', 'v2'), dryRun: false });
  await startRollout(edge, { candidate: release.id, steps: [10, 50, 100], intervalSeconds: 600, gates, dryRun: false });
  return { edge, candidate: release.id, metrics };
}

describe('release and rollout operations', () => {
  it('uploads then registers a release; the same content again changes nothing', async () => {
    const edge = fakeEdge(scratch.path, fakeMetrics(() => undefined));
    const first = await createRelease(edge, { dir: await build('v1', 'hello'), dryRun: false });
    expect(first).toMatchObject({ uploaded: true, registered: true, release: { createdBy: 'tester', files: 1, bytes: 5 } });
    const again = await createRelease(edge, { dir: await build('v1-copy', 'hello'), dryRun: false });
    expect(again).toMatchObject({ uploaded: false, registered: false, release: { id: first.release.id } });
    expect((await readDocument(edge)).revision).toBe(1);
  });

  it('a dry run uploads and writes nothing', async () => {
    const edge = fakeEdge(scratch.path, fakeMetrics(() => undefined));
    const result = await createRelease(edge, { dir: await build('v1', 'hello'), dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(await edge.uploader.uploaded(result.release.id)).toBe(false);
    expect(await edge.store.read()).toBeUndefined();
  });

  it('refuses to start on an alarm that does not exist, before writing anything', async () => {
    const edge = fakeEdge(scratch.path, fakeMetrics(() => undefined, { known: 'OK' }));
    const { release } = await createRelease(edge, { dir: await build('v2', 'v2'), dryRun: false });
    await expect(startRollout(edge, { candidate: release.id, steps: [100], intervalSeconds: 60, gates: { ...gates, alarms: ['known', 'typo'] }, dryRun: false })).rejects.toMatchObject({ code: 'ALARM_NOT_FOUND', exitCode: 3 });
    expect((await readDocument(edge)).rollout).toBeNull();
  });

  it('advance moves one step when the gates pass, judging the step so far', async () => {
    const { edge, metrics } = await withCandidate();
    edge.clock.now += 120_000;
    const result = await advance(edge, { dryRun: false });
    expect(result.action).toBe('advanced');
    expect(result.document.rollout).toMatchObject({ step: 1 });
    expect(metrics.windows.at(-1)).toEqual({ from: new Date(edge.clock.now - 120_000), to: new Date(edge.clock.now) });
    expect((await readDocument(edge)).rollout?.step).toBe(1);
  });

  it('advance aborts when the candidate fails its error-rate gate, and records why', async () => {
    const { edge } = await withCandidate(fakeMetrics(() => ({ exposures: 1000, originResponses: 500, origin5xx: 25 })));
    const result = await advance(edge, { dryRun: false });
    expect(result.action).toBe('aborted');
    const stored = await readDocument(edge);
    expect(stored.rollout).toMatchObject({ state: 'aborted', reason: expect.stringContaining('gate failed: 5xx rate: 5% of 500 origin responses') });
    expect(stored.history.at(-1)).toMatchObject({ action: 'abort', weight: 0 });
  });

  it('advance pauses on too little traffic instead of failing', async () => {
    const { edge } = await withCandidate(fakeMetrics(() => ({ exposures: 20, originResponses: 20, origin5xx: 20 })));
    const result = await advance(edge, { dryRun: false });
    expect(result.action).toBe('paused');
    expect((await readDocument(edge)).rollout).toMatchObject({ state: 'paused', step: 0 });
  });

  it('advance --dry-run judges but writes nothing', async () => {
    const { edge } = await withCandidate();
    const before = await edge.store.read();
    expect((await advance(edge, { dryRun: true })).action).toBe('advanced');
    expect(await edge.store.read()).toEqual(before);
  });

  it('advance fails with exit 4 when someone changed the document while the gates were judged', async () => {
    let edge!: ReturnType<typeof fakeEdge>;
    const metrics = fakeMetrics(() => ({ exposures: 1000, originResponses: 10, origin5xx: 0 }));
    const racing = { ...metrics, async releaseCounts(release: string, window: { from: Date; to: Date }) {
      // Another operator aborts meanwhile.
      await abort({ ...edge, metrics }, { dryRun: false });
      return metrics.releaseCounts(release, window);
    } };
    ({ edge } = await withCandidate(metrics));
    await expect(advance({ ...edge, metrics: racing }, { dryRun: false })).rejects.toMatchObject({ code: 'RELEASE_DOCUMENT_CHANGED', exitCode: 4 });
    expect((await readDocument(edge)).rollout?.state).toBe('aborted');
  });

  it('promote --full makes the candidate stable; a later rollout starts from it', async () => {
    const { edge, candidate } = await withCandidate();
    const { document } = await promote(edge, { full: true, dryRun: false });
    expect(document.stable).toBe(candidate);
    const { release } = await createRelease(edge, { dir: await build('v3', 'v3'), dryRun: false });
    const next = await startRollout(edge, { candidate: release.id, steps: [100], intervalSeconds: 60, gates, dryRun: false });
    expect(next.document.rollout).toMatchObject({ candidate: release.id, state: 'running' });
    expect(next.document.history.at(-1)?.detail).toContain(`over ${candidate}`);
  });
});
