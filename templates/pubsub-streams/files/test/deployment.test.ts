import { readFileSync } from 'node:fs';
import { type Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig, toResourceName } from '../infra/config.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// What `sprout deploy --stage prod` passes for this service (see templates/README.md in sprout).
const deployment = {
  stage: 'prod',
  project: 'shop',
  service: 'orders',
  stackName: 'shop-orders-prod',
  account: '111111111111',
  region: 'eu-west-1',
};

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
    expect(stack.stackName).toBe('shop-orders-prod');
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('eu-west-1');
    Template.fromStack(stack).hasResourceProperties('AWS::AppConfig::Environment', { Name: 'prod' });
  });

  it('accepts the context as a JSON string, as typed by hand after -c', () => {
    const stack = build(JSON.stringify({ ...deployment, stackName: 'shop-orders-dev', stage: 'dev' }));
    expect(stack.stackName).toBe('shop-orders-dev');
    Template.fromStack(stack).hasResourceProperties('AWS::AppConfig::Environment', { Name: 'dev' });
  });

  it('tags the resources with the workspace project, the service and the stage', () => {
    const tags = Match.arrayWith([
      { Key: 'sprout:project', Value: 'shop' },
      { Key: 'sprout:service', Value: 'orders' },
      { Key: 'sprout:stage', Value: 'prod' },
    ]);
    const template = Template.fromStack(build(deployment));
    template.hasResourceProperties('AWS::Kinesis::Stream', { Tags: tags });
    template.hasResourceProperties('AWS::DynamoDB::Table', { Tags: tags });
  });

  it('accepts a stage that only the workspace sprout.json declares', () => {
    expect(Object.keys(sprout.stages)).not.toContain('prod');
    expect(resolveConfig(sprout, undefined, deployment)).toMatchObject({ stage: 'prod', stackName: 'shop-orders-prod', env: { account: '111111111111', region: 'eu-west-1' } });
  });

  it.each([
    ['subdomain', { mode: 'subdomain', hostName: 'orders.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC' }],
    ['path', { mode: 'path', domainName: 'api.example.com', basePath: 'api/orders' }],
  ])('fails synthesis with a clear error when sprout.json has a domain (%s mode): there is no HTTP endpoint', (_, domain) => {
    expect(() => build({ ...deployment, domain })).toThrow(/the pubsub-streams pattern has no HTTP endpoint \(producers put records on its Kinesis stream\), so it cannot take a custom domain: remove the "domain" section from sprout.json/);
  });

  it.each<[string, unknown, RegExp]>([
    ['an 11-digit account', { ...deployment, account: '11111111111' }, /sprout:deployment\.account must be a 12-digit AWS account id \(got "11111111111"\)/],
    ['broken JSON', '{"stage":', /sprout:deployment is not valid JSON/],
  ])('refuses a deployment with %s, naming the field', (_, context, message) => {
    expect(() => build(context)).toThrow(message);
  });
});

describe('plain cdk synth (no sprout:deployment)', () => {
  it('is named <name>-<stage>, in any account and region', () => {
    const stack = build();
    expect(stack.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    const [streamResource] = Object.values(Template.fromStack(stack).findResources('AWS::Kinesis::Stream'));
    expect(streamResource?.Properties.Tags).toContainEqual({ Key: 'sprout:project', Value: sprout.name });
    expect(streamResource?.Properties.Tags.map((tag: { Key: string }) => tag.Key)).not.toContain('sprout:service');
  });
});
