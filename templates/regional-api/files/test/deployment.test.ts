import { readFileSync } from 'node:fs';
import { type App, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig, toResourceName } from '../infra/config.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// What `sprout deploy --stage prod` passes for this service (see templates/README.md in sprout).
const deployment = {
  stage: 'prod',
  project: 'shop',
  service: 'catalog',
  stackName: 'shop-catalog-prod',
  account: '111111111111',
  region: 'eu-west-1',
};
const subdomain = {
  mode: 'subdomain',
  hostName: 'catalog.example.com',
  parentZoneName: 'example.com',
  parentHostedZoneId: 'Z0123456789ABC',
  delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod',
};
const path = { mode: 'path', domainName: 'api.example.com', basePath: 'api/catalog' };

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

/** The app as `cdk synth -c sprout:deployment=…` builds it (no bundling: these tests read the tree). */
function build(context?: unknown): { app: App; stack: Stack } {
  const test = testApp({ bundle: false });
  apps.push(test);
  if (context !== undefined) test.app.node.setContext('sprout:deployment', context);
  return { app: test.app, stack: buildApp(test.app) };
}
const stacksOf = (app: App) => app.node.children.filter((child): child is Stack => child instanceof Stack);

type Resource = { Type: string; Properties: Record<string, any> };
const distributionConfig = (t: Template) => (Object.values(t.findResources('AWS::CloudFront::Distribution'))[0] as Resource).Properties.DistributionConfig;

describe('deployed through sprout', () => {
  it('uses the stage, stack name, account and region sprout decided', () => {
    const { stack } = build(deployment);
    expect(stack.stackName).toBe('shop-catalog-prod');
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('eu-west-1');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it('accepts the context as a JSON string, as typed by hand after -c', () => {
    const { stack } = build(JSON.stringify({ ...deployment, stackName: 'shop-catalog-dev', stage: 'dev' }));
    expect(stack.stackName).toBe('shop-catalog-dev');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
  });

  it('tags the resources of every stack with the workspace project, the service and the stage', () => {
    const { app } = build({ ...deployment, domain: subdomain });
    const tags = Match.arrayWith([
      { Key: 'sprout:project', Value: 'shop' },
      { Key: 'sprout:service', Value: 'catalog' },
      { Key: 'sprout:stage', Value: 'prod' },
    ]);
    const [certificateStack, apiStack] = stacksOf(app);
    Template.fromStack(apiStack!).hasResourceProperties('AWS::DynamoDB::Table', { Tags: tags });
    Template.fromStack(certificateStack!).hasResourceProperties('AWS::CertificateManager::Certificate', { Tags: tags });
  });

  it('accepts a stage that only the workspace sprout.json declares', () => {
    expect(Object.keys(sprout.stages)).not.toContain('prod');
    expect(resolveConfig(sprout, undefined, deployment)).toMatchObject({ stage: 'prod', stackName: 'shop-catalog-prod', env: { account: '111111111111', region: 'eu-west-1' } });
  });

  it('without a domain: one stack, the distribution on its cloudfront.net name, no custom domain anywhere', () => {
    const { app, stack } = build(deployment);
    expect(stacksOf(app)).toEqual([stack]);
    const template = Template.fromStack(stack);
    expect(distributionConfig(template).Aliases).toBeUndefined();
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(template.toJSON().Outputs).not.toHaveProperty('Url');
  });

  it('with a subdomain: the zone and a DNS-validated certificate in a us-east-1 stack, delegated from the parent zone', () => {
    const { app } = build({ ...deployment, domain: subdomain });
    const [certificateStack, apiStack] = stacksOf(app);
    expect(certificateStack!.stackName).toBe('shop-catalog-prod-certificate');
    expect(certificateStack!.region).toBe('us-east-1');
    expect(certificateStack!.account).toBe('111111111111');
    const template = Template.fromStack(certificateStack!);
    // Deployed first, destroyed last: the API stack reads the certificate and the zone from it.
    Template.fromStack(apiStack!);
    expect(apiStack!.dependencies).toContain(certificateStack);
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'catalog.example.com.' });
    template.hasResourceProperties('Custom::CrossAccountZoneDelegation', { AssumeRoleArn: subdomain.delegationRoleArn, ParentZoneId: 'Z0123456789ABC' });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'catalog.example.com', ValidationMethod: 'DNS' });
  });

  it('with a subdomain: the distribution answers on the host name with that certificate and TLS 1.2, and the alias records point at it', () => {
    const { app } = build({ ...deployment, domain: subdomain });
    const [, apiStack] = stacksOf(app);
    const template = Template.fromStack(apiStack!);
    const config = distributionConfig(template);
    expect(config.Aliases).toEqual(['catalog.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(JSON.stringify(config.ViewerCertificate.AcmCertificateArn)).toMatch(/shop-catalog-prod-certificate.*us-east-1/);
    const [distributionId] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'catalog.example.com.',
        Type: type,
        AliasTarget: Match.objectLike({ DNSName: { 'Fn::GetAtt': [distributionId, 'DomainName'] } }),
      });
    }
    // The API itself gets no custom domain: CloudFront is its only caller.
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.hasOutput('Url', { Value: 'https://catalog.example.com' });
    template.hasOutput('ItemsUrl', { Value: 'https://catalog.example.com/items' });
  });

  it('with a subdomain whose parent zone is in the same account: a plain NS record in the parent zone', () => {
    const { delegationRoleArn: _, ...sameAccount } = subdomain;
    const { app } = build({ ...deployment, domain: sameAccount });
    const template = Template.fromStack(stacksOf(app)[0]!);
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABC', Name: 'catalog.example.com.', Type: 'NS' });
    template.resourceCountIs('Custom::CrossAccountZoneDelegation', 0);
  });

  it('refuses path mode, where a request on the shared API domain would go around CloudFront', () => {
    expect(() => build({ ...deployment, domain: path })).toThrow(/cannot sit under a path of the shared API domain api\.example\.com.*domain\.mode "subdomain"/);
  });

  it.each<[string, unknown, RegExp]>([
    ['an 11-digit account', { ...deployment, account: '11111111111' }, /sprout:deployment\.account must be a 12-digit AWS account id \(got "11111111111"\)/],
    ['an unknown domain mode', { ...deployment, domain: { ...subdomain, mode: 'apex' } }, /sprout:deployment\.domain\.mode must be "subdomain" or "path"/],
    ['a subdomain without hostName', { ...deployment, domain: { ...subdomain, hostName: undefined } }, /sprout:deployment\.domain\.hostName must be/],
    ['broken JSON', '{"stage":', /sprout:deployment is not valid JSON/],
  ])('refuses a deployment with %s, naming the field', (_, context, message) => {
    expect(() => build(context)).toThrow(message);
  });
});

describe('plain cdk synth (no sprout:deployment)', () => {
  it('stays environment-agnostic and is named <name>-<stage>', () => {
    const { stack } = build();
    expect(stack.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
    expect(table?.Properties.Tags).toContainEqual({ Key: 'sprout:project', Value: sprout.name });
    expect(table?.Properties.Tags.map((tag: { Key: string }) => tag.Key)).not.toContain('sprout:service');
  });
});
