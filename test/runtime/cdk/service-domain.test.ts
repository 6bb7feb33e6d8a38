import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';

import type { DeploymentDomain } from '../../../src/runtime/cdk/deployment.js';
import { ApiServiceDomain } from '../../../src/runtime/cdk/service-domain.js';

const delegationRoleArn = 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod';
const subdomain = {
  mode: 'subdomain',
  hostName: 'catalog.example.com',
  parentZoneName: 'example.com',
  parentHostedZoneId: 'Z0123456789ABC',
} as const;
const crossAccount: DeploymentDomain = { ...subdomain, delegationRoleArn };
const path: DeploymentDomain = { mode: 'path', domainName: 'api.example.com', basePath: '/api/catalog' };

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A stack with a one-method REST API and the domain for it. */
function build(domain: DeploymentDomain, { nag = false } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'service-domain-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Service', { env: { account: '111111111111', region: 'eu-west-1' } });
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  new ApiServiceDomain(stack, 'Domain', { api, stage: api.deploymentStage, domain });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, outdir };
}

const synth = (domain: DeploymentDomain) => Template.fromStack(build(domain).stack);
const ref = (template: Template, type: string) => ({ Ref: Object.keys(template.findResources(type))[0] });
const restApi = (template: Template) => ({ Ref: Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0] });
const stageRef = (template: Template) => ref(template, 'AWS::ApiGateway::Stage');

describe('subdomain mode, parent zone in the DNS account', () => {
  const template = synth(crossAccount);
  const zone = () => ref(template, 'AWS::Route53::HostedZone');

  it("creates the service's public hosted zone for its host name", () => {
    template.resourceCountIs('AWS::Route53::HostedZone', 1);
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'catalog.example.com.' });
  });

  it('delegates it from the parent zone through the delegation role, and removes the NS record on destroy', () => {
    template.hasResource('Custom::CrossAccountZoneDelegation', {
      Properties: {
        AssumeRoleArn: delegationRoleArn,
        ParentZoneId: 'Z0123456789ABC',
        DelegatedZoneName: 'catalog.example.com',
        DelegatedZoneNameServers: { 'Fn::GetAtt': [zone().Ref, 'NameServers'] },
        TTL: 3600,
      },
      DeletionPolicy: 'Delete',
    });
    // The handler may assume that one role, nothing else.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: delegationRoleArn }] },
    });
    expect(template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'NS' } })).toEqual({});
  });

  it('validates the certificate by DNS in the new zone, once the delegation exists', () => {
    const [certificate] = Object.values(template.findResources('AWS::CertificateManager::Certificate'));
    expect(certificate?.Properties).toMatchObject({
      DomainName: 'catalog.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'catalog.example.com', HostedZoneId: zone() }],
    });
    const delegation = Object.keys(template.findResources('Custom::CrossAccountZoneDelegation'))[0];
    expect(certificate?.DependsOn).toContain(delegation);
  });

  it('creates a regional TLS 1.2 custom domain with the API stage mapped at the root', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'catalog.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      RegionalCertificateArn: ref(template, 'AWS::CertificateManager::Certificate'),
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      DomainName: ref(template, 'AWS::ApiGateway::DomainName'),
      RestApiId: restApi(template),
      Stage: stageRef(template),
      BasePath: Match.absent(),
    });
  });

  it.each(['A', 'AAAA'])('aliases %s records in the new zone to the regional domain', (type) => {
    const domain = ref(template, 'AWS::ApiGateway::DomainName').Ref;
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'catalog.example.com.',
      HostedZoneId: zone(),
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domain, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domain, 'RegionalHostedZoneId'] },
      },
    });
  });

  it('outputs Url as the https host name', () => {
    template.hasOutput('Url', { Value: 'https://catalog.example.com' });
  });

  it('deletes the certificate validation records before the zone, so destroy can delete the zone', () => {
    const [cleanupId, cleanup] = Object.entries(template.findResources('Custom::AcmValidationRecordsCleanup'))[0] ?? [];
    expect(cleanup?.Properties.HostedZoneId).toEqual(zone());
    const [certificate] = Object.values(template.findResources('AWS::CertificateManager::Certificate'));
    expect(certificate?.DependsOn).toContain(cleanupId);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'route53:ChangeResourceRecordSets',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/', zone()]] },
            Condition: {
              'ForAllValues:StringEquals': {
                'route53:ChangeResourceRecordSetsActions': ['DELETE'],
                'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
              },
            },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler' });
  });
});

describe('subdomain mode, parent zone in the same account', () => {
  const template = synth(subdomain);

  it('writes the NS record into the imported parent zone', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'NS',
      HostedZoneId: 'Z0123456789ABC',
      Name: 'catalog.example.com.',
      ResourceRecords: { 'Fn::GetAtt': [ref(template, 'AWS::Route53::HostedZone').Ref, 'NameServers'] },
      TTL: '3600',
    });
    const [certificate] = Object.values(template.findResources('AWS::CertificateManager::Certificate'));
    const ns = Object.keys(template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'NS' } }));
    expect(certificate?.DependsOn).toEqual(expect.arrayContaining(ns));
  });

  it('assumes no cross-account role', () => {
    template.resourceCountIs('Custom::CrossAccountZoneDelegation', 0);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>,
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.flatMap((statement) => [statement.Action].flat())).not.toContain('sts:AssumeRole');
  });

  it('still creates the zone, certificate, domain and aliases', () => {
    template.resourceCountIs('AWS::Route53::HostedZone', 1);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    template.resourceCountIs('AWS::ApiGateway::DomainName', 1);
    expect(Object.keys(template.findResources('AWS::Route53::RecordSet', { Properties: { AliasTarget: Match.anyValue() } }))).toHaveLength(2);
  });
});

describe('path mode', () => {
  const template = synth(path);

  it('maps the API stage under the multi-level key on the shared domain', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: 'api.example.com',
      ApiId: restApi(template),
      Stage: stageRef(template),
      ApiMappingKey: 'api/catalog',
    });
  });

  it('creates no zone, certificate, custom domain or record: the platform app owns them', () => {
    for (const type of [
      'AWS::Route53::HostedZone',
      'AWS::Route53::RecordSet',
      'AWS::CertificateManager::Certificate',
      'AWS::ApiGateway::DomainName',
      'AWS::ApiGateway::BasePathMapping',
      'Custom::CrossAccountZoneDelegation',
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  it('outputs Url under the base path', () => {
    template.hasOutput('Url', { Value: 'https://api.example.com/api/catalog' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['subdomain, cross-account', crossAccount],
    ['subdomain, same account', subdomain],
    ['path', path],
  ])('finds nothing in the domain constructs (%s)', (_, domain) => {
    const { app, outdir } = build(domain, { nag: true });
    expect(() => app.synth()).toThrow(/AwsSolutions/);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const paths: string[] = report.pluginReports.flatMap((plugin: { violations: Array<{ violatingConstructs: Array<{ constructPath: string }> }> }) =>
      plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => construct.constructPath)),
    );
    // The bare test API has findings, which proves the pack ran; the domain has none.
    expect(paths.some((constructPath) => constructPath.startsWith('Service/Api/'))).toBe(true);
    expect(paths.filter((constructPath) => constructPath.startsWith('Service/Domain/'))).toEqual([]);
  });
});
