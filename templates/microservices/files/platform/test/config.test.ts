import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { delegationRoleName, loadPlatformConfig, localPlatformConfig, toResourceName, type WorkspaceFile } from '../infra/config.js';
import { parsePlatformContext } from '../infra/context.js';
import { subdomainContext } from './helpers/contexts.js';

const workspace: WorkspaceFile = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));
const resourceName = toResourceName(String(workspace.name));
// The file holds whatever `sprout create` was given; the rules are tested on a fixed one.
const sample: WorkspaceFile = {
  name: 'shop',
  stages: { local: {}, dev: { account: '111111111111', domainLabel: 'dev' }, prod: { account: '222222222222', domainLabel: '' } },
  domain: { name: 'example.com', account: '333333333333', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
  services: {},
};
const withServices = {
  ...sample,
  services: {
    catalog: { path: 'services/catalog', pattern: 'backend-api' },
    orders: { path: 'services/orders', pattern: 'backend-api', account: '444444444444', stages: { prod: { account: '555555555555' } } },
    billing: { path: 'services/billing', pattern: 'backend-api', domain: 'pay.example.com', account: '333333333333' },
  },
};

describe('with sprout:platform', () => {
  it('uses the stage, stack name, account and region sprout decided', () => {
    const config = loadPlatformConfig(parsePlatformContext(subdomainContext));
    expect(config).toEqual({
      stage: 'prod',
      project: 'shop',
      stackName: 'shop-platform-prod',
      env: { account: '333333333333', region: 'eu-west-1' },
      domain: subdomainContext.domain,
    });
  });
});

describe('the local preview (plain cdk synth)', () => {
  it("reads the workspace's sprout.json and stays environment-agnostic", () => {
    const config = loadPlatformConfig(undefined);
    expect(config).toMatchObject({ stage: 'local', project: workspace.name, stackName: `${resourceName}-platform-local` });
    expect(config.env).toBeUndefined();
    expect(config.domain).toMatchObject({ mode: workspace.domain?.mode, rootDomain: workspace.domain?.name, hostedZoneId: workspace.domain?.hostedZoneId });
  });

  it("trusts every account sprout.json names but the zone's, and delegates each service under the local label", () => {
    expect(localPlatformConfig(withServices).domain).toEqual({
      mode: 'subdomain',
      rootDomain: 'example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      delegationRoleName: 'sprout-dns-shop-local',
      trustedAccounts: ['111111111111', '222222222222', '444444444444', '555555555555'],
      delegatedNames: ['catalog.local.example.com', 'orders.local.example.com', 'pay.example.com'],
    });
  });

  it("follows the local stage's domainLabel, where an empty label means the root domain", () => {
    const labelled = (domainLabel: string) => ({ ...withServices, stages: { ...withServices.stages, local: { domainLabel } } });
    expect(localPlatformConfig(labelled('sandbox')).domain).toMatchObject({ delegatedNames: expect.arrayContaining(['catalog.sandbox.example.com']) });
    expect(localPlatformConfig(labelled('')).domain).toMatchObject({ delegatedNames: expect.arrayContaining(['catalog.example.com']) });
  });

  it('trusts the one account when the zone and every stage share it', () => {
    const oneAccount = { ...sample, stages: { local: {}, dev: { account: '333333333333' } } };
    expect(localPlatformConfig(oneAccount).domain).toMatchObject({ trustedAccounts: ['333333333333'] });
  });

  it('has nothing to delegate before any service is registered', () => {
    expect(localPlatformConfig({ ...sample, services: {} }).domain).toMatchObject({ delegatedNames: [] });
  });

  it('previews the shared domain of path mode as local.<root>', () => {
    const path = { ...sample, domain: { ...sample.domain, mode: 'path' } };
    expect(localPlatformConfig(path).domain).toEqual({ mode: 'path', rootDomain: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', domainName: 'local.example.com' });
  });

  it.each<[string, WorkspaceFile, RegExp]>([
    ['no domain section', { ...sample, domain: undefined }, /^sprout\.json: there is no "domain" section/],
    ['no account anywhere (subdomain mode)', { ...sample, stages: { local: {} }, domain: { ...sample.domain, account: undefined } }, /trustedAccounts must be at least one account/],
    ['an unknown mode', { ...sample, domain: { ...sample.domain, mode: 'apex' } }, /^sprout\.json domain \(as the local preview reads it\)\.mode must be "subdomain" or "path"/],
    ['a bad zone id', { ...sample, domain: { ...sample.domain, hostedZoneId: 'zone' } }, /\.hostedZoneId must be a Route 53 hosted zone id/],
  ])('refuses a sprout.json with %s', (_, sprout, message) => {
    expect(() => localPlatformConfig(sprout)).toThrow(message);
  });

  it('keeps role names within the 64 characters IAM allows, stage last', () => {
    const name = delegationRoleName('a'.repeat(80), 'production');
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^sprout-dns-a+-production$/);
    expect(delegationRoleName('shop', 'prod')).toBe('sprout-dns-shop-prod');
  });
});
