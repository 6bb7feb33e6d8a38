import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { toResourceName } from '../infra/config.js';
import { type TestApp, testApp } from './helpers/cdk.js';
import { pathContext, subdomainContext } from './helpers/contexts.js';

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function build(platform?: unknown) {
  const test = testApp(platform);
  apps.push(test);
  const stack = buildApp(test.app);
  return { stack, template: Template.fromStack(stack) };
}

describe('subdomain mode', () => {
  const { stack, template } = build(subdomainContext);
  const [roleId] = Object.keys(template.findResources('AWS::IAM::Role'));

  it('is deployed to the DNS account and region under the stack name sprout chose', () => {
    expect(stack.stackName).toBe('shop-platform-prod');
    expect(stack.account).toBe('333333333333');
    expect(stack.region).toBe('eu-west-1');
  });

  it('creates one role with the fixed name, assumable by each trusted account and nobody else', () => {
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sprout-dns-shop-prod',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
          },
        ],
      },
    });
  });

  it('allows only NS changes in the root zone for the listed names, and listing zones by name', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'route53:ChangeResourceRecordSets',
        Effect: 'Allow',
        Resource: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
        Condition: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['NS'],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['catalog.example.com', 'orders.example.com'],
          },
        },
      },
      { Action: 'route53:ListHostedZonesByName', Effect: 'Allow', Resource: '*' },
    ]);
  });

  it('outputs DelegationRoleArn', () => {
    template.hasOutput('DelegationRoleArn', { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('creates no domain, certificate or record', () => {
    for (const type of ['AWS::ApiGateway::DomainName', 'AWS::CertificateManager::Certificate', 'AWS::Route53::RecordSet']) {
      template.resourceCountIs(type, 0);
    }
  });

  it('grants nothing while no service name is listed', () => {
    const empty = build({ ...subdomainContext, domain: { ...subdomainContext.domain, delegatedNames: [] } }).template;
    empty.resourceCountIs('AWS::IAM::Role', 1);
    empty.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('path mode', () => {
  const { stack, template } = build(pathContext);
  const [domainId] = Object.keys(template.findResources('AWS::ApiGateway::DomainName'));

  it('is deployed under the stack name sprout chose', () => {
    expect(stack.stackName).toBe('shop-platform-dev');
    expect(stack.account).toBe('333333333333');
  });

  it('validates a certificate for the shared domain by DNS in the existing root zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'dev.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'dev.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
  });

  it('creates a regional TLS 1.2 custom domain with no mapping of its own', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'dev.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      RegionalCertificateArn: { Ref: Object.keys(template.findResources('AWS::CertificateManager::Certificate'))[0] },
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
  });

  it.each(['A', 'AAAA'])('aliases %s to it in the root zone', (type) => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'dev.example.com.',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
  });

  it('outputs the domain name and its regional target', () => {
    template.hasOutput('DomainName', { Value: { Ref: domainId } });
    template.hasOutput('RegionalDomainName', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
    template.hasOutput('RegionalHostedZoneId', { Value: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] } });
  });

  it('creates no role', () => {
    template.resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('the local preview', () => {
  const workspace = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));
  const resourceName = toResourceName(workspace.name);

  it("synthesizes the mode of the workspace's sprout.json, tagged as the platform", () => {
    const { stack, template } = build();
    expect(stack.stackName).toBe(`${resourceName}-platform-local`);
    const platformTags = Match.arrayWith([{ Key: 'sprout:service', Value: 'platform' }, { Key: 'sprout:stage', Value: 'local' }]);
    if (workspace.domain.mode === 'subdomain') {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: `sprout-dns-${resourceName}-local`, Tags: platformTags });
      template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    } else {
      template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: `local.${workspace.domain.name}`, Tags: platformTags });
      template.resourceCountIs('AWS::IAM::Role', 0);
    }
  });
});
