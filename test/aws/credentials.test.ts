import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { credentialsFor } from '../../src/aws/credentials.js';
import { resolvePlan } from '../../src/deploy/plan.js';
import { projectConfigSchema } from '../../src/project/schema.js';
import { tempDir } from '../helpers/cli.js';

const sts = mockClient(STSClient);
let scratch: Awaited<ReturnType<typeof tempDir>>;

const issued = (id: string, minutes = 60) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: `secret-${id}`, SessionToken: `token-${id}`, Expiration: new Date(Date.now() + minutes * 60_000) },
});

beforeEach(async () => {
  sts.reset();
  scratch = await tempDir();
  // Keep the tests away from the machine's own ~/.aws.
  vi.stubEnv('AWS_CONFIG_FILE', join(scratch.path, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(scratch.path, 'credentials'));
  vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
  await writeFile(join(scratch.path, 'config'), '[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = eu-west-1\n');
  await writeFile(
    join(scratch.path, 'credentials'),
    '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = dev-secret\n[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = prod-secret\n',
  );
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await scratch.cleanup();
});

describe('credentialsFor', () => {
  it('reads the profile the plan chose', async () => {
    const dev = await (await credentialsFor({ profile: 'dev' }, { region: 'eu-west-1', sessionName: 's' }))();
    const prod = await (await credentialsFor({ profile: 'prod' }, { region: 'eu-west-1', sessionName: 's' }))();
    expect([dev.accessKeyId, prod.accessKeyId]).toEqual(['AKIADEV', 'AKIAPROD']);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('assumes the role with STS, and reuses the credentials until they near expiry', async () => {
    sts.on(AssumeRoleCommand).resolves(issued('ASIAROLE'));
    const provider = await credentialsFor({ profile: 'dev', roleArn: 'arn:aws:iam::111111111111:role/Deployer' }, { region: 'eu-west-1', sessionName: 'sprout-dev' });
    expect((await provider()).accessKeyId).toBe('ASIAROLE');
    expect((await provider()).sessionToken).toBe('token-ASIAROLE');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::111111111111:role/Deployer',
      RoleSessionName: 'sprout-dev',
      DurationSeconds: 3600,
    });
  });

  it('assumes the role again when the cached credentials expire within five minutes', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(issued('ASIAOLD', 2)).resolves(issued('ASIANEW'));
    const provider = await credentialsFor({ roleArn: 'arn:aws:iam::111111111111:role/Deployer' }, { region: 'eu-west-1', sessionName: 's' });
    expect((await provider()).accessKeyId).toBe('ASIAOLD');
    expect((await provider()).accessKeyId).toBe('ASIANEW');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('turns a refused AssumeRole into exit 3 with what to check', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const provider = await credentialsFor({ profile: 'dev', roleArn: 'arn:aws:iam::111111111111:role/Deployer' }, { region: 'eu-west-1', sessionName: 's' });
    await expect(provider()).rejects.toMatchObject({
      code: 'ASSUME_ROLE_FAILED',
      exitCode: 3,
      suggestions: expect.arrayContaining(['See who you are with: aws sts get-caller-identity --profile dev']),
    });
  });

  it('names the missing profile and the login command (exit 3)', async () => {
    const provider = await credentialsFor({ profile: 'ghost' }, { region: 'eu-west-1', sessionName: 's' });
    await expect(provider()).rejects.toMatchObject({ code: 'NO_CREDENTIALS', exitCode: 3, suggestions: expect.arrayContaining(['Log in: aws sso login --profile ghost']) });
  });
});

describe('credentials across a multi-account plan', () => {
  it('assumes one role per account, each in its own account', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => issued(`ASIA${input.RoleArn.split(':')[4]}`));
    const config = projectConfigSchema.parse({
      name: 'shop',
      pattern: 'microservices',
      stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1', roleName: 'Deployer', profile: 'dev' } },
      services: {
        catalog: { path: 'services/catalog', pattern: 'backend-api' },
        orders: { path: 'services/orders', pattern: 'backend-api', account: '444444444444' },
      },
    });
    const plan = resolvePlan(config, '/ws', { stage: 'dev' });
    const keys = [];
    for (const target of plan.targets) {
      const provider = await credentialsFor(target.credentials, { region: target.region, sessionName: `sprout-${plan.stage}` });
      keys.push((await provider()).accessKeyId);
    }
    expect(keys).toEqual(['ASIA111111111111', 'ASIA444444444444']);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::111111111111:role/Deployer',
      'arn:aws:iam::444444444444:role/Deployer',
    ]);
  });
});
