import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  aslProblems,
  generate,
  linkDependencies,
  npmScript,
  stateMachineDefinitions,
  synthesizedTemplates,
  templatesUnderTest,
  validateCloudFormation,
} from './support.js';

/**
 * The template harness: each ready template, generated as a user would get it, must
 * type-check, pass its own tests, synthesize (with cdk-nag), validate as CloudFormation and
 * have valid state machines. Steps run in order; a failed step fails the ones after it.
 */
describe.each(templatesUnderTest())('template %s', (id) => {
  let dir = '';

  beforeAll(async () => {
    dir = await generate(id);
    await linkDependencies(dir);
  });

  afterAll(async () => {
    if (dir) await rm(dirname(dir), { recursive: true, force: true });
  });

  it('type-checks', async () => {
    await npmScript(dir, 'typecheck');
  }, 120_000);

  it('passes its own tests', async () => {
    const output = await npmScript(dir, 'test');
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/\d+ failed/);
  }, 300_000);

  it('synthesizes with cdk synth (cdk-nag AwsSolutions included)', async () => {
    await npmScript(dir, 'synth', ['--quiet', '--no-notices']);
    expect((await synthesizedTemplates(dir)).length).toBeGreaterThan(0);
  }, 180_000);

  it('validates as CloudFormation with AWS\'s validator', async () => {
    expect(validateCloudFormation(await synthesizedTemplates(dir))).toEqual([]);
  }, 60_000);

  it('has only valid state machine definitions', async (context) => {
    const machines = (await Promise.all((await synthesizedTemplates(dir)).map(stateMachineDefinitions))).flat();
    if (machines.length === 0) return context.skip('no state machine in this template');
    for (const { id: logicalId, definition } of machines) expect(aslProblems(definition), logicalId).toEqual([]);
  });
});
