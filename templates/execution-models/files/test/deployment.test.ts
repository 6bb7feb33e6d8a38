import { readFileSync } from 'node:fs';
import { type Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig, toResourceName } from '../infra/config.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// What `sprout deploy --stage prod` passes for this service (see templates/README.md in sprout).
const deployment = {
  stage: 'prod',
  project: 'shop',
  service: 'jobs',
  stackName: 'shop-jobs-prod',
  account: '111111111111',
  region: 'eu-west-1',
};
const subdomain = {
  mode: 'subdomain',
  hostName: 'jobs.example.com',
  parentZoneName: 'example.com',
  parentHostedZoneId: 'Z0123456789ABC',
  delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod',
};
const path = { mode: 'path', domainName: 'api.example.com', basePath: 'api/jobs' };

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

/** The app as `cdk synth -c sprout:deployment=…` builds it (no bundling: these tests read the tree). */
function build(context?: unknown): Stack {
  const test = testApp({ bundle: false });
  apps.push(test);
  if (context !== undefined) test.app.node.setContext('sprout:deployment', context);
  return buildApp(test.app);
}

describe('deployed through sprout', () => {
  it('uses the stage, stack name, account and region sprout decided', () => {
    const stack = build(deployment);
    expect(stack.stackName).toBe('shop-jobs-prod');
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('eu-west-1');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it('accepts the context as a JSON string, as typed by hand after -c', () => {
    const stack = build(JSON.stringify({ ...deployment, stackName: 'shop-jobs-dev', stage: 'dev' }));
    expect(stack.stackName).toBe('shop-jobs-dev');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
  });

  it('tags the resources with the workspace project, the service and the stage', () => {
    Template.fromStack(build(deployment)).hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([
        { Key: 'sprout:project', Value: 'shop' },
        { Key: 'sprout:service', Value: 'jobs' },
        { Key: 'sprout:stage', Value: 'prod' },
      ]),
    });
  });

  it('accepts a stage that only the workspace sprout.json declares', () => {
    expect(Object.keys(sprout.stages)).not.toContain('prod');
    expect(resolveConfig(sprout, undefined, deployment)).toMatchObject({ stage: 'prod', stackName: 'shop-jobs-prod', env: { account: '111111111111', region: 'eu-west-1' } });
  });

  it('has no custom domain when the deployment has none', () => {
    const template = Template.fromStack(build(deployment));
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    expect(template.toJSON().Outputs).not.toHaveProperty('Url');
  });

  it('gives the API its own delegated zone, certificate and custom domain in subdomain mode', () => {
    const template = Template.fromStack(build({ ...deployment, domain: subdomain }));
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'jobs.example.com.' });
    template.hasResourceProperties('Custom::CrossAccountZoneDelegation', { AssumeRoleArn: subdomain.delegationRoleArn, ParentZoneId: 'Z0123456789ABC' });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'jobs.example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'jobs.example.com', SecurityPolicy: 'TLS_1_2' });
    const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { RestApiId: { Ref: restApiId }, BasePath: Match.absent() });
    template.hasOutput('Url', { Value: 'https://jobs.example.com' });
  });

  it('maps the API under its base path on the shared domain in path mode', () => {
    const template = Template.fromStack(build({ ...deployment, domain: path }));
    const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: 'api.example.com', ApiMappingKey: 'api/jobs', ApiId: { Ref: restApiId } });
    template.resourceCountIs('AWS::Route53::HostedZone', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasOutput('Url', { Value: 'https://api.example.com/api/jobs' });
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
  it('is named <name>-<stage>, in any account, and environment-agnostic unless it has Lambda@Edge functions (then in us-east-1)', () => {
    const stack = build();
    expect(stack.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
    expect(Token.isUnresolved(stack.account)).toBe(true);
    // CDK's EdgeFunction needs the stack's region; a stack without one stays environment-agnostic.
    const hasEdgeFunctions = stack.node.findAll().some((construct) => construct instanceof cloudfront.experimental.EdgeFunction);
    if (hasEdgeFunctions) expect(stack.region).toBe('us-east-1');
    else expect(Token.isUnresolved(stack.region)).toBe(true);
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
    expect(table?.Properties.Tags).toContainEqual({ Key: 'sprout:project', Value: sprout.name });
    expect(table?.Properties.Tags.map((tag: { Key: string }) => tag.Key)).not.toContain('sprout:service');
  });
});
