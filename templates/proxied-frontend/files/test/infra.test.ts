import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Options, resolveConfig } from '../infra/config.js';
import { ProxiedFrontendStack, uiRouterCode } from '../infra/stacks/proxied-frontend-stack.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';
import { isResponse, loadCloudFrontFunction, viewerRequest } from './helpers/cloudfront-function.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(options: Partial<Options> = {}, { bundle = false } = {}): { template: Template; test: TestApp; stack: ProxiedFrontendStack } {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  const stack = new ProxiedFrontendStack(test.app, config.stackName, { config });
  return { template: Template.fromStack(stack), test, stack };
}

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };
type Behavior = Record<string, any>;

/** An intrinsic as one readable string: references written <Ref> and <LogicalId.Attribute>, ids without their hash. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, any>;
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
  const unhashed = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  if (intrinsic['Fn::GetAtt']) return `<${unhashed(intrinsic['Fn::GetAtt'][0])}.${intrinsic['Fn::GetAtt'][1]}>`;
  if (intrinsic.Ref) return `<${unhashed(intrinsic.Ref)}>`;
  return JSON.stringify(node);
}

const resources = (template: Template, type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const only = (template: Template, type: string, prefix = ''): [string, Resource] => {
  const matches = resources(template, type).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};
const distributionConfig = (template: Template) => only(template, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
const behavior = (template: Template, pathPattern: string): Behavior => {
  const config = distributionConfig(template);
  const found = config.CacheBehaviors.find((b: Behavior) => b.PathPattern === pathPattern);
  expect(found, `behaviour ${pathPattern}`).toBeDefined();
  return found;
};
const originOf = (template: Template, b: Behavior) => distributionConfig(template).Origins.find((o: { Id: string }) => o.Id === b.TargetOriginId);
const functionOf = (template: Template, association: { FunctionARN: unknown }) => {
  const [id] = (association.FunctionARN as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return template.toJSON().Resources[id] as Resource;
};

const SITE_ORIGIN = 'https://<SiteDistribution.DomainName>';
const API_HOST = '<ApiRestApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>';
const STAGE_REF = `<ApiRestApiDeploymentStage${sprout.defaultStage}>`;
// CloudFront's managed policies.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

let template: Template;
beforeAll(() => {
  template = synth().template;
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

describe('one distribution, two origins', () => {
  it('has exactly two origins: the site bucket through origin access control, and the API stage over HTTPS', () => {
    const config = distributionConfig(template);
    expect(config.Origins).toHaveLength(2);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);

    const bucket = config.Origins.find((o: Behavior) => o.S3OriginConfig);
    expect(flatten(bucket.DomainName)).toBe('<SiteBucket.RegionalDomainName>');
    expect(flatten(bucket.OriginAccessControlId)).toMatch(/^<SiteDistributionOrigin1S3OriginAccessControl.*\.Id>$/);
    expect(bucket.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });

    const api = config.Origins.find((o: Behavior) => o.CustomOriginConfig);
    expect(flatten(api.DomainName)).toBe(API_HOST);
    expect(api.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 });
  });

  it('sends the default behaviour (/, /ui/*) and /ui/assets/* to the bucket, and /api/* to the API', () => {
    const config = distributionConfig(template);
    expect(config.CacheBehaviors.map((b: Behavior) => b.PathPattern).sort()).toEqual(['/api/*', '/ui/assets/*']);
    expect(originOf(template, config.DefaultCacheBehavior)).toHaveProperty('S3OriginConfig');
    expect(originOf(template, behavior(template, '/ui/assets/*'))).toHaveProperty('S3OriginConfig');
    expect(flatten(originOf(template, behavior(template, '/api/*')).DomainName)).toBe(API_HOST);
  });

  it('lets only this distribution read the bucket', () => {
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', 'SiteBucketPolicy');
    const reads = (policy.Properties.PolicyDocument.Statement as Behavior[]).filter((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.Action).toBe('s3:GetObject');
    expect(flatten(reads[0]!.Condition.StringEquals['AWS:SourceArn'])).toBe('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<SiteDistribution>');
  });

  it('has no distribution-wide error pages, so the API\'s 403 and 404 reach the browser as they are', () => {
    expect(distributionConfig(template)).not.toHaveProperty('CustomErrorResponses');
    // Not even when the UI's SPA fallback is off: the fallback never was an error page here.
    expect(distributionConfig(synth({ spaFallback: false }).template)).not.toHaveProperty('CustomErrorResponses');
  });
});

describe('the /api/* behaviour', () => {
  it('allows every method, caches nothing and forwards all viewer values except Host', () => {
    const api = behavior(template, '/api/*');
    expect(api.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(api.CachePolicyId).toBe(CACHING_DISABLED);
    expect(api.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    expect(flatten(api.ResponseHeadersPolicyId)).toBe('<SiteSecurityHeaders>');
  });

  it('reaches /<stage>/items for /api/items: the API router strips /api, the origin path adds the stage', () => {
    const api = behavior(template, '/api/*');
    expect(api.FunctionAssociations).toHaveLength(1);
    expect(api.FunctionAssociations[0].EventType).toBe('viewer-request');
    const fn = functionOf(template, api.FunctionAssociations[0]);
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    const originPath = flatten(originOf(template, api).OriginPath);
    expect(originPath).toBe(`/${STAGE_REF}`);

    // Run the deployed code on what the browser asks for, then put the origin path in front.
    const router = loadCloudFrontFunction(fn.Properties.FunctionCode);
    const routed = router(viewerRequest('/api/items/01J0ITEM', { method: 'DELETE' }));
    if (isResponse(routed)) expect.fail('the API router answered instead of forwarding');
    expect(`${originPath}${routed.uri}`).toBe(`/${STAGE_REF}/items/01J0ITEM`);
    // ... which is the stage the API deploys.
    const [stageId, stage] = only(template, 'AWS::ApiGateway::Stage');
    expect(stageId.replace(/[0-9A-F]{8}$/, '')).toBe(STAGE_REF.slice(1, -1));
    expect(stage.Properties.StageName).toBe(sprout.defaultStage);
  });
});

describe('the UI behaviours', () => {
  it('run the UI router on the default behaviour only (assets are files: nothing to route)', () => {
    const config = distributionConfig(template);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    const fn = functionOf(template, config.DefaultCacheBehavior.FunctionAssociations[0]);
    expect(config.DefaultCacheBehavior.FunctionAssociations[0].EventType).toBe('viewer-request');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties.FunctionCode).toBe(uiRouterCode(true));
    expect(behavior(template, '/ui/assets/*')).not.toHaveProperty('FunctionAssociations');
  });

  it('deploys the UI router with the fallback off when spaFallback is false', () => {
    const { template: off } = synth({ spaFallback: false });
    const fn = functionOf(off, distributionConfig(off).DefaultCacheBehavior.FunctionAssociations[0]);
    expect(fn.Properties.FunctionCode).toBe(uiRouterCode(false));
  });

  it('serve GET and HEAD only, over HTTPS, with the HTML cached briefly and hashed assets for a year', () => {
    const config = distributionConfig(template);
    for (const b of [config.DefaultCacheBehavior, behavior(template, '/ui/assets/*')]) {
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    }
    expect(behavior(template, '/ui/assets/*').CachePolicyId).toBe(CACHING_OPTIMIZED);
    expect(flatten(config.DefaultCacheBehavior.CachePolicyId)).toBe('<SiteHtmlCache>');
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: sprout.options.htmlCacheSeconds, MaxTTL: sprout.options.htmlCacheSeconds }),
    });
    expect(distributionConfig(synth({ htmlCacheSeconds: 0 }).template).DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
  });

  it('uses the price class from sprout.json', () => {
    expect(distributionConfig(template).PriceClass).toBe(sprout.options.priceClass);
    expect(distributionConfig(synth({ priceClass: 'PriceClass_All' }).template).PriceClass).toBe('PriceClass_All');
  });
});

describe('no CORS anywhere', () => {
  const corsHeader = /^access-control-/i;

  it('has no OPTIONS method in the API: nothing answers a preflight, because none is sent', () => {
    const methods = resources(template, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties.HttpMethod);
    expect(methods.sort()).toEqual(['DELETE', 'GET', 'GET', 'POST', 'PUT']);
  });

  it('sets no Access-Control-* header on any gateway response or method response', () => {
    const responses = resources(template, 'AWS::ApiGateway::GatewayResponse');
    expect(responses.length).toBeGreaterThan(0);
    for (const [id, response] of responses) {
      expect(Object.keys(response.Properties.ResponseParameters ?? {}).filter((name) => /access-control-/i.test(name)), id).toEqual([]);
    }
    for (const [id, method] of resources(template, 'AWS::ApiGateway::Method')) {
      expect(JSON.stringify(method.Properties), id).not.toMatch(/access-control-/i);
    }
  });

  it('gives no function a CORS_ALLOW_ORIGINS variable (the handlers then send no CORS header)', () => {
    const functions = resources(template, 'AWS::Lambda::Function').filter(([id]) => /^(Create|Get|List|Update|Delete)Item/.test(id));
    expect(functions).toHaveLength(5);
    for (const [id, fn] of functions) {
      const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect(variables, id).toContain('TABLE_NAME');
      expect(variables.filter((name) => /CORS/i.test(name)), id).toEqual([]);
    }
  });

  it('adds no CORS headers at CloudFront either (the response headers policy has no CORS section)', () => {
    const [, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(policy.Properties.ResponseHeadersPolicyConfig).not.toHaveProperty('CorsConfig');
    const custom = policy.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig?.Items ?? [];
    expect(custom.filter((h: { Header: string }) => corsHeader.test(h.Header))).toEqual([]);
  });

  it("limits fetch() to the page's own origin in the Content-Security-Policy: the API is on it", () => {
    const [, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const csp: string = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('execute-api');
  });
});

describe('the UI upload', () => {
  const deployment = (t: Template, prefix: string) => resources(t, 'Custom::CDKBucketDeployment').find(([id]) => id.startsWith(prefix))!;

  it('puts the UI under ui/ in the bucket and invalidates /ui/* after a deploy', () => {
    const [, assets] = deployment(template, 'SiteDeployAssets');
    const [, html] = deployment(template, 'SiteDeployHtml');
    expect(assets.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'ui/', Include: ['assets/*'], Prune: false });
    expect(html.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'ui/', DistributionPaths: ['/ui/*'] });
    expect(flatten(html.Properties.DistributionId)).toBe('<SiteDistribution>');
  });

  it('writes config.json with the relative API URL /api: same origin, nothing filled in at deploy time', () => {
    const [, html] = deployment(template, 'SiteDeployHtml');
    // No deploy-time marker: the value is known at synth time.
    expect(html.Properties.SourceMarkers?.[1] ?? {}).toEqual({});
  });

  it('builds the frontend with base path /ui/ at synth time: index.html, its hashed files and config.json in the uploaded assets', () => {
    const { test, template: bundled } = synth({}, { bundle: true });
    test.app.synth();
    const [, html] = deployment(bundled, 'SiteDeployHtml');
    const [siteKey, configKey] = (html.Properties.SourceObjectKeys as string[]).map((key) => join(test.outdir, `asset.${key.replace(/\.zip$/, '')}`));
    const index = readFileSync(join(siteKey!, 'index.html'), 'utf8');
    expect(index).toContain('<base href="/ui/" />');
    const script = /<script type="module" src="\/ui\/(assets\/main-[A-Z0-9]+\.js)"><\/script>/.exec(index)?.[1];
    const stylesheet = /<link rel="stylesheet" href="\/ui\/(assets\/main-[A-Z0-9]+\.css)" \/>/.exec(index)?.[1];
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    expect(existsSync(join(siteKey!, script!))).toBe(true);
    expect(existsSync(join(siteKey!, stylesheet!))).toBe(true);
    expect(JSON.parse(readFileSync(join(configKey!, 'config.json'), 'utf8'))).toEqual({ apiUrl: '/api' });
  });
});

describe('the items API', () => {
  it('is the backend-api service: five functions, the items table, the flag store, a regional REST API', () => {
    for (const name of ['CreateItem', 'GetItem', 'ListItems', 'UpdateItem', 'DeleteItem']) only(template, 'AWS::Lambda::Function', `${name}Function`);
    only(template, 'AWS::DynamoDB::Table', 'StoreItems');
    template.resourceCountIs('AWS::AppConfig::ConfigurationProfile', 1);
    expect(only(template, 'AWS::ApiGateway::RestApi')[1].Properties.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
  });
});

describe('outputs', () => {
  it('gives the UI, the API and the items resource on the distribution, the direct API URL and the flag store ids', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flatten(outputs.SiteUrl?.Value)).toBe(`${SITE_ORIGIN}/ui/`);
    expect(flatten(outputs.ApiUrl?.Value)).toBe(`${SITE_ORIGIN}/api`);
    expect(flatten(outputs.ItemsUrl?.Value)).toBe(`${SITE_ORIGIN}/api/items`);
    expect(flatten(outputs.DirectApiUrl?.Value)).toBe(`https://${API_HOST}/${STAGE_REF}/`);
    expect(flatten(outputs.DistributionId?.Value)).toBe('<SiteDistribution>');
    for (const key of ['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) expect(outputs).toHaveProperty(key);
  });
});
