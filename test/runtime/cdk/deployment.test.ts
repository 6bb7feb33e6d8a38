import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';

import { parseSproutDeployment, readSproutDeployment, type SproutDeployment } from '../../../src/runtime/cdk/deployment.js';

const base = {
  stage: 'prod',
  project: 'shop',
  service: 'catalog',
  stackName: 'shop-catalog-prod',
  account: '111111111111',
  region: 'eu-west-1',
};
const subdomain = {
  mode: 'subdomain' as const,
  hostName: 'catalog.example.com',
  parentZoneName: 'example.com',
  parentHostedZoneId: 'Z0123456789ABC',
  delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod',
};
const path = { mode: 'path' as const, domainName: 'api.example.com', basePath: 'api/catalog' };

describe('parseSproutDeployment', () => {
  it('is undefined when sprout did not set the context', () => {
    expect(parseSproutDeployment(undefined)).toBeUndefined();
    expect(readSproutDeployment(new App())).toBeUndefined();
  });

  it('accepts the object the CDK Toolkit Library passes, with a subdomain', () => {
    const parsed = parseSproutDeployment({ ...base, domain: subdomain });
    expect(parsed).toEqual({ ...base, domain: subdomain } satisfies SproutDeployment);
  });

  it('accepts a JSON string, as typed after cdk synth -c', () => {
    expect(parseSproutDeployment(JSON.stringify({ ...base, domain: path }))).toEqual({ ...base, domain: path });
  });

  it('reads the value from the app context', () => {
    const app = new App({ context: { 'sprout:deployment': JSON.stringify(base) } });
    expect(readSproutDeployment(app)).toEqual(base);
  });

  it('keeps a subdomain without delegation role (parent zone in the same account) and drops unknown fields', () => {
    const { delegationRoleArn: _, ...sameAccount } = subdomain;
    const parsed = parseSproutDeployment({ ...base, domain: sameAccount, addedLater: true });
    expect(parsed).toEqual({ ...base, domain: sameAccount });
    expect(parsed).not.toHaveProperty('addedLater');
  });

  it('accepts a base path with a leading slash', () => {
    expect(parseSproutDeployment({ ...base, domain: { ...path, basePath: '/api/catalog' } })?.domain).toEqual({ ...path, basePath: '/api/catalog' });
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{"stage": ', /^sprout:deployment is not valid JSON/],
    ['an array', [base], /^sprout:deployment must be an object \(got \[/],
    ['null', null, /^sprout:deployment must be an object \(got null\)/],
    ['an 11-digit account', { ...base, account: '12345678901' }, /^sprout:deployment\.account must be a 12-digit AWS account id \(got "12345678901"\)/],
    ['a numeric account', { ...base, account: 111111111111 }, /^sprout:deployment\.account must be a 12-digit AWS account id \(got 111111111111\)/],
    ['no region', { ...base, region: undefined }, /^sprout:deployment\.region must be an AWS region such as eu-west-1 \(got nothing\)/],
    ['a region typo', { ...base, region: 'eu-west' }, /^sprout:deployment\.region must be an AWS region/],
    ['a stage with a space', { ...base, stage: 'my stage' }, /^sprout:deployment\.stage must be a stage name/],
    ['an empty project', { ...base, project: '' }, /^sprout:deployment\.project must be a non-empty project name/],
    ['no service', { ...base, service: undefined }, /^sprout:deployment\.service must be a non-empty service name/],
    ['a stack name with a dot', { ...base, stackName: 'shop.prod' }, /^sprout:deployment\.stackName must be a CloudFormation stack name/],
    ['a domain that is a string', { ...base, domain: 'catalog.example.com' }, /^sprout:deployment\.domain must be an object/],
    ['an unknown domain mode', { ...base, domain: { ...subdomain, mode: 'apex' } }, /^sprout:deployment\.domain\.mode must be "subdomain" or "path" \(got "apex"\)/],
    ['no hostName', { ...base, domain: { ...subdomain, hostName: undefined } }, /^sprout:deployment\.domain\.hostName must be a lower-case host name .* \(got nothing\)/],
    ['an upper-case hostName', { ...base, domain: { ...subdomain, hostName: 'Catalog.example.com' } }, /^sprout:deployment\.domain\.hostName must be a lower-case host name/],
    ['a hostName outside the parent zone', { ...base, domain: { ...subdomain, hostName: 'catalog.example.org' } }, /^sprout:deployment\.domain\.hostName must be a name below the parent zone example\.com \(got "catalog\.example\.org"\)/],
    ['the parent zone itself as hostName', { ...base, domain: { ...subdomain, hostName: 'example.com' } }, /^sprout:deployment\.domain\.hostName must be a name below the parent zone/],
    ['a bad hosted zone id', { ...base, domain: { ...subdomain, parentHostedZoneId: '/hostedzone/Z0123' } }, /^sprout:deployment\.domain\.parentHostedZoneId must be a Route 53 hosted zone id/],
    ['a delegation role that is not a role ARN', { ...base, domain: { ...subdomain, delegationRoleArn: 'arn:aws:iam::222222222222:user/alice' } }, /^sprout:deployment\.domain\.delegationRoleArn must be an IAM role ARN/],
    ['a path domain without domainName', { ...base, domain: { ...path, domainName: undefined } }, /^sprout:deployment\.domain\.domainName must be a lower-case host name/],
    ['an empty base path', { ...base, domain: { ...path, basePath: '' } }, /^sprout:deployment\.domain\.basePath must be a base path/],
    ['a base path with an empty segment', { ...base, domain: { ...path, basePath: 'api//catalog' } }, /^sprout:deployment\.domain\.basePath must be a base path/],
    ['a base path over 300 characters', { ...base, domain: { ...path, basePath: `api/${'a'.repeat(297)}` } }, /^sprout:deployment\.domain\.basePath must be a base path/],
  ])('refuses %s, naming the field', (_, value, message) => {
    expect(() => parseSproutDeployment(value)).toThrow(message);
  });

  it('accepts a base path of exactly 300 characters', () => {
    const basePath = `api/${'a'.repeat(296)}`;
    expect(parseSproutDeployment({ ...base, domain: { ...path, basePath } })?.domain).toMatchObject({ basePath });
  });
});
