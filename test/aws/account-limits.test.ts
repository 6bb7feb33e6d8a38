import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

import { lambdaConcurrency } from '../../src/aws/account-limits.js';
import { accountsOf } from '../../src/deploy/accounts.js';
import { resolvePlan } from '../../src/deploy/plan.js';
import { projectConfigSchema } from '../../src/project/schema.js';

const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);

beforeEach(() => {
  lambda.reset();
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: { AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
  }));
});

describe('services limits', () => {
  it('reads GetAccountSettings once per account and region, with that account\'s role', async () => {
    lambda.on(GetAccountSettingsCommand).callsFake(async (_input, getClient) => {
      // getClient() reads the mock's last call: take the client before anything awaits.
      const client = getClient();
      const region = await client.config.region();
      const { accessKeyId } = await client.config.credentials();
      const limit = accessKeyId === 'ASIA444444444444' ? 10_000 : 1_000;
      return { AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: region === 'eu-west-1' ? limit - 100 : limit } };
    });
    const plan = resolvePlan(
      projectConfigSchema.parse({
        name: 'shop',
        pattern: 'microservices',
        stages: { local: {}, prod: { account: '111111111111', region: 'eu-west-1', roleName: 'Deployer' } },
        services: {
          catalog: { path: 'services/catalog', pattern: 'backend-api' },
          search: { path: 'services/search', pattern: 'backend-api' },
          orders: { path: 'services/orders', pattern: 'backend-api', account: '444444444444', region: 'us-east-2' },
        },
      }),
      '/ws',
      { stage: 'prod' },
    );
    const accounts = await accountsOf(plan, (a) => lambdaConcurrency(a.account, a.region, a.credentials, 'sprout-prod'), 4);
    expect(accounts).toEqual([
      { account: '111111111111', region: 'eu-west-1', concurrentExecutions: 1000, unreservedConcurrentExecutions: 900, services: ['catalog', 'search'] },
      { account: '444444444444', region: 'us-east-2', concurrentExecutions: 10000, unreservedConcurrentExecutions: 10000, services: ['orders'] },
    ]);
    expect(lambda).toHaveReceivedCommandTimes(GetAccountSettingsCommand, 2);
    expect(lambda).toHaveReceivedCommandWith(GetAccountSettingsCommand, {});
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn).sort()).toEqual([
      'arn:aws:iam::111111111111:role/Deployer',
      'arn:aws:iam::444444444444:role/Deployer',
    ]);
  });
});
