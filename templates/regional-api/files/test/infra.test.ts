import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { RegionalApiStack } from '../infra/stacks/regional-api-stack.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(options: Record<string, unknown> = {}, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  return Template.fromStack(new RegionalApiStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  template = synth();
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

// CloudFront's managed policies, by their fixed ids.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const only = (t: Template, type: string, prefix = ''): [string, Resource] => {
  const found = resources(t, type).filter(([id]) => id.startsWith(prefix));
  expect(found, `${type} ${prefix}*`).toHaveLength(1);
  return found[0]!;
};
const distributionConfig = (t: Template) => only(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
const itemsBehavior = (t: Template) => distributionConfig(t).CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/items*');

/** An intrinsic as one readable string: references written <Ref> and <LogicalId.Attribute>, ids without their hash. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, any>;
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
  if (intrinsic['Fn::Select']) {
    const [index, list] = intrinsic['Fn::Select'];
    if (list['Fn::Split']) return flatten(list['Fn::Split'][1]).split(list['Fn::Split'][0])[index] ?? '';
  }
  const unhashed = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  if (intrinsic['Fn::GetAtt']) return `<${unhashed(intrinsic['Fn::GetAtt'][0])}.${intrinsic['Fn::GetAtt'][1]}>`;
  if (intrinsic.Ref) return `<${unhashed(intrinsic.Ref)}>`;
  return JSON.stringify(node);
}

/** Every statement of the policies attached to one role. */
function statementsOf(t: Template, rolePrefix: string): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
  const [roleId] = only(t, 'AWS::IAM::Role', rolePrefix);
  return resources(t, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

describe('the API: Regional, and closed to anything but CloudFront', () => {
  it('is a Regional (not edge-optimized) REST API', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('requires the origin-verify REQUEST authorizer on every method', () => {
    const [authorizerId, authorizer] = only(template, 'AWS::ApiGateway::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.X-Origin-Verify',
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(flatten(authorizer.Properties.AuthorizerUri)).toContain('<OriginVerifyAuthorizerFunction.Arn>');
    const methods = resources(template, 'AWS::ApiGateway::Method');
    expect(methods.map(([, m]) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'POST', 'PUT']);
    for (const [id, method] of methods) {
      expect(method.Properties, id).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it('answers 403 in its JSON error shape to a missing header (API Gateway\'s 401) and to a wrong value', () => {
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED']) {
      const [, response] = resources(template, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type)!;
      expect(response.Properties.StatusCode).toBe('403');
      expect(JSON.parse(response.Properties.ResponseTemplates['application/json'])).toEqual({
        error: { code: 'FORBIDDEN', message: 'Call this API through its CloudFront distribution' },
      });
    }
  });

  it('lets only API Gateway, for this API\'s authorizer, invoke the authorizer function', () => {
    const permissions = resources(template, 'AWS::Lambda::Permission').filter(([, p]) => flatten(p.Properties.FunctionName).includes('OriginVerifyAuthorizer'));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(flatten(permissions[0]![1].Properties.SourceArn)).toMatch(/:<ApiRestApi>\/authorizers\/<OriginVerifyRequestAuthorizer>$/);
  });

  it('does not advertise the execute-api URL among the URLs sprout lists (outputs named *Url or *Endpoint)', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const listed = Object.entries(outputs).filter(([key]) => /(url|endpoint)$/i.test(key));
    expect(listed.map(([key]) => key).sort()).toEqual(['DistributionUrl', 'ItemsUrl']);
    for (const [key, output] of listed) expect(flatten(output.Value), key).not.toContain('execute-api');
    expect(flatten(outputs.ItemsUrl!.Value)).toBe('https://<EdgeDistribution.DomainName>/items');
    expect(flatten(outputs.DirectApiAddress!.Value)).toContain('.execute-api.');
  });
});

describe('the CloudFront distribution', () => {
  it('has one origin: the API\'s execute-api host name over HTTPS, with the stage as its path', () => {
    const [origin, ...others] = distributionConfig(template).Origins;
    expect(others).toEqual([]);
    expect(flatten(origin.DomainName)).toBe('<ApiRestApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>');
    expect(flatten(origin.OriginPath)).toBe('/<ApiRestApiDeploymentStagelocal>');
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });

  it('adds the origin-verify header, its value resolved from the secret by CloudFormation at deploy time', () => {
    const [origin] = distributionConfig(template).Origins;
    expect(origin.OriginCustomHeaders).toHaveLength(1);
    expect(origin.OriginCustomHeaders[0].HeaderName).toBe('X-Origin-Verify');
    expect(flatten(origin.OriginCustomHeaders[0].HeaderValue)).toBe('{{resolve:secretsmanager:<OriginVerifySecret>:SecretString:current::}}');
    // The secret's value itself is never in the template.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"SecretString"\s*:/);
  });

  it('caches GET and HEAD on /items* with the cache policy: TTL from sprout.json, key = path + limit + cursor, no headers or cookies', () => {
    const behavior = itemsBehavior(template);
    expect(behavior.CachedMethods).toEqual(['GET', 'HEAD']);
    const [policyId, policy] = only(template, 'AWS::CloudFront::CachePolicy');
    expect(behavior.CachePolicyId).toEqual({ Ref: policyId });
    expect(policy.Properties.CachePolicyConfig).toMatchObject({
      DefaultTTL: sprout.options.cacheTtlSeconds,
      MinTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['limit', 'cursor'] },
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
    expect(behavior.Compress).toBe(true);
  });

  it('passes writes on /items* through uncached (CloudFront caches no POST, PUT or DELETE), with the headers the API reads but never Host', () => {
    const behavior = itemsBehavior(template);
    expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'DELETE']));
    expect(behavior.CachedMethods).not.toEqual(expect.arrayContaining(['POST']));
    const [requestPolicyId, requestPolicy] = only(template, 'AWS::CloudFront::OriginRequestPolicy');
    expect(behavior.OriginRequestPolicyId).toEqual({ Ref: requestPolicyId });
    const headers = requestPolicy.Properties.OriginRequestPolicyConfig.HeadersConfig;
    expect(headers).toEqual({ HeaderBehavior: 'whitelist', Headers: ['Content-Type', 'Idempotency-Key', 'CloudFront-Viewer-Address'] });
    expect(requestPolicy.Properties.OriginRequestPolicyConfig).toMatchObject({ CookiesConfig: { CookieBehavior: 'none' } });
  });

  it('caches nothing on any other path, forwarding every viewer header except Host', () => {
    const { DefaultCacheBehavior: fallback, CacheBehaviors } = distributionConfig(template);
    expect(CacheBehaviors).toHaveLength(1);
    expect(fallback).toMatchObject({ CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, Compress: false });
    expect(fallback.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
  });

  it('answers HTTPS only, over HTTP/2 and HTTP/3, from the price class in sprout.json', () => {
    const config = distributionConfig(template);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config).toMatchObject({ PriceClass: sprout.options.priceClass, HttpVersion: 'http2and3', Enabled: true });
  });
});

describe('the origin-verify secret and its rotation', () => {
  it('is generated by Secrets Manager as {"current": …} and rotated every rotationDays, first right after creation', () => {
    const [secretId, secret] = only(template, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'current', SecretStringTemplate: '{}', PasswordLength: 48, ExcludePunctuation: true });
    const [, schedule] = only(template, 'AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties).toMatchObject({
      SecretId: { Ref: secretId },
      RotationRules: { AutomaticallyAfterDays: sprout.options.rotationDays },
      RotateImmediatelyOnUpdate: true,
    });
    expect(flatten(schedule.Properties.RotationLambdaARN)).toBe('<OriginVerifyRotationFunction.Arn>');
  });

  it('lets only Secrets Manager, for this secret in this account, invoke the rotation function', () => {
    const permissions = resources(template, 'AWS::Lambda::Permission').filter(([, p]) => flatten(p.Properties.FunctionName).includes('OriginVerifyRotation'));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toMatchObject({
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: { Ref: only(template, 'AWS::SecretsManager::Secret')[0] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('gives the authorizer GetSecretValue on this secret and nothing else', () => {
    const statements = statementsOf(template, 'OriginVerifyAuthorizerRole');
    const [secretId] = only(template, 'AWS::SecretsManager::Secret');
    const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secretStatements).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } }]);
    const other = statements.flatMap((s) => [s.Action].flat()).filter((a) => !/^(logs|xray):/.test(a) && a !== 'secretsmanager:GetSecretValue');
    expect(other).toEqual([]);
  });

  it('gives the rotation function the rotation calls on this secret and Get/UpdateDistribution on this distribution only', () => {
    const statements = statementsOf(template, 'OriginVerifyRotationRole').filter((s) => !JSON.stringify(s.Action).match(/logs:|xray:/));
    const [secretId] = only(template, 'AWS::SecretsManager::Secret');
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      Effect: 'Allow',
      Resource: { Ref: secretId },
    });
    const cloudfront = statements.find((s) => JSON.stringify(s.Action).includes('cloudfront'))!;
    expect(cloudfront.Action).toEqual(['cloudfront:GetDistribution', 'cloudfront:UpdateDistribution']);
    expect(flatten(cloudfront.Resource)).toBe('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<EdgeDistribution>');
  });

  it('tells the rotation function which distribution and header, and the authorizer which secret and header', () => {
    const env = (prefix: string) => only(template, 'AWS::Lambda::Function', prefix)[1].Properties.Environment.Variables;
    expect(env('OriginVerifyRotationFunction')).toMatchObject({
      DISTRIBUTION_ID: { Ref: only(template, 'AWS::CloudFront::Distribution')[0] },
      ORIGIN_VERIFY_HEADER: 'X-Origin-Verify',
      MIN_ROTATION_INTERVAL_SECONDS: '900',
    });
    expect(env('OriginVerifyAuthorizerFunction')).toMatchObject({
      ORIGIN_VERIFY_SECRET_ARN: { Ref: only(template, 'AWS::SecretsManager::Secret')[0] },
      ORIGIN_VERIFY_HEADER: 'X-Origin-Verify',
      ORIGIN_VERIFY_CACHE_SECONDS: '300',
    });
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24 and arm64: five item functions, the authorizer, the rotation (traced) and the flags seeder', () => {
    const functions = resources(template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id.replace(/Function[0-9A-F]{8}$/, '')).sort()).toEqual(
      ['CreateItem', 'DeleteItem', 'FlagsInitialVersion', 'GetItem', 'ListItems', 'OriginVerifyAuthorizer', 'OriginVerifyRotation', 'UpdateItem'],
    );
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      // The flags seeder runs once, at stack creation (infra/sprout/feature-flags.ts).
      if (!id.startsWith('FlagsInitialVersion')) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });
});

describe('options change the infrastructure without code changes', () => {
  it('cacheTtlSeconds 0: /items* caches nothing either, and forwards limit and cursor itself', () => {
    const uncached = synth({ cacheTtlSeconds: 0 }, { bundle: false });
    uncached.resourceCountIs('AWS::CloudFront::CachePolicy', 0);
    expect(itemsBehavior(uncached)).toMatchObject({ CachePolicyId: CACHING_DISABLED, Compress: false });
    const [, requestPolicy] = only(uncached, 'AWS::CloudFront::OriginRequestPolicy');
    expect(requestPolicy.Properties.OriginRequestPolicyConfig.QueryStringsConfig).toEqual({ QueryStringBehavior: 'whitelist', QueryStrings: ['limit', 'cursor'] });
  });

  it('takes another TTL, header name, rotation period and price class', () => {
    const custom = synth({ cacheTtlSeconds: 172_800, originVerifyHeader: 'X-From-Edge', rotationDays: 7, priceClass: 'PriceClass_All' }, { bundle: false });
    custom.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 172_800, MaxTTL: 172_800 }) });
    expect(distributionConfig(custom).Origins[0].OriginCustomHeaders[0].HeaderName).toBe('X-From-Edge');
    expect(distributionConfig(custom).PriceClass).toBe('PriceClass_All');
    custom.hasResourceProperties('AWS::ApiGateway::Authorizer', { IdentitySource: 'method.request.header.X-From-Edge' });
    custom.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { AutomaticallyAfterDays: 7 } });
    custom.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ORIGIN_VERIFY_HEADER: 'X-From-Edge' }) } });
  });

  it('still applies the items service\'s options (throttling, page size, table removal policy)', () => {
    const custom = synth({ throttleRateLimit: 7, throttleBurstLimit: 11, pageSize: 42, tableRemovalPolicy: 'destroy' }, { bundle: false });
    custom.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 11 })]),
    });
    custom.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEFAULT_PAGE_SIZE: '42' }) } });
    custom.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }) });
  });
});
