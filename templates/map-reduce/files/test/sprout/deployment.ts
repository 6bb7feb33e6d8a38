// Ships into every generated project as test/sprout/deployment.ts (npm run sync:runtime in sprout).
// The project's test/deployment.test.ts calls describeSproutDeployment(…): the stack honours the
// `sprout:deployment` context that `sprout deploy` passes (see templates/README.md in sprout),
// and a plain `cdk synth` stays environment-agnostic. Template-specific checks go next to it.
import { readFileSync } from 'node:fs';
import { type App, type Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from './cdk-app.js';

export interface SproutDeploymentSuite {
  buildApp(app: App): Stack;
  /** The project's own resolveConfig (infra/config.ts): sprout.json, a `-c stage`, the deployment. */
  resolveConfig(sprout: never, stage?: string, deployment?: never): { stackName: string };
  /** The type of a resource the stack tags (the first one found is checked). */
  taggedResourceType: string;
  /**
   * How the stack meets sprout.json's `domain`: its REST API takes the custom domain through the
   * shared ApiServiceDomain, or the pattern has no HTTP endpoint and synth stops with this message.
   */
  domain: 'rest-api' | { refusedWith: string };
}

/** What `sprout deploy --stage prod` passes for a service "orders" of the workspace "shop". */
export const SPROUT_DEPLOYMENT = {
  stage: 'prod',
  project: 'shop',
  service: 'orders',
  stackName: 'shop-orders-prod',
  account: '111111111111',
  region: 'eu-west-1',
} as const;
export const SUBDOMAIN = {
  mode: 'subdomain',
  hostName: 'orders.example.com',
  parentZoneName: 'example.com',
  parentHostedZoneId: 'Z0123456789ABC',
  delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod',
} as const;
export const PATH = { mode: 'path', domainName: 'api.example.com', basePath: 'api/orders' } as const;

/**
 * `build(context?)`: the app as `cdk synth -c sprout:deployment=…` builds it, without bundling (for
 * tests that read the tree). Call it at the top of a test file: it removes its output afterwards.
 */
export function stackBuilder(buildApp: (app: App) => Stack): (context?: unknown) => Stack {
  const apps: TestApp[] = [];
  afterAll(() => apps.forEach((app) => app.cleanUp()));
  return (context) => {
    const test = testApp({ bundle: false });
    apps.push(test);
    if (context !== undefined) test.app.node.setContext('sprout:deployment', context);
    return buildApp(test.app);
  };
}

export function describeSproutDeployment(suite: SproutDeploymentSuite): void {
  const deployment = SPROUT_DEPLOYMENT;
  const sprout = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));
  const resolveConfig = (stage?: string, context?: unknown) => suite.resolveConfig(sprout as never, stage, context as never);
  const build = stackBuilder(suite.buildApp);
  const tags = (template: Template): Array<{ Key: string; Value: unknown }> => {
    const [resource] = Object.values(template.findResources(suite.taggedResourceType));
    expect(resource, `a ${suite.taggedResourceType} in the stack`).toBeDefined();
    return resource!.Properties.Tags;
  };

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
      expect(tags(Template.fromStack(build(deployment)))).toEqual(
        expect.arrayContaining([
          { Key: 'sprout:project', Value: 'shop' },
          { Key: 'sprout:service', Value: 'orders' },
          { Key: 'sprout:stage', Value: 'prod' },
        ]),
      );
    });

    it('accepts a stage that only the workspace sprout.json declares', () => {
      expect(Object.keys(sprout.stages)).not.toContain('prod');
      expect(resolveConfig(undefined, deployment)).toMatchObject({ stage: 'prod', stackName: 'shop-orders-prod', env: { account: '111111111111', region: 'eu-west-1' } });
    });

    it.each<[string, unknown, RegExp]>([
      ['an 11-digit account', { ...deployment, account: '11111111111' }, /sprout:deployment\.account must be a 12-digit AWS account id \(got "11111111111"\)/],
      ['an unknown domain mode', { ...deployment, domain: { ...SUBDOMAIN, mode: 'apex' } }, /sprout:deployment\.domain\.mode must be "subdomain" or "path"/],
      ['a subdomain without hostName', { ...deployment, domain: { ...SUBDOMAIN, hostName: undefined } }, /sprout:deployment\.domain\.hostName must be/],
      ['broken JSON', '{"stage":', /sprout:deployment is not valid JSON/],
    ])('refuses a deployment with %s, naming the field', (_, context, message) => {
      expect(() => build(context)).toThrow(message);
    });

    const { domain } = suite;
    if (domain === 'rest-api') {
      it('names the API stage after the sprout stage', () => {
        Template.fromStack(build(deployment)).hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
      });

      it('has no custom domain when the deployment has none', () => {
        const template = Template.fromStack(build(deployment));
        template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
        template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
        expect(template.toJSON().Outputs).not.toHaveProperty('Url');
      });

      it('gives the API its own delegated zone, certificate and custom domain in subdomain mode', () => {
        const template = Template.fromStack(build({ ...deployment, domain: SUBDOMAIN }));
        template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'orders.example.com.' });
        template.hasResourceProperties('Custom::CrossAccountZoneDelegation', { AssumeRoleArn: SUBDOMAIN.delegationRoleArn, ParentZoneId: 'Z0123456789ABC' });
        template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'orders.example.com', ValidationMethod: 'DNS' });
        template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'orders.example.com', SecurityPolicy: 'TLS_1_2' });
        const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
        template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { RestApiId: { Ref: restApiId }, BasePath: Match.absent() });
        template.hasOutput('Url', { Value: 'https://orders.example.com' });
      });

      it('maps the API under its base path on the shared domain in path mode', () => {
        const template = Template.fromStack(build({ ...deployment, domain: PATH }));
        const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
        template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: 'api.example.com', ApiMappingKey: 'api/orders', ApiId: { Ref: restApiId } });
        template.resourceCountIs('AWS::Route53::HostedZone', 0);
        template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
        template.hasOutput('Url', { Value: 'https://api.example.com/api/orders' });
      });
    } else {
      it.each([
        ['subdomain', SUBDOMAIN],
        ['path', PATH],
      ])('refuses a custom domain (%s mode): the pattern has no HTTP endpoint', (_, custom) => {
        expect(() => build({ ...deployment, domain: custom })).toThrow(domain.refusedWith);
      });
    }
  });

  describe('plain cdk synth (no sprout:deployment)', () => {
    it('is named <name>-<stage>, in any account, and environment-agnostic unless it has Lambda@Edge functions (then in us-east-1)', () => {
      const stack = build();
      expect(stack.stackName).toBe(resolveConfig().stackName);
      expect(stack.stackName).toMatch(new RegExp(`-${sprout.defaultStage}$`));
      expect(Token.isUnresolved(stack.account)).toBe(true);
      // CDK's EdgeFunction needs the stack's region; a stack without one stays environment-agnostic.
      const hasEdgeFunctions = stack.node.findAll().some((construct) => construct instanceof cloudfront.experimental.EdgeFunction);
      if (hasEdgeFunctions) expect(stack.region).toBe('us-east-1');
      else expect(Token.isUnresolved(stack.region)).toBe(true);
      const tagged = tags(Template.fromStack(stack));
      expect(tagged).toContainEqual({ Key: 'sprout:project', Value: sprout.name });
      expect(tagged.map((tag) => tag.Key)).not.toContain('sprout:service');
    });
  });
}
