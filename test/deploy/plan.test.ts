import { describe, expect, it } from 'vitest';

import { type DeployTarget, delegationRoleName, resolvePlan, stackSafe } from '../../src/deploy/plan.js';
import { type ProjectConfig, projectConfigSchema } from '../../src/project/schema.js';

const DEV = '111111111111';
const PROD = '222222222222';
const DNS = '333333333333';
const OTHER = '444444444444';

function workspace(overrides: Record<string, unknown> = {}): ProjectConfig {
  return projectConfigSchema.parse({
    name: 'shop',
    pattern: 'microservices',
    stages: {
      local: {},
      dev: { account: DEV, region: 'eu-west-1', roleName: 'Deployer' },
      prod: { account: PROD, region: 'eu-west-1', profile: 'prod', domainLabel: '' },
    },
    domain: { name: 'example.com', account: DNS, hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
    services: {
      catalog: { path: 'services/catalog', pattern: 'backend-api' },
      orders: { path: 'services/orders', pattern: 'backend-api', account: OTHER },
    },
    ...overrides,
  });
}

const context = (target: DeployTarget) => target.context as Record<string, any>;
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    return (error as { details?: { problems?: string[] } }).details?.problems ?? [(error as Error).message];
  }
  return [];
};

describe('resolvePlan: accounts, regions, stacks', () => {
  it('puts the platform first and resolves each service\'s account, region and stack name', () => {
    const plan = resolvePlan(workspace(), '/ws', { stage: 'dev' });
    expect(plan.targets.map((t) => [t.kind, t.name, t.account, t.region, t.stackName, t.dir])).toEqual([
      ['platform', 'platform', DNS, 'us-east-1', 'shop-platform-dev', '/ws/platform'],
      ['service', 'catalog', DEV, 'eu-west-1', 'shop-catalog-dev', '/ws/services/catalog'],
      ['service', 'orders', OTHER, 'eu-west-1', 'shop-orders-dev', '/ws/services/orders'],
    ]);
  });

  it('applies per-stage service overrides over service settings over stage settings', () => {
    const config = workspace({
      services: {
        catalog: { path: 'services/catalog', pattern: 'backend-api', region: 'us-west-2', stages: { prod: { account: OTHER, region: 'ap-southeast-2' } } },
      },
    });
    const dev = resolvePlan(config, '/ws', { stage: 'dev' }).targets.find((t) => t.name === 'catalog')!;
    expect([dev.account, dev.region]).toEqual([DEV, 'us-west-2']);
    const prod = resolvePlan(config, '/ws', { stage: 'prod' }).targets.find((t) => t.name === 'catalog')!;
    expect([prod.account, prod.region]).toEqual([OTHER, 'ap-southeast-2']);
  });

  it('deploys a single-app project as one service named after it', () => {
    const config = projectConfigSchema.parse({ name: '@acme/My-Api', pattern: 'backend-api', stages: { local: {}, dev: { account: DEV, region: 'eu-west-1' } } });
    const plan = resolvePlan(config, '/app', { stage: 'dev' });
    expect(plan.targets).toHaveLength(1);
    expect(plan.targets[0]).toMatchObject({ kind: 'service', name: 'acme-my-api', dir: '/app', stackName: 'acme-my-api-dev', account: DEV });
    expect(context(plan.targets[0]!)['sprout:deployment']).toEqual({
      stage: 'dev',
      project: '@acme/My-Api',
      service: 'acme-my-api',
      stackName: 'acme-my-api-dev',
      account: DEV,
      region: 'eu-west-1',
    });
  });

  it('keeps only the services asked for, and the platform they need', () => {
    const plan = resolvePlan(workspace(), '/ws', { stage: 'dev', services: ['orders'] });
    expect(plan.targets.map((t) => t.name)).toEqual(['platform', 'orders']);
  });

  it('reports every missing account and region at once (exit 3)', () => {
    const config = workspace({ stages: { local: {}, qa: { region: 'eu-west-1' } }, domain: undefined });
    expect(problemsOf(() => resolvePlan(config, '/ws', { stage: 'qa' }))).toEqual([
      'services.catalog: no account for stage "qa" (set stages.qa.account or services.catalog.account)',
    ]);
    const noRegion = workspace({ stages: { local: {}, qa: {} }, domain: undefined });
    expect(problemsOf(() => resolvePlan(noRegion, '/ws', { stage: 'qa' }))).toEqual([
      'services.catalog: no account for stage "qa" (set stages.qa.account or services.catalog.account)',
      'services.catalog: no region for stage "qa" (set stages.qa.region or services.catalog.region)',
      'services.orders: no region for stage "qa" (set stages.qa.region or services.orders.region)',
    ]);
  });

  it('refuses an unknown stage, the local stage and an unknown service, with suggestions', () => {
    expect(() => resolvePlan(workspace(), '/ws', { stage: 'prd' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_STAGE', exitCode: 3, suggestions: expect.arrayContaining(['Did you mean --stage prod?']) }));
    expect(() => resolvePlan(workspace(), '/ws', { stage: 'local' })).toThrow(expect.objectContaining({ code: 'LOCAL_STAGE' }));
    expect(() => resolvePlan(workspace(), '/ws', { stage: 'dev', services: ['catalgo'] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_SERVICE', suggestions: expect.arrayContaining(['Did you mean --service catalog?']) }));
  });
});

describe('resolvePlan: credentials', () => {
  it('assumes the stage\'s role name in each account', () => {
    const plan = resolvePlan(workspace(), '/ws', { stage: 'dev' });
    expect(plan.targets.map((t) => t.credentials)).toEqual([
      { roleArn: `arn:aws:iam::${DNS}:role/Deployer` },
      { roleArn: `arn:aws:iam::${DEV}:role/Deployer` },
      { roleArn: `arn:aws:iam::${OTHER}:role/Deployer` },
    ]);
  });

  it('uses the stage profile, a service\'s own profile or role, and --profile as the base', () => {
    const config = workspace({
      services: {
        catalog: { path: 'services/catalog', pattern: 'backend-api' },
        orders: { path: 'services/orders', pattern: 'backend-api', stages: { prod: { profile: 'orders-prod' } } },
        billing: { path: 'services/billing', pattern: 'backend-api', roleArn: `arn:aws:iam::${PROD}:role/billing-deployer` },
      },
    });
    const prod = resolvePlan(config, '/ws', { stage: 'prod' });
    expect(Object.fromEntries(prod.targets.filter((t) => t.kind === 'service').map((t) => [t.name, t.credentials]))).toEqual({
      catalog: { profile: 'prod' },
      orders: { profile: 'orders-prod' },
      billing: { roleArn: `arn:aws:iam::${PROD}:role/billing-deployer` },
    });
    const viaCi = resolvePlan(config, '/ws', { stage: 'dev', profile: 'ci' });
    expect(viaCi.targets.find((t) => t.name === 'catalog')!.credentials).toEqual({ profile: 'ci', roleArn: `arn:aws:iam::${DEV}:role/Deployer` });
  });

  it('warns when one profile reaches several accounts, which then must trust it', () => {
    const prod = resolvePlan(workspace(), '/ws', { stage: 'prod' });
    expect(prod.warnings).toEqual([
      `accounts ${PROD}, ${DNS}, ${OTHER} are all reached with profile prod: the CDK deploys into the ones that are not its own through their bootstrap roles, so they must trust its account (sprout bootstrap --stage prod --trust <that account>), or give the stage a roleName to assume in each`,
    ]);
    expect(resolvePlan(workspace(), '/ws', { stage: 'dev' }).warnings).toEqual([]);
  });

  it('refuses a stage role in one account for a service in another', () => {
    const config = workspace({
      stages: { local: {}, dev: { account: DEV, region: 'eu-west-1', roleArn: `arn:aws:iam::${DEV}:role/deployer` } },
      domain: undefined,
    });
    expect(problemsOf(() => resolvePlan(config, '/ws', { stage: 'dev' }))).toEqual([
      `services.orders: deploys to account ${OTHER}, but stage "dev" assumes a role in account ${DEV} (set stages.dev.roleName, or a roleArn or profile on the service)`,
    ]);
  });
});

describe('resolvePlan: subdomain mode', () => {
  it('gives each service <service>.<stage>.<root>, and none for a stage with an empty label', () => {
    const hosts = (stage: string) => resolvePlan(workspace(), '/ws', { stage }).targets.filter((t) => t.kind === 'service').map((t) => t.url);
    expect(hosts('dev')).toEqual(['https://catalog.dev.example.com', 'https://orders.dev.example.com']);
    expect(hosts('prod')).toEqual(['https://catalog.example.com', 'https://orders.example.com']);
  });

  it('delegates through the DNS account\'s role, which trusts exactly the other accounts', () => {
    const plan = resolvePlan(workspace(), '/ws', { stage: 'dev' });
    const role = `arn:aws:iam::${DNS}:role/${delegationRoleName('shop', 'dev')}`;
    expect(context(plan.targets[1]!)['sprout:deployment'].domain).toEqual({
      mode: 'subdomain',
      hostName: 'catalog.dev.example.com',
      parentZoneName: 'example.com',
      parentHostedZoneId: 'Z0123456789ABCDEFGHIJ',
      delegationRoleArn: role,
    });
    expect(context(plan.targets[0]!)['sprout:platform']).toEqual({
      stage: 'dev',
      project: 'shop',
      stackName: 'shop-platform-dev',
      account: DNS,
      region: 'us-east-1',
      domain: {
        mode: 'subdomain',
        rootDomain: 'example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        delegationRoleName: 'sprout-dns-shop-dev',
        trustedAccounts: [DEV, OTHER],
        delegatedNames: ['catalog.dev.example.com', 'orders.dev.example.com'],
      },
    });
  });

  it('needs no delegation role, and no platform, when the zone is in the services\' account', () => {
    const config = workspace({
      domain: { name: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
      services: { catalog: { path: 'services/catalog', pattern: 'backend-api' } },
    });
    const plan = resolvePlan(config, '/ws', { stage: 'dev' });
    expect(plan.targets.map((t) => t.name)).toEqual(['catalog']);
    expect(context(plan.targets[0]!)['sprout:deployment'].domain.delegationRoleArn).toBeUndefined();
  });

  it('takes a service\'s own host name, and refuses one outside the root domain or used twice', () => {
    const own = workspace({ services: { catalog: { path: 'services/catalog', pattern: 'backend-api', domain: 'shop.example.com' } } });
    expect(resolvePlan(own, '/ws', { stage: 'dev' }).targets.find((t) => t.name === 'catalog')!.url).toBe('https://shop.example.com');
    const bad = workspace({
      services: {
        catalog: { path: 'services/catalog', pattern: 'backend-api', domain: 'catalog.example.org' },
        orders: { path: 'services/orders', pattern: 'backend-api', domain: 'api.example.com' },
        billing: { path: 'services/billing', pattern: 'backend-api', domain: 'api.example.com' },
      },
    });
    expect(problemsOf(() => resolvePlan(bad, '/ws', { stage: 'dev' }))).toEqual([
      'services.catalog: host name catalog.example.org is not under the root domain example.com, so its zone cannot be delegated',
      'services orders and billing both use the host name api.example.com',
    ]);
  });

  it('refuses cross-account delegation for a single app, which has no platform', () => {
    const config = projectConfigSchema.parse({
      name: 'api',
      pattern: 'backend-api',
      stages: { local: {}, dev: { account: DEV, region: 'eu-west-1' } },
      domain: { name: 'example.com', account: DNS, hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
    });
    expect(problemsOf(() => resolvePlan(config, '/app', { stage: 'dev' }))[0]).toMatch(/cross-account delegation needs the platform app/);
  });
});

describe('resolvePlan: path mode', () => {
  const pathConfig = (services: Record<string, unknown>, domain: Record<string, unknown> = {}) =>
    workspace({ domain: { name: 'example.com', account: DEV, hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'path', ...domain }, services });

  it('mounts each service under /<prefix>/<service> on the stage\'s domain, behind the platform\'s shared domain', () => {
    const plan = resolvePlan(pathConfig({ catalog: { path: 'services/catalog', pattern: 'backend-api' }, orders: { path: 'services/orders', pattern: 'backend-api', basePath: '/shop/orders' } }), '/ws', { stage: 'dev' });
    expect(plan.targets.map((t) => [t.name, t.url])).toEqual([
      ['platform', 'https://dev.example.com'],
      ['catalog', 'https://dev.example.com/api/catalog'],
      ['orders', 'https://dev.example.com/shop/orders'],
    ]);
    expect(context(plan.targets[0]!)['sprout:platform']).toMatchObject({ account: DEV, region: 'eu-west-1', domain: { mode: 'path', domainName: 'dev.example.com' } });
    expect(context(plan.targets[1]!)['sprout:deployment'].domain).toEqual({ mode: 'path', domainName: 'dev.example.com', basePath: 'api/catalog' });
  });

  it('refuses overlapping base paths', () => {
    const config = pathConfig({
      catalog: { path: 'services/catalog', pattern: 'backend-api', basePath: 'api' },
      orders: { path: 'services/orders', pattern: 'backend-api', basePath: 'api/orders' },
      billing: { path: 'services/billing', pattern: 'backend-api', basePath: 'api/orders' },
    });
    expect(problemsOf(() => resolvePlan(config, '/ws', { stage: 'dev' }))).toEqual([
      'services catalog and orders have overlapping base paths /api and /api/orders',
      'services catalog and billing have overlapping base paths /api and /api/orders',
      'services orders and billing have overlapping base paths /api/orders and /api/orders',
    ]);
  });

  it('refuses a service in another account or region, which API Gateway cannot map', () => {
    const config = pathConfig({ orders: { path: 'services/orders', pattern: 'backend-api', account: OTHER } });
    expect(problemsOf(() => resolvePlan(config, '/ws', { stage: 'dev' }))[0]).toMatch(/^services\.orders: path mode maps every service onto one API Gateway custom domain in 111111111111\/eu-west-1/);
  });
});

describe('delegationRoleName', () => {
  it('fits IAM\'s 64 characters by cutting the project name, never the stage', () => {
    const long = 'a'.repeat(60);
    expect(delegationRoleName(long, 'prod')).toHaveLength(64);
    expect(delegationRoleName(long, 'prod').endsWith('-prod')).toBe(true);
    expect(delegationRoleName(long, 'preview')).not.toBe(delegationRoleName(long, 'prod'));
    expect(delegationRoleName('shop', 'dev')).toBe('sprout-dns-shop-dev');
  });
});

describe('stackSafe', () => {
  it('makes names CloudFormation accepts', () => {
    expect(stackSafe('@acme/Shop_API')).toBe('acme-shop-api');
    expect(stackSafe('9lives')).toBe('app-9lives');
    expect(stackSafe('a--b')).toBe('a-b');
  });
});
