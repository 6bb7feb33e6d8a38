import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { json, sprout, tempDir } from '../helpers/cli.js';

// The "done when" on the local stage, through the built CLI as a user runs it: start an
// experiment, send simulated traffic with conversions through the real edge router, and read a
// correct table and verdict; then stop it with a winner.

let project: Awaited<ReturnType<typeof tempDir>>;
const cli = (...args: string[]) => sprout(args, { cwd: project.path, env: { SPROUT_ACTOR: 'alice@laptop' } });
let candidate: string;

async function release(dir: string, html: string): Promise<string> {
  await mkdir(join(project.path, dir), { recursive: true });
  await writeFile(join(project.path, dir, 'index.html'), html);
  const run = await cli('release', 'create', '--dir', dir, '--json');
  expect(run.exitCode).toBe(0);
  return json(run).result.release.id as string;
}

beforeAll(async () => {
  project = await tempDir();
  await writeFile(join(project.path, 'sprout.json'), JSON.stringify({ name: 'shop', pattern: 'spa', options: {}, stages: { local: {} }, defaultStage: 'local' }));
  await release('build-a', '<h1>A</h1>');
  candidate = await release('build-b', '<h1>B</h1>');
}, 60_000);
afterAll(() => project.cleanup());

describe('an A/B test on the local stage', () => {
  it('results before any traffic: a clear precondition error (exit 3)', async () => {
    const start = await cli('experiment', 'start', 'checkout', '--variants', `control=stable:50,b=${candidate}:50`, '--paths', '/checkout/*', '--min-sample', '2000', '--json');
    expect(start.exitCode).toBe(0);
    expect(json(start).result.experiment).toMatchObject({ name: 'checkout', state: 'running', paths: ['/checkout/*'], minSample: 2000 });
    const document = JSON.parse(await readFile(join(project.path, '.sprout', 'local', 'release.json'), 'utf8'));
    expect(document).toMatchObject({ schema: 2, experiments: [{ name: 'checkout', salt: expect.stringMatching(/^[0-9a-f]{12}$/) }] });

    const results = await cli('experiment', 'results', '--json');
    expect(results.exitCode).toBe(3);
    expect(json(results).error.code).toBe('NO_TRAFFIC_SOURCE');
  });

  it('a second experiment on the same paths is a conflict (exit 4)', async () => {
    const run = await cli('experiment', 'start', 'other', '--variants', `a=stable,b=${candidate}`, '--paths', '/checkout/pay', '--json');
    expect(run.exitCode).toBe(4);
    expect(json(run).error.code).toBe('EXPERIMENT_OVERLAP');
  });

  it('too little traffic: the verdict refuses to call a winner', async () => {
    const sim = await cli('experiment', 'simulate', '--viewers', '1000', '--rates', 'control=5%,b=30%', '--seed', '7', '--json');
    expect(sim.exitCode).toBe(0);
    const results = json(await cli('experiment', 'results', '--json')).result;
    expect(results.analysis.verdict.kind).toBe('collecting');
    expect(results.analysis.verdict.winner).toBeNull();
  }, 60_000);

  it('simulated traffic through the router, then results: a table, a chart and the right verdict', async () => {
    const sim = await cli('experiment', 'simulate', '--viewers', '20000', '--rates', 'control=10%,b=13%', '--pages', '3', '--json');
    expect(sim.exitCode).toBe(0);
    const simulated = json(sim).result.variants as Record<string, { viewers: number; conversions: number }>;
    expect(simulated.control!.viewers + simulated.b!.viewers).toBe(20_000);

    const run = await cli('experiment', 'results', '--json');
    expect(run.exitCode).toBe(0);
    const { analysis } = json(run).result;
    const [control, b] = analysis.variants;
    // One exposure per viewer and variant, although each viewer asked for three pages: both runs add up.
    expect(control.exposures + b.exposures).toBe(21_000);
    expect(b.conversions).toBeGreaterThan(control.conversions);
    expect(analysis.sampleRatio.flagged).toBe(false);
    expect(analysis.verdict).toMatchObject({ kind: 'winner', winner: 'b' });
    expect(b.pValue).toBeLessThan(0.001);
    expect(b.lift.relative).toBeGreaterThan(0.15);

    const text = await cli('experiment', 'results');
    expect(text.stdout).toMatch(/^control\s+50%\s+[\d,]+\s+[\d,]+\s+[\d.]+%/m);
    expect(text.stdout).toMatch(/^b\s+.*├.*●.*┤/m);
    expect(text.stdout).toMatch(/Verdict: winner \(b\)/);
  }, 120_000);

  it('stop --winner b pins the checkout paths to b; status shows it', async () => {
    const stop = await cli('experiment', 'stop', '--winner', 'b', '--json');
    expect(stop.exitCode).toBe(0);
    expect(json(stop).result.experiment).toMatchObject({ state: 'stopped', winner: 'b', pinned: true });
    const status = json(await cli('experiment', 'status', '--json')).result;
    expect(status.experiments).toEqual([expect.objectContaining({ name: 'checkout', state: 'stopped', winner: 'b' })]);
    // The stopped experiment's counts stay readable.
    expect(json(await cli('experiment', 'results', 'checkout', '--json')).result.analysis.verdict.kind).toBe('winner');
  }, 60_000);
});
