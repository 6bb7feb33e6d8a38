import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { FAILOVER_STATUS_CODES, type SecuredSpaStack } from '../infra/stacks/secured-spa-stack.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const deployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1' };

function synth(options: Partial<Options> = {}, context?: unknown): { stack: SecuredSpaStack; template: Template; edge?: Template } {
  const test = testApp({ bundle: false });
  apps.push(test);
  if (context) test.app.node.setContext('sprout:deployment', context);
  const stack = buildApp(test.app, { options });
  const edgeStack = test.app.node.children.find((child): child is Stack => child instanceof Stack && child.stackName.startsWith('edge-lambda-stack-'));
  return { stack, template: Template.fromStack(stack), ...(edgeStack ? { edge: Template.fromStack(edgeStack) } : {}) };
}
const resources = (template: Template, type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const distributionConfig = (template: Template) => resources(template, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;
const edgeFunctionIds = ['ViewerAuth', 'SecurityHeaders', 'OriginFailover'];
const edgeFunctions = (template: Template) => resources(template, 'AWS::Lambda::Function').filter(([id]) => edgeFunctionIds.some((name) => id.startsWith(name)));

let local: ReturnType<typeof synth>;
let crossRegion: ReturnType<typeof synth>;
beforeAll(() => {
  local = synth();
  crossRegion = synth({}, deployment);
});

describe('the Lambda@Edge functions', () => {
  it('are in us-east-1: in the stack itself for plain cdk deploy, in an edge-lambda-stack-… stack beside an eu-west-1 stack', () => {
    expect(local.stack.region).toBe('us-east-1');
    expect(edgeFunctions(local.template)).toHaveLength(3);
    expect(crossRegion.edge).toBeDefined();
    expect(edgeFunctions(crossRegion.template)).toHaveLength(0);
    expect(edgeFunctions(crossRegion.edge!)).toHaveLength(3);
    const edgeStack = crossRegion.stack.dependencies.find((s) => s.stackName.startsWith('edge-lambda-stack-'))!;
    expect(edgeStack.region).toBe('us-east-1');
    expect(edgeStack.account).toBe('111111111111');
  });

  it('have no environment variables, are retained on delete, run Node.js 22 on x86_64 within the viewer limits, and may be assumed by edgelambda', () => {
    for (const template of [local.template, crossRegion.edge!]) {
      for (const [id, fn] of edgeFunctions(template)) {
        expect(fn.Properties.Environment, id).toBeUndefined();
        expect(fn.DeletionPolicy, id).toBe('Retain');
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], MemorySize: 128 });
        expect(fn.Properties.Timeout).toBeLessThanOrEqual(id.startsWith('ViewerAuth') ? 5 : 30);
        const role = template.toJSON().Resources[fn.Properties.Role['Fn::GetAtt'][0]];
        const principals = role.Properties.AssumeRolePolicyDocument.Statement.flatMap((s: { Principal: { Service: string | string[] } }) => s.Principal.Service);
        expect(principals).toEqual(expect.arrayContaining(['lambda.amazonaws.com', 'edgelambda.amazonaws.com']));
      }
    }
  });

  it('are associated by numbered version: viewer-request on the pages only, origin-response and origin-request on every site behaviour', () => {
    const config = distributionConfig(local.template);
    const events = (behavior: { LambdaFunctionAssociations?: Array<{ EventType: string; LambdaFunctionARN: { Ref: string } }> }) =>
      Object.fromEntries((behavior.LambdaFunctionAssociations ?? []).map((a) => [a.EventType, a.LambdaFunctionARN.Ref.replace(/CurrentVersion.*$/, '')]));
    expect(events(config.DefaultCacheBehavior)).toEqual({ 'viewer-request': 'ViewerAuthFn', 'origin-response': 'SecurityHeadersFn', 'origin-request': 'OriginFailoverFn' });
    const assets = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/assets/*');
    expect(events(assets)).toEqual({ 'origin-response': 'SecurityHeadersFn', 'origin-request': 'OriginFailoverFn' });
    for (const [id] of Object.entries(events(config.DefaultCacheBehavior))) expect(local.template.toJSON().Resources[config.DefaultCacheBehavior.LambdaFunctionAssociations.find((a: { EventType: string }) => a.EventType === id).LambdaFunctionARN.Ref].Type).toBe('AWS::Lambda::Version');
  });

  it('without originFailover: no origin-request function, no origin group, no secondary bucket', () => {
    const { template } = synth({ originFailover: false });
    expect(edgeFunctions(template).map(([id]) => id.replace(/Fn.*$/, ''))).toEqual(['ViewerAuth', 'SecurityHeaders']);
    expect(distributionConfig(template).OriginGroups).toBeUndefined();
    expect(resources(template, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('SecondaryBucket'))).toHaveLength(0);
  });
});

describe('origin failover', () => {
  it('puts the site bucket and its replica in an origin group, each read through origin access control', () => {
    const config = distributionConfig(local.template);
    const group = config.OriginGroups.Items[0];
    expect(group.FailoverCriteria.StatusCodes.Items).toEqual(FAILOVER_STATUS_CODES);
    const [primaryId, secondaryId] = group.Members.Items.map((m: { OriginId: string }) => m.OriginId);
    const origin = (id: string) => config.Origins.find((o: { Id: string }) => o.Id === id);
    expect(origin(primaryId).DomainName['Fn::GetAtt'][0]).toMatch(/^SiteBucket/);
    expect(origin(secondaryId).DomainName['Fn::GetAtt'][0]).toMatch(/^SecondaryBucket/);
    for (const id of [primaryId, secondaryId]) expect(origin(id).OriginAccessControlId).toBeDefined();
    // The origin-request function learns each origin's role, and the secondary's domain, from these.
    expect(origin(primaryId).OriginCustomHeaders).toEqual(
      expect.arrayContaining([{ HeaderName: 'x-sprout-origin-role', HeaderValue: 'primary' }, { HeaderName: 'x-sprout-secondary-domain', HeaderValue: { 'Fn::GetAtt': [expect.stringMatching(/^SecondaryBucket/), 'RegionalDomainName'] } }]),
    );
    expect(origin(secondaryId).OriginCustomHeaders).toEqual([{ HeaderName: 'x-sprout-origin-role', HeaderValue: 'secondary' }]);
  });

  it('fills the replica with the same build and config.json, and lets only the distribution read it', () => {
    const [, replica] = resources(local.template, 'Custom::CDKBucketDeployment').find(([id]) => id.startsWith('DeploySecondary'))!;
    expect(replica.Properties.DestinationBucketName.Ref).toMatch(/^SecondaryBucket/);
    expect(replica.Properties.SourceObjectKeys).toHaveLength(2);
    const [, policy] = resources(local.template, 'AWS::S3::BucketPolicy').find(([id]) => id.startsWith('SecondaryBucketPolicy'))!;
    const allows = policy.Properties.PolicyDocument.Statement.filter((s: { Effect: string; Principal?: { Service?: string } }) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(allows).toHaveLength(1);
    expect(allows[0].Action).toBe('s3:GetObject');
  });
});

describe('Cognito', () => {
  it('has a user pool without self sign-up, and a public PKCE client (code grant, no secret) calling back to the site', () => {
    local.template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: 'OPTIONAL' });
    const [, client] = resources(local.template, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties).toMatchObject({ GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'] });
    expect(JSON.stringify(client.Properties.CallbackURLs)).toMatch(/SiteDistribution.*DomainName.*\/signin/);
    expect(client.Properties.LogoutURLs).toEqual(client.Properties.CallbackURLs);
    local.template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('sets access and ID token lifetimes from accessTokenMinutes', () => {
    const { template } = synth({ accessTokenMinutes: 15 });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AccessTokenValidity: 15, IdTokenValidity: 15, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' } });
  });

  it('gives the frontend the pool, client and hosted UI in config.json', () => {
    const [, html] = resources(local.template, 'Custom::CDKBucketDeployment').find(([id]) => id.startsWith('SiteDeployHtml'))!;
    const markers = JSON.stringify(html.Properties.SourceMarkers[1]);
    expect(markers).toMatch(/UserPool/);
    expect(markers).toMatch(/SpaClient/);
    expect(markers).toMatch(/auth\./);
  });
});

describe('the API', () => {
  const methods = (template: Template) => resources(template, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties);

  it.each(['cognito', 'lambda'] as const)('requires the %s authorizer on every method but the CORS preflights, which stay open', (kind) => {
    const { template } = synth({ authorizer: kind });
    const [[authorizerId, authorizer]] = resources(template, 'AWS::ApiGateway::Authorizer') as [[string, Resource]];
    expect(authorizer.Properties.Type).toBe(kind === 'cognito' ? 'COGNITO_USER_POOLS' : 'TOKEN');
    const all = methods(template);
    const secured = all.filter((m) => m.HttpMethod !== 'OPTIONS');
    expect(secured).toHaveLength(5);
    for (const method of secured) {
      expect(method.AuthorizationType).toBe(kind === 'cognito' ? 'COGNITO_USER_POOLS' : 'CUSTOM');
      expect(method.AuthorizerId).toEqual({ Ref: authorizerId });
    }
    const preflights = all.filter((m) => m.HttpMethod === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    for (const method of preflights) {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.AuthorizerId).toBeUndefined();
    }
  });

  it('gives the Lambda authorizer the pool and client ids (a regional function may have environment variables)', () => {
    const { template } = synth({ authorizer: 'lambda' });
    const [, fn] = resources(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('AuthorizerFunction'))!;
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['USER_POOL_ID', 'CLIENT_ID']));
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
  });

  it("allows the site's origin through CORS, and the CSP lets the page call the API and the hosted UI's token endpoint", () => {
    const [, policy] = resources(local.template, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const csp = JSON.stringify(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toMatch(/connect-src 'self' https:\/\/.*execute-api.*\.auth\..*amazoncognito\.com/);
    for (const [, fn] of resources(local.template, 'AWS::Lambda::Function').filter(([id]) => /^(Create|Get|List|Update|Delete)Item/.test(id))) {
      expect(JSON.stringify(fn.Properties.Environment.Variables.CORS_ALLOW_ORIGINS)).toMatch(/SiteDistribution/);
    }
  });
});

describe('outputs', () => {
  it('gives the site, API, user pool, client and sign-in URLs, and the flag store ids', () => {
    const outputs = local.template.toJSON().Outputs as Record<string, unknown>;
    for (const key of ['SiteUrl', 'ApiUrl', 'UserPoolId', 'UserPoolClientId', 'SignInUrl', 'SecondaryBucketName', 'DistributionId', 'FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) {
      expect(outputs, key).toHaveProperty(key);
    }
    expect(sprout.pattern).toBe('secured-spa');
  });
});
