import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { json, sprout } from '../helpers/cli.js';

import {
  addCiStage,
  aslProblems,
  CI_ACCOUNT,
  flagPlumbingProblems,
  generate,
  linkDependencies,
  npmScript,
  stateMachineDefinitions,
  synthesizeStage,
  synthesizedTemplates,
  harnessCases,
  validateCloudFormation,
} from './support.js';

async function hasOutput(templates: string[], name: string): Promise<boolean> {
  for (const file of templates) if ((JSON.parse(await readFile(file, 'utf8')) as { Outputs?: Record<string, unknown> }).Outputs?.[name]) return true;
  return false;
}

/**
 * The template harness: a ready template, generated as a user would get it, must type-check,
 * pass its own tests, synthesize (with cdk-nag), validate as CloudFormation, deploy through
 * sprout, carry the flag store, roll a release out on the local stage (web templates with the edge
 * router) and have valid state machines. Steps run in order; a failed step
 * fails the ones after it. Each template calls this from its own file in harness/, so vitest
 * runs templates in parallel workers.
 */
export function describeTemplate(templateId: string): void {
  describe.each(harnessCases(templateId).map((c) => ({ ...c, label: c.options.length ? `${c.id} (${c.options.join(' ')})` : c.id })))('template $label', ({ id, options, domainMode }) => {
    let dir = '';
    /** What the deploy-through-sprout step synthesized for the ci stage. */
    let ciStage: Awaited<ReturnType<typeof synthesizeStage>> | undefined;

    beforeAll(async () => {
      dir = await generate(id, options);
      await linkDependencies(dir);
    });

    afterAll(async () => {
      if (dir) await rm(dirname(dir), { recursive: true, force: true });
    });

    it('type-checks', async () => {
      await npmScript(dir, 'typecheck', [], 110_000);
    }, 120_000);

    it('passes its own tests', async () => {
      const output = await npmScript(dir, 'test', [], 290_000);
      // vitest's summary line ("Tests  2 failed | 40 passed (42)"), not a test's title that says "failed".
      expect(output).toMatch(/^\s*Tests\s.*\d+ passed/m);
      expect(output).not.toMatch(/^\s*Tests\s.*\d+ failed/m);
    }, 300_000);

    it('synthesizes with cdk synth (cdk-nag AwsSolutions included)', async () => {
      await npmScript(dir, 'synth', ['--quiet', '--no-notices'], 170_000);
      expect((await synthesizedTemplates(dir)).length).toBeGreaterThan(0);
    }, 180_000);

    it('validates as CloudFormation with AWS\'s validator', async () => {
      expect(validateCloudFormation(await synthesizedTemplates(dir))).toEqual([]);
    }, 60_000);

    it('deploys through sprout: the plan for an AWS stage resolves and every app synthesizes for it', async () => {
      await addCiStage(dir, domainMode);
      const { plan, templates } = await synthesizeStage(dir);
      expect(plan.targets.filter((t) => t.kind === 'service').every((t) => t.account === CI_ACCOUNT && t.region === 'eu-west-1')).toBe(true);
      expect(templates.length).toBeGreaterThanOrEqual(plan.targets.length);
      const stacks = templates.map((t) => t.split('/').pop()!.replace('.template.json', ''));
      for (const target of plan.targets) expect(stacks).toContain(target.stackName);
      expect(validateCloudFormation(templates)).toEqual([]);
      ciStage = { plan, templates };
    }, 300_000);

    it('carries the feature flag store in every service stack: the AppConfig feature flag profile and the Flags* outputs', async () => {
      expect(ciStage, 'the ci stage was not synthesized').toBeDefined();
      expect(await flagPlumbingProblems(ciStage!.templates, ciStage!.plan)).toEqual([]);
    });

    it('rolls a release out on the local stage as a new user would, when it deploys the edge router', async (context) => {
      expect(ciStage, 'the ci stage was not synthesized').toBeDefined();
      if (!(await hasOutput(ciStage!.templates, 'ReleaseBucketName'))) return context.skip('no release router in this template');
      const cli = (...args: string[]) => sprout([...args, '--json'], { cwd: dir, env: { SPROUT_ACTOR: 'new-user' } });
      const created = await cli('release', 'create');
      expect(created.exitCode, created.stderr).toBe(0);
      const id = json(created).result.release.id as string;
      for (const args of [['rollout', 'start', id, '--steps', '10,50,100'], ['rollout', 'advance'], ['rollout', 'abort']]) {
        const run = await cli(...args);
        expect(run.exitCode, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
      }
      const status = await cli('rollout', 'status');
      expect(status.exitCode).toBe(1);
      expect(json(status).result.history.map((h: { action: string }) => h.action)).toEqual(['release', 'start', 'advance', 'abort']);
    }, 180_000);

    it('has only valid state machine definitions', async (context) => {
      const machines = (await Promise.all((await synthesizedTemplates(dir)).map(stateMachineDefinitions))).flat();
      if (machines.length === 0) return context.skip('no state machine in this template');
      for (const { id: logicalId, definition } of machines) expect(aslProblems(definition), logicalId).toEqual([]);
    });
  });
}
