import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parsePlatformContext, readPlatformContext } from '../infra/context.js';
import { pathContext, subdomainContext } from './helpers/contexts.js';

const withDomain = (domain: Record<string, unknown>) => ({ ...subdomainContext, domain: { ...subdomainContext.domain, ...domain } });

describe('sprout:platform', () => {
  it('is undefined when sprout did not set it', () => {
    expect(parsePlatformContext(undefined)).toBeUndefined();
    expect(readPlatformContext(new App())).toBeUndefined();
  });

  it('accepts the object sprout passes, in both modes', () => {
    expect(parsePlatformContext(subdomainContext)).toEqual(subdomainContext);
    expect(parsePlatformContext(pathContext)).toEqual(pathContext);
  });

  it('accepts a JSON string, as typed after cdk synth -c', () => {
    const app = new App({ context: { 'sprout:platform': JSON.stringify(pathContext) } });
    expect(readPlatformContext(app)).toEqual(pathContext);
  });

  it('drops duplicate accounts and names, and unknown fields', () => {
    const parsed = parsePlatformContext({
      ...withDomain({ trustedAccounts: ['111111111111', '111111111111'], delegatedNames: ['catalog.example.com', 'catalog.example.com'] }),
      addedLater: 1,
    });
    expect(parsed?.domain).toMatchObject({ trustedAccounts: ['111111111111'], delegatedNames: ['catalog.example.com'] });
    expect(parsed).not.toHaveProperty('addedLater');
  });

  it('accepts the root domain itself as the shared domain of path mode', () => {
    expect(parsePlatformContext({ ...pathContext, domain: { ...pathContext.domain, domainName: 'example.com' } })?.domain).toMatchObject({ domainName: 'example.com' });
  });

  it.each<[string, unknown, RegExp]>([
    ['broken JSON', '{"stage":', /^sprout:platform is not valid JSON/],
    ['a number', 42, /^sprout:platform must be an object \(got 42\)/],
    ['a short account', { ...subdomainContext, account: '3333' }, /^sprout:platform\.account must be a 12-digit AWS account id \(got "3333"\)/],
    ['no region', { ...subdomainContext, region: undefined }, /^sprout:platform\.region must be an AWS region such as eu-west-1 \(got nothing\)/],
    ['a stack name with an underscore', { ...subdomainContext, stackName: 'shop_platform' }, /^sprout:platform\.stackName must be a CloudFormation stack name/],
    ['no domain', { ...subdomainContext, domain: undefined }, /^sprout:platform\.domain must be an object \(got nothing\)/],
    ['an unknown mode', withDomain({ mode: 'apex' }), /^sprout:platform\.domain\.mode must be "subdomain" or "path" \(got "apex"\)/],
    ['an upper-case root domain', withDomain({ rootDomain: 'Example.com' }), /^sprout:platform\.domain\.rootDomain must be a lower-case domain name/],
    ['a hosted zone id with its /hostedzone/ prefix', withDomain({ hostedZoneId: '/hostedzone/Z0123' }), /^sprout:platform\.domain\.hostedZoneId must be a Route 53 hosted zone id/],
    ['a role name over 64 characters', withDomain({ delegationRoleName: 'r'.repeat(65) }), /^sprout:platform\.domain\.delegationRoleName must be an IAM role name/],
    ['trusted accounts that are not a list', withDomain({ trustedAccounts: '111111111111' }), /^sprout:platform\.domain\.trustedAccounts must be a list \(got "111111111111"\)/],
    ['no trusted account', withDomain({ trustedAccounts: [] }), /^sprout:platform\.domain\.trustedAccounts must be at least one account/],
    ['a bad trusted account', withDomain({ trustedAccounts: ['111111111111', 'prod'] }), /^sprout:platform\.domain\.trustedAccounts\[1\] must be a 12-digit AWS account id \(got "prod"\)/],
    ['a delegated name outside the root zone', withDomain({ delegatedNames: ['catalog.example.org'] }), /^sprout:platform\.domain\.delegatedNames\[0\] must be a name below example\.com \(got "catalog\.example\.org"\)/],
    ['the root zone as a delegated name', withDomain({ delegatedNames: ['example.com'] }), /^sprout:platform\.domain\.delegatedNames\[0\] must be a name below example\.com/],
    ['a delegated name with a trailing dot', withDomain({ delegatedNames: ['catalog.example.com.'] }), /^sprout:platform\.domain\.delegatedNames\[0\] must be a lower-case host name/],
    ['a path domain outside the root zone', { ...pathContext, domain: { ...pathContext.domain, domainName: 'api.example.org' } }, /^sprout:platform\.domain\.domainName must be example\.com or a name below it/],
    ['a path domain without domainName', { ...pathContext, domain: { ...pathContext.domain, domainName: undefined } }, /^sprout:platform\.domain\.domainName must be a lower-case host name/],
  ])('refuses %s, naming the field', (_, value, message) => {
    expect(() => parsePlatformContext(value)).toThrow(message);
  });
});
