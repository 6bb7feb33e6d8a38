import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { AppRunner, StackOutputs } from '../../src/deploy/apps.js';
import { deployPlan } from '../../src/deploy/deploy.js';
import { outputsFile } from '../../src/deploy/outputs.js';
import { type DeployPlan, type DeployTarget, resolvePlan } from '../../src/deploy/plan.js';
import { projectConfigSchema } from '../../src/project/schema.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(async () => {
  vi.useRealTimers();
  await scratch.cleanup();
});

function plan(services: string[], withPlatform = false): DeployPlan {
  const config = projectConfigSchema.parse({
    name: 'shop',
    pattern: 'microservices',
    stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1' } },
    ...(withPlatform ? { domain: { name: 'example.com', account: '333333333333', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' } } : {}),
    services: Object.fromEntries(services.map((name) => [name, { path: `services/${name}`, pattern: 'backend-api' }])),
  });
  return resolvePlan(config, scratch.path, { stage: 'dev' });
}

/** A fake toolkit: each app takes its set time (on the fake clock) and may fail. */
function fakeRunner(durations: Record<string, number>, failing: string[] = []) {
  let running = 0;
  const events: string[] = [];
  const state = { maxRunning: 0, events };
  const runner: AppRunner = {
    synth: () => Promise.reject(new Error('unused')),
    diff: () => Promise.reject(new Error('unused')),
    destroy: () => Promise.reject(new Error('unused')),
    async deploy(target: DeployTarget, { progress }): Promise<StackOutputs[]> {
      running++;
      state.maxRunning = Math.max(state.maxRunning, running);
      events.push(`start ${target.name}@${Date.now()}`);
      progress(`${target.stackName}: creating CloudFormation changeset...`);
      await new Promise((resolve) => setTimeout(resolve, durations[target.name] ?? 1000));
      running--;
      events.push(`end ${target.name}@${Date.now()}`);
      if (failing.includes(target.name)) throw new Error(`${target.stackName} failed: CREATE_FAILED (AWS::Lambda::Function) Resource handler returned message: "Rate exceeded"`);
      return [{ stackName: target.stackName, outputs: { ApiUrl: `https://${target.name}.execute-api.eu-west-1.amazonaws.com/prod/`, TableName: `${target.name}-table` } }];
    },
  };
  return { runner, state };
}

const deps = (runner: AppRunner, lines: string[] = []) => ({
  runner,
  tasks: plainTaskRunner((line) => lines.push(line)),
  reporter: { info: () => {}, warn: () => {} },
  now: () => new Date(Date.now()),
});

describe('deployPlan', () => {
  it('with K=3 and six services, the wall time follows the critical path, not the sum', async () => {
    vi.useFakeTimers({ now: 0 });
    const durations = { a: 5000, b: 1000, c: 1000, d: 1000, e: 1000, f: 1000 };
    const { runner, state } = fakeRunner(durations);
    const running = deployPlan(plan(Object.keys(durations)), { concurrency: 3, requireApproval: 'never' }, deps(runner));
    await vi.runAllTimersAsync();
    const outcome = await running;
    // a runs 0–5 s; b, c 0–1 s; d, e 1–2 s; f 2–3 s: done at 5 s, where one at a time takes 10 s.
    expect(Date.now()).toBe(5000);
    expect(state.maxRunning).toBe(3);
    expect(state.events.filter((e) => e.startsWith('start'))).toEqual(['start a@0', 'start b@0', 'start c@0', 'start d@1000', 'start e@1000', 'start f@2000']);
    expect(outcome.status).toBe('ok');
  });

  it('with K=1 deploys one at a time', async () => {
    vi.useFakeTimers({ now: 0 });
    const { runner, state } = fakeRunner({ a: 2000, b: 1000, c: 1000 });
    const running = deployPlan(plan(['a', 'b', 'c']), { concurrency: 1, requireApproval: 'never' }, deps(runner));
    await vi.runAllTimersAsync();
    await running;
    expect(Date.now()).toBe(4000);
    expect(state.maxRunning).toBe(1);
  });

  it('deploys the platform before any service', async () => {
    vi.useFakeTimers({ now: 0 });
    const { runner, state } = fakeRunner({ platform: 3000, a: 1000, b: 1000 });
    const config = plan(['a', 'b'], true);
    // The services are in 111…, the zone in 333…: the platform's delegation role is needed.
    expect(config.targets[0]!.kind).toBe('platform');
    const running = deployPlan(config, { concurrency: 3, requireApproval: 'never' }, deps(runner));
    await vi.runAllTimersAsync();
    await running;
    expect(state.events).toEqual(['start platform@0', 'end platform@3000', 'start a@3000', 'start b@3000', 'end a@4000', 'end b@4000']);
  });

  it('skips every service when the platform fails, and says why', async () => {
    const { runner } = fakeRunner({ platform: 1, a: 1 }, ['platform']);
    const outcome = await deployPlan(plan(['a'], true), { concurrency: 2, requireApproval: 'never' }, deps(runner));
    expect(outcome.status).toBe('failed');
    expect(outcome.apps.map((a) => [a.name, a.status, a.error?.slice(0, 30)])).toEqual([
      ['platform', 'failed', 'shop-platform-dev failed: CREA'],
      ['a', 'skipped', 'not deployed: the platform app'],
    ]);
    expect(outcome.outputsFile).toBeUndefined();
  });

  it('on partial failure reports each app\'s status and keeps deploying the others (partial)', async () => {
    const lines: string[] = [];
    const { runner } = fakeRunner({ a: 1, b: 1, c: 1 }, ['b']);
    const outcome = await deployPlan(plan(['a', 'b', 'c']), { concurrency: 2, requireApproval: 'never' }, deps(runner, lines));
    expect(outcome.status).toBe('partial');
    expect(outcome.apps.map((a) => [a.name, a.status])).toEqual([
      ['a', 'deployed'],
      ['b', 'failed'],
      ['c', 'deployed'],
    ]);
    expect(outcome.apps[1]!.error).toContain('Rate exceeded');
    expect(lines).toContain('  shop-b-dev: creating CloudFormation changeset...');
    expect(lines.some((l) => l.startsWith('✖ Deploy b to 111111111111/eu-west-1'))).toBe(true);
  });

  it('runs the after-deploy step (the edge router\'s install) with each app\'s outputs; its failure fails that app only', async () => {
    const { runner } = fakeRunner({ a: 1, b: 1 });
    const seen: string[] = [];
    const afterDeploy = async (target: DeployTarget, stacks: StackOutputs[], progress: (line: string) => void) => {
      seen.push(`${target.name}:${stacks[0]!.outputs.TableName}`);
      progress('Waiting until distribution E1 is Deployed');
      if (target.name === 'b') throw new Error('Waiter timed out: distribution E1 is still InProgress');
    };
    const lines: string[] = [];
    const outcome = await deployPlan(plan(['a', 'b']), { concurrency: 1, requireApproval: 'never' }, { ...deps(runner, lines), afterDeploy });
    expect(seen).toEqual(['a:a-table', 'b:b-table']);
    expect(outcome.apps.map((a) => [a.name, a.status])).toEqual([['a', 'deployed'], ['b', 'failed']]);
    expect(outcome.apps[1]!.error).toContain('still InProgress');
    expect(lines).toContain('  Waiting until distribution E1 is Deployed');
  });

  it('records every deployed app\'s outputs in .sprout/outputs/<stage>.json, merged with earlier runs', async () => {
    const file = outputsFile(scratch.path, 'dev');
    await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
    await writeFile(file, JSON.stringify({ stage: 'dev', updatedAt: 'x', services: { old: { account: '1', region: 'r', deployedAt: 'x', stacks: { 'shop-old-dev': { A: '1' } } }, b: { account: '1', region: 'r', deployedAt: 'earlier', stacks: { 'shop-b-dev': { ApiUrl: 'https://earlier' } } } } }));
    const { runner } = fakeRunner({ a: 1, b: 1 }, ['b']);
    const outcome = await deployPlan(plan(['a', 'b']), { concurrency: 2, requireApproval: 'never' }, deps(runner));
    expect(outcome.outputsFile).toBe(file);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(written.services).sort()).toEqual(['a', 'b', 'old']);
    expect(written.services.a).toMatchObject({ account: '111111111111', region: 'eu-west-1', stacks: { 'shop-a-dev': { ApiUrl: 'https://a.execute-api.eu-west-1.amazonaws.com/prod/', TableName: 'a-table' } } });
    // b failed this time: its outputs from the last successful deploy stay.
    expect(written.services.b.deployedAt).toBe('earlier');
    expect(outcome.apps[0]!.urls).toEqual(['https://a.execute-api.eu-west-1.amazonaws.com/prod/']);
    expect((await readdir(join(scratch.path, '.sprout', 'outputs'))).filter((f) => f.includes('tmp'))).toEqual([]);
  });
});
