import { describe, expect, it } from 'vitest';

import { type ExperimentPlan, EXPERIMENTS_KEPT, findExperiment, startExperiment, stopExperiment } from '../../src/edge/experiments.js';
import { parseRates, parseVariants } from '../../src/edge/inputs.js';
import { abort, registerRelease, RELEASES_KEPT } from '../../src/edge/rollout.js';
import { routingOf, validateReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { A, at, B, experimentOf, release, running, T0, withReleases } from './fixtures.js';

const who = { at: T0, actor: 'alice' };
const plan = (overrides: Partial<ExperimentPlan> = {}): ExperimentPlan => {
  const { state, startedAt, ...running } = experimentOf({ paths: ['/checkout/*'] });
  return { ...running, ...overrides };
};

describe('starting an experiment', () => {
  it('adds it running, moves the document to schema 2 and records who started it', () => {
    const document = startExperiment(withReleases(), plan(), who);
    expect(document.schema).toBe(2);
    expect(document.revision).toBe(withReleases().revision + 1);
    expect(document.experiments).toEqual([{ ...plan(), state: 'running', startedAt: T0.toISOString() }]);
    expect(document.history.at(-1)).toMatchObject({ action: 'experiment-start', actor: 'alice', detail: expect.stringContaining('checkout on /checkout/*: control=stable 50%, b=r-bbbbbbbbbbbb 50%') });
    expect(validateReleaseDocument(document)).toEqual([]);
    expect(routingOf(document).experiments).toEqual([
      { name: 'checkout', paths: ['/checkout/*'], salt: 'exp-salt', variants: [{ name: 'control', target: 'stable', upTo: 5000 }, { name: 'b', target: B, upTo: 10_000 }] },
    ]);
  });

  it('runs alongside a rollout without touching it', () => {
    const before = running();
    const document = startExperiment(before, plan(), who);
    expect(document.rollout).toEqual(before.rollout);
    expect(routingOf(document)).toMatchObject({ candidate: B, candidateWeight: 1000, salt: 'salt1' });
  });

  it('refuses a second experiment on overlapping paths (exit 4), and the same name twice', () => {
    const document = startExperiment(withReleases(), plan(), who);
    for (const paths of [['/checkout/pay'], ['/*'], ['/checkout/*'], ['/checkout']]) {
      expect(() => startExperiment(document, plan({ name: 'other', paths }), who)).toThrow(expect.objectContaining({ code: 'EXPERIMENT_OVERLAP', exitCode: 4 }));
    }
    expect(startExperiment(document, plan({ name: 'other', paths: ['/checkouts/*', '/pricing'] }), who).experiments).toHaveLength(2);
    expect(() => startExperiment(document, plan({ paths: ['/pricing'] }), who)).toThrow(expect.objectContaining({ code: 'EXPERIMENT_EXISTS' }));
  });

  it('refuses bad names, paths, weights and metrics, and an unknown release', () => {
    const base = withReleases();
    expect(() => startExperiment(base, plan({ name: 'Checkout!' }), who)).toThrow(expect.objectContaining({ code: 'BAD_EXPERIMENT_NAME', exitCode: 2 }));
    expect(() => startExperiment(base, plan({ paths: ['checkout'] }), who)).toThrow(expect.objectContaining({ code: 'BAD_PATHS' }));
    expect(() => startExperiment(base, plan({ paths: ['/a*b'] }), who)).toThrow(expect.objectContaining({ code: 'BAD_PATHS' }));
    expect(() => startExperiment(base, plan({ variants: [{ name: 'a', target: 'stable', weight: 60 }, { name: 'b', target: B, weight: 30 }] }), who)).toThrow(/add up to 100 \(they add up to 90\)/);
    expect(() => startExperiment(base, plan({ variants: [{ name: 'a', target: 'stable', weight: 100 }] }), who)).toThrow(expect.objectContaining({ code: 'BAD_VARIANTS' }));
    expect(() => startExperiment(base, plan({ metric: 'Sign Up' }), who)).toThrow(expect.objectContaining({ code: 'BAD_METRIC' }));
    expect(() => startExperiment(base, plan({ variants: [{ name: 'a', target: 'stable', weight: 50 }, { name: 'b', target: 'r-0123456789ab', weight: 50 }] }), who)).toThrow(
      expect.objectContaining({ code: 'RELEASE_NOT_FOUND', exitCode: 3 }),
    );
    // An origin variant: a domain name, not a release.
    const api = startExperiment(base, plan({ variants: [{ name: 'a', target: 'stable', weight: 50 }, { name: 'b', target: 'api-b.example.com', weight: 50 }] }), who);
    expect(api.experiments![0]!.variants[1]!.target).toBe('api-b.example.com');
  });

  it('keeps its releases in the document while it may route to them', () => {
    let document = startExperiment(withReleases(), plan({ variants: [{ name: 'a', target: A, weight: 50 }, { name: 'b', target: B, weight: 50 }] }), who);
    document = { ...document, stable: null };
    for (let i = 0; i < RELEASES_KEPT + 5; i++) document = registerRelease(document, release(`r-${i.toString(16).padStart(12, 'c')}`), who);
    expect(document.releases.map((r) => r.id)).toEqual(expect.arrayContaining([A, B]));
    expect(validateReleaseDocument(document)).toEqual([]);
  });

  it('drops the oldest stopped experiments beyond the limit, never a running one', () => {
    let document = withReleases();
    for (let i = 0; i < EXPERIMENTS_KEPT + 3; i++) {
      document = startExperiment(document, plan({ name: `e${i}`, paths: ['/*'] }), { at: at(i), actor: 'alice' });
      if (i < EXPERIMENTS_KEPT + 2) document = stopExperiment(document, `e${i}`, undefined, { at: at(i), actor: 'alice' });
    }
    expect(document.experiments).toHaveLength(EXPERIMENTS_KEPT);
    expect(document.experiments!.at(-1)).toMatchObject({ name: `e${EXPERIMENTS_KEPT + 2}`, state: 'running' });
    expect(document.experiments![0]!.name).toBe('e3');
  });
});

describe('stopping an experiment', () => {
  const started = () => startExperiment(withReleases(), plan(), who);

  it('without a winner: nobody is routed by it any more, the counts stay readable', () => {
    const document = stopExperiment(started(), undefined, undefined, { at: at(60), actor: 'bob' });
    expect(document.experiments![0]).toMatchObject({ state: 'stopped', stoppedAt: at(60).toISOString() });
    expect(document.experiments![0]!.winner).toBeUndefined();
    expect(routingOf(document).experiments).toEqual([]);
    expect(document.history.at(-1)).toMatchObject({ action: 'experiment-stop', actor: 'bob' });
    expect(() => stopExperiment(document, 'checkout', undefined, who)).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STOPPED' }));
  });

  it('with a winner on some paths: pins them to the winner for everyone, until another experiment takes them', () => {
    const document = stopExperiment(started(), 'checkout', 'b', who);
    expect(document.stable).toBe(A);
    expect(document.experiments![0]).toMatchObject({ state: 'stopped', winner: 'b', pinned: true });
    expect(routingOf(document).experiments).toEqual([expect.objectContaining({ name: 'checkout', pinned: 'b' })]);
    const next = startExperiment(document, plan({ name: 'checkout-2', paths: ['/checkout/pay'] }), who);
    expect(next.experiments![0]!.pinned).toBe(false);
    expect(next.history.at(-1)!.detail).toMatch(/takes over the paths of checkout$/);
    expect(validateReleaseDocument(next)).toEqual([]);
  });

  it('with a release winning the whole site: it becomes the stable release, but not under a live rollout', () => {
    const whole = startExperiment(withReleases(), plan({ paths: ['/*'] }), who);
    const document = stopExperiment(whole, undefined, 'b', who);
    expect(document.stable).toBe(B);
    expect(document.experiments![0]!.pinned).toBeUndefined();
    expect(document.history.at(-1)!.detail).toMatch(/b \(r-bbbbbbbbbbbb\) is now the stable release/);

    const underRollout = startExperiment(running(), plan({ paths: ['/*'] }), who);
    expect(() => stopExperiment(underRollout, 'checkout', 'b', who)).toThrow(expect.objectContaining({ code: 'ROLLOUT_IN_PROGRESS', exitCode: 4 }));
    const afterAbort = abort(underRollout, who, 'no');
    expect(stopExperiment(afterAbort, 'checkout', 'b', who).stable).toBe(B);
  });

  it('with the control ("stable") winning: nothing to pin', () => {
    const document = stopExperiment(started(), 'checkout', 'control', who);
    expect(document.experiments![0]).toMatchObject({ winner: 'control' });
    expect(routingOf(document).experiments).toEqual([]);
    expect(() => stopExperiment(started(), 'checkout', 'c', who)).toThrow(expect.objectContaining({ code: 'UNKNOWN_VARIANT' }));
  });
});

describe('finding the experiment a command means', () => {
  it('the one named, or the only running one, or asks', () => {
    let document = startExperiment(withReleases(), plan(), who);
    expect(findExperiment(document, undefined, 'running').name).toBe('checkout');
    document = startExperiment(document, plan({ name: 'pricing', paths: ['/pricing'] }), who);
    expect(() => findExperiment(document, undefined, 'running')).toThrow(expect.objectContaining({ code: 'EXPERIMENT_AMBIGUOUS' }));
    document = stopExperiment(document, 'checkout', undefined, who);
    expect(findExperiment(document, undefined, 'running').name).toBe('pricing');
    expect(() => findExperiment(document, 'nope')).toThrow(expect.objectContaining({ code: 'EXPERIMENT_NOT_FOUND', exitCode: 3 }));
    expect(() => findExperiment(withReleases(), undefined)).toThrow(expect.objectContaining({ code: 'NO_EXPERIMENT' }));
  });
});

describe('parsing --variants and --rates', () => {
  it('reads name=target:weight, or splits evenly', () => {
    expect(parseVariants('control=stable:50, b=r-bbbbbbbbbbbb:50%')).toEqual([
      { name: 'control', target: 'stable', weight: 50 },
      { name: 'b', target: B, weight: 50 },
    ]);
    expect(parseVariants('a=stable,b=api.example.com,c=r-bbbbbbbbbbbb').map((v) => v.weight)).toEqual([33.34, 33.33, 33.33]);
    expect(() => parseVariants('a=stable:50')).toThrow(/at least two variants/);
    expect(() => parseVariants('a=stable:50,b=r-bbbbbbbbbbbb')).toThrow(/every variant a weight, or none/);
    expect(() => parseVariants('a:stable,b=x.com')).toThrow(/"a:stable" is not name=target/);
  });

  it('reads rates as fractions or percentages', () => {
    expect(parseRates('control=10%,b=0.12')).toEqual(new Map([['control', 0.1], ['b', 0.12]]));
    expect(parseRates('b=12')).toEqual(new Map([['b', 0.12]]));
    expect(() => parseRates('b=120%')).toThrow(/is not variant=rate/);
  });
});
