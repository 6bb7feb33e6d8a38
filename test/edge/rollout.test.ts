import { describe, expect, it } from 'vitest';

import { abort, pause, promoteFully, registerRelease, RELEASES_KEPT, resume, startRollout, stepForward } from '../../src/edge/rollout.js';
import { emptyReleaseDocument, routingOf, validateReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { A, at, B, PLAN, release, running, T0, withReleases } from './fixtures.js';

const bob = (seconds: number) => ({ at: at(seconds), actor: 'bob' });

describe('the rollout state machine', () => {
  it('starts at the first step, keeps the plan and records who started it', () => {
    const document = running();
    expect(document.rollout).toMatchObject({ candidate: B, state: 'running', step: 0, steps: [10, 50, 100], stepStartedAt: T0.toISOString(), salt: 'salt1' });
    expect(routingOf(document)).toEqual({ stable: A, candidate: B, candidateWeight: 1000, salt: 'salt1', experiments: [] });
    expect(document.history.at(-1)).toMatchObject({ action: 'start', actor: 'alice', weight: 10 });
    expect(validateReleaseDocument(document)).toEqual([]);
  });

  it('raises the revision by one per change', () => {
    const started = running();
    expect(stepForward(started, bob(60), 'advance').revision).toBe(started.revision + 1);
  });

  it('refuses a second rollout while one is live (exit 4), an unknown release (3) and the stable one (3)', () => {
    expect(() => startRollout(running(), PLAN, bob(1))).toThrow(expect.objectContaining({ code: 'ROLLOUT_IN_PROGRESS', exitCode: 4 }));
    expect(() => startRollout(withReleases(), { ...PLAN, candidate: 'r-cccccccccccc' }, bob(1))).toThrow(expect.objectContaining({ code: 'RELEASE_NOT_FOUND', exitCode: 3 }));
    expect(() => startRollout(withReleases(), { ...PLAN, candidate: A }, bob(1))).toThrow(expect.objectContaining({ code: 'ALREADY_STABLE', exitCode: 3 }));
    expect(() => startRollout(withReleases(), { ...PLAN, steps: [50, 10, 100] }, bob(1))).toThrow(expect.objectContaining({ code: 'BAD_STEPS', exitCode: 2 }));
  });

  it('steps forward and completes on reaching 100%: the candidate becomes stable', () => {
    const second = stepForward(running(), bob(600), 'advance');
    expect(second.rollout).toMatchObject({ step: 1, state: 'running', stepStartedAt: at(600).toISOString() });
    expect(routingOf(second).candidateWeight).toBe(5000);
    const done = stepForward(second, bob(1200), 'advance');
    expect(done.stable).toBe(B);
    expect(done.rollout?.state).toBe('complete');
    expect(routingOf(done)).toMatchObject({ stable: B, candidate: null, candidateWeight: 0 });
    expect(done.history.at(-1)).toMatchObject({ action: 'advance', weight: 100, actor: 'bob' });
  });

  it('promotes in full from any step', () => {
    const done = promoteFully(running(), bob(5));
    expect(done).toMatchObject({ stable: B, rollout: { state: 'complete' } });
  });

  it('aborts to weight 0 at once, keeps the stable release and the candidate\'s entry', () => {
    const aborted = abort(stepForward(running(), bob(600), 'advance'), bob(700), 'broken');
    expect(routingOf(aborted)).toEqual({ stable: A, candidate: null, candidateWeight: 0, salt: 'salt1', experiments: [] });
    expect(aborted.stable).toBe(A);
    expect(aborted.releases.map((r) => r.id)).toContain(B);
    expect(aborted.history.at(-1)).toMatchObject({ action: 'abort', weight: 0, detail: 'broken' });
    expect(() => abort(aborted, bob(800), 'again')).toThrow(expect.objectContaining({ code: 'NO_ROLLOUT', exitCode: 3 }));
  });

  it('pausing keeps the traffic split; advancing a paused rollout is refused, promoting it is not', () => {
    const paused = pause(running(), bob(30), 'looking');
    expect(routingOf(paused).candidateWeight).toBe(1000);
    expect(() => stepForward(paused, bob(40), 'advance')).toThrow(expect.objectContaining({ code: 'ROLLOUT_PAUSED' }));
    expect(stepForward(paused, bob(40), 'promote').rollout).toMatchObject({ step: 1, state: 'running' });
    expect(pause(paused, bob(50), 'again')).toBe(paused);
  });

  it('resuming restarts the step clock so the gates judge only new traffic', () => {
    const resumed = resume(pause(running(), bob(30), 'x'), bob(900));
    expect(resumed.rollout).toMatchObject({ state: 'running', stepStartedAt: at(900).toISOString() });
    expect(resumed.rollout).not.toHaveProperty('reason');
    expect(resume(resumed, bob(901))).toBe(resumed);
  });

  it('registering the same release twice changes nothing; the list drops the oldest but never stable or candidate', () => {
    const document = withReleases();
    expect(registerRelease(document, release(A), bob(1))).toBe(document);
    let many = running();
    for (let i = 0; i < RELEASES_KEPT + 5; i++) many = registerRelease(many, release(`r-${i.toString(16).padStart(12, '0')}`), bob(i));
    expect(many.releases).toHaveLength(RELEASES_KEPT);
    expect(many.releases.map((r) => r.id)).toEqual(expect.arrayContaining([A, B]));
    expect(validateReleaseDocument(many)).toEqual([]);
  });

  it('a fresh document has nothing to roll back or advance', () => {
    expect(() => stepForward(emptyReleaseDocument('dev'), bob(1), 'advance')).toThrow(expect.objectContaining({ code: 'NO_ROLLOUT' }));
  });
});

describe('the status of a rollout', () => {
  it('shows the split while running, and a completed rollout as its release serving everyone', async () => {
    const { statusOf, renderStatus, exitCodeOf } = await import('../../src/edge/status.js');
    const runningStatus = statusOf(running(), 'loc', at(90));
    expect(runningStatus).toMatchObject({ health: 'progressing', rollout: { step: 1, weights: { stable: 90, candidate: 10 }, timeInStepSeconds: 90 } });
    expect(exitCodeOf(runningStatus.health)).toBe(69);
    expect(renderStatus(runningStatus)).toContain(`${'█'.repeat(36)}${'▒'.repeat(4)}  █ ${A} 90%  ▒ ${B} 10%`);
    const done = statusOf(promoteFully(running(), bob(5)), 'loc', at(9));
    expect(done).toMatchObject({ health: 'complete', stable: B, rollout: { weights: { stable: 100, candidate: 0 } } });
    expect(renderStatus(done)).toContain(`${'█'.repeat(40)}  █ ${B} 100%`);
    expect(exitCodeOf(done.health)).toBe(0);
  });
});
