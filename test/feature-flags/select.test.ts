import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { outputsFile } from '../../src/deploy/outputs.js';
import { openFlagStore } from '../../src/feature-flags/select.js';
import { loadProjectConfig } from '../../src/project/config-file.js';
import { tempDir } from '../helpers/cli.js';

const cfn = mockClient(CloudFormationClient);
let scratch: Awaited<ReturnType<typeof tempDir>>;

async function project(config: Record<string, unknown>) {
  await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ name: 'demo', pattern: 'backend-api', stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1' } }, ...config }));
  return loadProjectConfig(scratch.path);
}

const flagOutputs = { FlagsApplicationId: 'app1', FlagsEnvironmentId: 'env1', FlagsProfileId: 'prof1', FlagsDeploymentStrategyId: 'strat1' };

beforeEach(async () => {
  scratch = await tempDir();
  cfn.reset();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIA');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await scratch.cleanup();
});

describe('openFlagStore', () => {
  it('uses the local file for the local stage', async () => {
    expect((await openFlagStore(await project({}), { stage: 'local' })).kind).toBe('local');
  });

  it('finds the AppConfig ids in the stage\'s outputs file, without asking CloudFormation', async () => {
    const loaded = await project({});
    await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
    await writeFile(outputsFile(scratch.path, 'dev'), JSON.stringify({ stage: 'dev', updatedAt: 'x', services: { demo: { account: '111111111111', region: 'eu-west-1', deployedAt: 'x', stacks: { 'demo-dev': flagOutputs } } } }));
    const store = await openFlagStore(loaded, { stage: 'dev' });
    expect(store.kind).toBe('appconfig');
    expect(store.location).toBe('AppConfig application app1, environment env1, profile prof1');
    expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  });

  it('asks the stack for its outputs when this machine did not deploy it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'demo-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: Object.entries(flagOutputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });
    const store = await openFlagStore(await project({}), { stage: 'dev' });
    expect(store.location).toContain('application app1');
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'demo-dev' });
  });

  it('says to deploy first when the stack does not exist (exit 3)', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id demo-dev does not exist'), { name: 'ValidationError' }));
    await expect(openFlagStore(await project({}), { stage: 'dev' })).rejects.toMatchObject({ code: 'FLAGS_NOT_DEPLOYED', exitCode: 3, suggestions: expect.arrayContaining(['Deploy it first: sprout deploy --stage dev']) });
  });

  it('takes the ids and the store from the stage\'s flags section', async () => {
    const explicit = await openFlagStore(await project({ stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1', flags: { application: 'a', environment: 'e', profile: 'p' } } } }), { stage: 'dev' });
    expect(explicit.location).toBe('AppConfig application a, environment e, profile p');
    const env = await openFlagStore(await project({ stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1', flags: { store: 'lambda-env', functions: ['api-get'] } } } }), { stage: 'dev' });
    expect(env.kind).toBe('lambda-env');
  });

  it('in a workspace, asks whose flags (exit 2)', async () => {
    const loaded = await project({ pattern: 'microservices', services: { catalog: { path: 'services/catalog', pattern: 'backend-api' }, orders: { path: 'services/orders', pattern: 'backend-api' } } });
    await expect(openFlagStore(loaded, { stage: 'dev' })).rejects.toMatchObject({ code: 'SERVICE_REQUIRED', exitCode: 2, suggestions: ['Services: catalog, orders.'] });
  });
});
