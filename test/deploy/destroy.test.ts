import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AppRunner, StackDiff } from '../../src/deploy/apps.js';
import { bootstrapAll, bootstrapEnvironments, type Bootstrapper } from '../../src/deploy/bootstrap.js';
import { destroyPlan, diffPlan } from '../../src/deploy/destroy.js';
import { outputsFile } from '../../src/deploy/outputs.js';
import { resolvePlan } from '../../src/deploy/plan.js';
import { loadCatalog } from '../../src/catalog/catalog.js';
import { projectConfigSchema } from '../../src/project/schema.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const plan = () =>
  resolvePlan(
    projectConfigSchema.parse({
      name: 'shop',
      pattern: 'microservices',
      stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1' } },
      domain: { name: 'example.com', account: '333333333333', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
      services: { catalog: { path: 'services/catalog', pattern: 'backend-api' }, web: { path: 'services/web', pattern: 'spa', region: 'eu-central-1' } },
    }),
    scratch.path,
    { stage: 'dev' },
  );

function runner(failing: string[] = [], order: string[] = []): AppRunner {
  return {
    synth: () => Promise.reject(new Error('unused')),
    deploy: () => Promise.reject(new Error('unused')),
    async diff(target) {
      const diff: StackDiff = { stackName: target.stackName, changes: target.name === 'catalog' ? 3 : 0, permissionChanges: target.name === 'catalog' ? 'broadening' : 'none', text: '' };
      return [diff];
    },
    async destroy(target) {
      order.push(target.name);
      if (failing.includes(target.name)) throw new Error('DELETE_FAILED: the bucket is not empty');
      const edgeFunctions = target.name === 'web' ? [{ stackName: 'edge-lambda-stack-1', logicalId: 'Router', retained: true, functionName: 'shop-web-router' }] : [];
      return { stacks: [{ stackName: target.stackName, existed: true }], edgeFunctions };
    },
  };
}

const tasks = () => plainTaskRunner(() => {});

describe('destroyPlan', () => {
  it('destroys the services first, then the platform, and lists what to finish by hand', async () => {
    const order: string[] = [];
    const outcome = await destroyPlan(plan(), { concurrency: 1 }, { runner: runner([], order), tasks: tasks() });
    expect(order).toEqual(['catalog', 'web', 'platform']);
    expect(outcome.status).toBe('ok');
    expect(outcome.followUps).toEqual([expect.stringContaining('aws lambda delete-function --region us-east-1 --function-name shop-web-router')]);
  });

  it('keeps the platform when a service could not be destroyed (partial)', async () => {
    const order: string[] = [];
    const outcome = await destroyPlan(plan(), { concurrency: 2 }, { runner: runner(['web'], order), tasks: tasks() });
    expect(order).not.toContain('platform');
    expect(outcome.status).toBe('partial');
    expect(outcome.apps.map((a) => [a.name, a.status])).toEqual([
      ['platform', 'skipped'],
      ['catalog', 'destroyed'],
      ['web', 'failed'],
    ]);
    expect(outcome.apps[2]!.error).toContain('bucket is not empty');
  });

  it('drops the destroyed apps from the stage\'s outputs file', async () => {
    await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
    const stack = { account: '1', region: 'r', deployedAt: 'x', stacks: {} };
    await writeFile(outputsFile(scratch.path, 'dev'), JSON.stringify({ stage: 'dev', updatedAt: 'x', services: { catalog: stack, web: stack, platform: stack } }));
    await destroyPlan(plan(), { concurrency: 2 }, { runner: runner(['web']), tasks: tasks() });
    const left = JSON.parse(await readFile(outputsFile(scratch.path, 'dev'), 'utf8'));
    expect(Object.keys(left.services).sort()).toEqual(['platform', 'web']);
  });
});

describe('diffPlan', () => {
  it('collects each app\'s differences', async () => {
    const diffs = await diffPlan(plan(), { runner: runner(), tasks: tasks(), concurrency: 3 });
    expect(diffs.map((d) => [d.name, d.stacks[0]!.changes, d.stacks[0]!.permissionChanges])).toEqual([
      ['platform', 0, 'none'],
      ['catalog', 3, 'broadening'],
      ['web', 0, 'none'],
    ]);
  });
});

describe('bootstrap', () => {
  it('lists every account and region once, plus us-east-1 for CloudFront patterns (Lambda@Edge, certificates)', () => {
    const environments = bootstrapEnvironments(plan(), loadCatalog());
    expect(environments.map((e) => [`${e.account}/${e.region}`, e.for])).toEqual([
      ['333333333333/us-east-1', ['platform']],
      ['111111111111/eu-west-1', ['catalog']],
      ['111111111111/eu-central-1', ['web']],
      ['111111111111/us-east-1', ['web (Lambda@Edge)']],
    ]);
  });

  it('bootstraps each environment with the trust settings, and reports failures per environment', async () => {
    const calls: string[] = [];
    const bootstrapper: Bootstrapper = {
      async bootstrap(env, settings) {
        calls.push(`${env.account}/${env.region} trust=${settings.trust.join(',')} policies=${settings.executionPolicies.join(',')}`);
        if (env.region === 'eu-central-1') throw new Error('AccessDenied');
        return env.region === 'us-east-1' ? 'unchanged' : 'bootstrapped';
      },
    };
    const environments = bootstrapEnvironments(plan(), loadCatalog());
    const outcomes = await bootstrapAll(environments, { trust: ['999999999999'], executionPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, { bootstrapper, tasks: tasks(), concurrency: 2 });
    expect(calls).toContain('111111111111/eu-west-1 trust=999999999999 policies=arn:aws:iam::aws:policy/AdministratorAccess');
    expect(outcomes.map((o) => [o.region, o.status])).toEqual([
      ['us-east-1', 'unchanged'],
      ['eu-west-1', 'bootstrapped'],
      ['eu-central-1', 'failed'],
      ['us-east-1', 'unchanged'],
    ]);
    expect(outcomes[2]!.error).toBe('AccessDenied');
  });
});
