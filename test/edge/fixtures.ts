import { emptyReleaseDocument, type Experiment, type ReleaseDocument, type ReleaseEntry } from '../../src/runtime/edge-router/release-document.js';
import { registerRelease, type RolloutPlan, startRollout } from '../../src/edge/rollout.js';

export const A = 'r-aaaaaaaaaaaa';
export const B = 'r-bbbbbbbbbbbb';
export const T0 = new Date('2026-11-26T10:00:00.000Z');

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export function release(id: string, overrides: Partial<ReleaseEntry> = {}): ReleaseEntry {
  return { id, createdAt: T0.toISOString(), createdBy: 'alice', files: 3, bytes: 1200, ...overrides };
}

export const PLAN: RolloutPlan = { candidate: B, steps: [10, 50, 100], intervalSeconds: 600, gates: { maxErrorRate: 0.01, minRequests: 500, alarms: [] }, salt: 'salt1' };

/** A document with releases A (stable) and B registered. */
export function withReleases(stage = 'prod'): ReleaseDocument {
  let document = emptyReleaseDocument(stage);
  document = registerRelease(document, release(A), { at: T0, actor: 'alice' });
  document = registerRelease(document, release(B), { at: T0, actor: 'alice' });
  return { ...document, stable: A };
}

/** A document with a rollout of B over A running at its first step (10%). */
export function running(plan: Partial<RolloutPlan> = {}): ReleaseDocument {
  return startRollout(withReleases(), { ...PLAN, ...plan }, { at: T0, actor: 'alice' });
}

/** A running experiment on the whole site: control (the stable release) against B, 50/50. */
export function experimentOf(overrides: Partial<Experiment> = {}): Experiment {
  return {
    name: 'checkout',
    paths: ['/*'],
    variants: [
      { name: 'control', target: 'stable', weight: 50 },
      { name: 'b', target: B, weight: 50 },
    ],
    salt: 'exp-salt',
    metric: 'conversion',
    minSample: 1000,
    state: 'running',
    startedAt: T0.toISOString(),
    ...overrides,
  };
}
