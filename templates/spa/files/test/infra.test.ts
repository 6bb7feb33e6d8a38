import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { type Options, resolveConfig } from '../infra/config.js';
import { SpaStack } from '../infra/stacks/spa-stack.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(options: Partial<Options> = {}, { bundle = false } = {}): { template: Template; test: TestApp; stack: SpaStack } {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  const stack = new SpaStack(test.app, config.stackName, { config });
  return { template: Template.fromStack(stack), test, stack };
}

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };

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

const only = (template: Template, type: string, prefix = ''): [string, Resource] => {
  const matches = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};
const distributionConfig = (template: Template) => only(template, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
const SITE_ORIGIN = 'https://<SiteDistribution.DomainName>';
// Without sprout:deployment, a stack with the release router (Lambda@Edge) is in us-east-1.
const API_ORIGIN = 'https://<ApiRestApi>.execute-api.us-east-1.<AWS::URLSuffix>';
// CloudFront's managed cache policies.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

let template: Template;
beforeAll(() => {
  template = synth().template;
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

describe('the site bucket', () => {
  it('is private: every public access block on, objects owned by the bucket, S3-managed encryption', () => {
    const [, bucket] = only(template, 'AWS::S3::Bucket', 'SiteBucket');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(bucket.Properties).not.toHaveProperty('WebsiteConfiguration');
    expect(flatten(bucket.Properties.LoggingConfiguration.DestinationBucketName)).toBe('<SiteLogs>');
  });

  it('lets only this distribution read objects (origin access control), and refuses plain HTTP', () => {
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', 'SiteBucketPolicy');
    const statements: Array<Record<string, any>> = policy.Properties.PolicyDocument.Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Nobody but CloudFront and CDK's empty-the-bucket-on-delete function is allowed anything.
    expect(allows.map((s) => s.Principal)).toEqual(
      expect.arrayContaining([{ Service: 'cloudfront.amazonaws.com' }, { AWS: expect.objectContaining({ 'Fn::GetAtt': [expect.stringMatching(/^CustomS3AutoDeleteObjects/), 'Arn'] }) }]),
    );
    expect(allows).toHaveLength(2);
    const cloudfront = allows.find((s) => s.Principal.Service === 'cloudfront.amazonaws.com')!;
    expect(cloudfront.Action).toBe('s3:GetObject');
    expect(flatten(cloudfront.Resource)).toBe('<SiteBucket.Arn>/*');
    expect(flatten(cloudfront.Condition.StringEquals['AWS:SourceArn'])).toBe('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<SiteDistribution>');
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('sends its access logs, and CloudFront its standard logs, to a private log bucket that expires them', () => {
    const [, logs] = only(template, 'AWS::S3::Bucket', 'SiteLogs');
    expect(logs.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      // CloudFront's standard logging writes with an ACL grant.
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
    expect(flatten(distributionConfig(template).Logging.Bucket)).toBe('<SiteLogs.RegionalDomainName>');
  });

  it('is emptied and deleted with the stack by default, kept with bucketRemovalPolicy "retain"', () => {
    expect(only(template, 'AWS::S3::Bucket', 'SiteBucket')[1].DeletionPolicy).toBe('Delete');
    // The site bucket, its log bucket and the release bucket.
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    const retained = synth({ bucketRemovalPolicy: 'retain' }).template;
    expect(only(retained, 'AWS::S3::Bucket', 'SiteBucket')[1].DeletionPolicy).toBe('Retain');
    expect(only(retained, 'AWS::S3::Bucket', 'SiteLogs')[1].DeletionPolicy).toBe('Retain');
    expect(only(retained, 'AWS::S3::Bucket', 'ReleaseRouterReleases')[1].DeletionPolicy).toBe('Retain');
    retained.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});

describe('the distribution', () => {
  it('reads the bucket through an S3 origin access control that signs every request', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const [origin, ...others] = distributionConfig(template).Origins;
    expect(others).toEqual([]);
    expect(flatten(origin.DomainName)).toBe('<SiteBucket.RegionalDomainName>');
    expect(flatten(origin.OriginAccessControlId)).toMatch(/^<SiteDistributionOrigin1S3OriginAccessControl.*\.Id>$/);
    // No legacy origin access identity.
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('serves index.html for /, redirects HTTP to HTTPS, and uses the price class from sprout.json', () => {
    const config = distributionConfig(template);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.PriceClass).toBe(sprout.options.priceClass);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    }
    expect(distributionConfig(synth({ priceClass: 'PriceClass_All' }).template).PriceClass).toBe('PriceClass_All');
  });

  it('answers 403 and 404 from the bucket with /index.html and 200 (the SPA fallback), unless spaFallback is off', () => {
    const fallback = (status: number) => ({ ErrorCode: status, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: sprout.options.htmlCacheSeconds });
    expect(distributionConfig(template).CustomErrorResponses).toEqual([fallback(403), fallback(404)]);
    expect(distributionConfig(synth({ spaFallback: false }).template)).not.toHaveProperty('CustomErrorResponses');
  });

  it('caches hashed assets for up to a year and index.html, config.json and routes for htmlCacheSeconds', () => {
    const config = distributionConfig(template);
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({ PathPattern: '/assets/*', Compress: true })]);
    expect(flatten(config.CacheBehaviors[0].CachePolicyId)).toBe('<SiteAssetsCache>');
    expect(flatten(config.DefaultCacheBehavior.CachePolicyId)).toBe('<SiteHtmlCache>');
    const seconds = sprout.options.htmlCacheSeconds;
    expect(only(template, 'AWS::CloudFront::CachePolicy', 'SiteHtmlCache')[1].Properties.CachePolicyConfig).toMatchObject({ MinTTL: 0, DefaultTTL: seconds, MaxTTL: seconds });
    // CachingOptimized's TTLs: the objects' one-year Cache-Control wins.
    expect(only(template, 'AWS::CloudFront::CachePolicy', 'SiteAssetsCache')[1].Properties.CachePolicyConfig).toMatchObject({ MinTTL: 1, DefaultTTL: 86_400, MaxTTL: 31_536_000 });
    const uncached = synth({ htmlCacheSeconds: 0 }).template;
    expect(distributionConfig(uncached).DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
    expect(Object.keys(uncached.findResources('AWS::CloudFront::CachePolicy'))).toEqual([expect.stringMatching(/^SiteAssetsCache/)]);
  });

  it('adds security headers to every answer through one response-headers policy', () => {
    const [, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
    });
    const config = distributionConfig(template);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(flatten(behavior.ResponseHeadersPolicyId)).toBe('<SiteSecurityHeaders>');
    }
  });

  it("has a Content-Security-Policy that allows scripts and styles from the site only and fetch() to the site and the API's origin", () => {
    const [, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const csp = flatten(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const directives = Object.fromEntries(csp.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));
    expect(directives['connect-src']).toEqual(["'self'", API_ORIGIN]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
  });
});

describe('the frontend upload', () => {
  const deployments = (t: Template) => Object.entries(t.findResources('Custom::CDKBucketDeployment') as Record<string, Resource>);
  const deployment = (t: Template, prefix: string) => deployments(t).find(([id]) => id.startsWith(prefix))!;

  it('uploads the hashed assets first, never pruning them, with a one-year immutable Cache-Control', () => {
    expect(deployments(template)).toHaveLength(2);
    const [, assets] = deployment(template, 'SiteDeployAssets');
    expect(assets.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(flatten(assets.Properties.DestinationBucketName)).toBe('<SiteBucket>');
  });

  it('then uploads index.html and config.json with the short Cache-Control, and invalidates the distribution', () => {
    const [assetsId] = deployment(template, 'SiteDeployAssets');
    const [, html] = deployment(template, 'SiteDeployHtml');
    expect(html.DependsOn).toContain(assetsId);
    expect(html.Properties).toMatchObject({
      // Neither the assets nor the releases under releases/<id>/ are pruned.
      Exclude: ['assets/*', 'releases/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': `public, max-age=${sprout.options.htmlCacheSeconds}` },
      DistributionPaths: ['/*'],
    });
    expect(flatten(html.Properties.DistributionId)).toBe('<SiteDistribution>');
    // Two sources: the built site and config.json.
    expect(html.Properties.SourceObjectKeys).toHaveLength(2);
    const [, assets] = deployment(template, 'SiteDeployAssets');
    expect(html.Properties.SourceObjectKeys[0]).toBe(assets.Properties.SourceObjectKeys[0]);
    const uncached = synth({ htmlCacheSeconds: 0 }).template;
    expect(deployment(uncached, 'SiteDeployHtml')[1].Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
  });

  it("writes config.json with the API stage's URL, filled in at deploy time", () => {
    const [, html] = deployment(template, 'SiteDeployHtml');
    const markers: Record<string, unknown> = html.Properties.SourceMarkers[1];
    expect(Object.keys(markers)).toHaveLength(1);
    expect(flatten(Object.values(markers)[0])).toBe(`${API_ORIGIN}/<ApiRestApiDeploymentStage${sprout.defaultStage}>/`);
    expect(html.Properties.SourceMarkersConfig[1]).toEqual({ jsonEscape: true });
  });

  it('bundles the frontend with esbuild at synth time: the uploaded zip holds index.html and the hashed files it references', () => {
    const { test, template: bundled } = synth({}, { bundle: true });
    test.app.synth();
    const [, assets] = Object.entries(bundled.findResources('Custom::CDKBucketDeployment') as Record<string, Resource>).find(([id]) => id.startsWith('SiteDeployAssets'))!;
    const hash = String(assets.Properties.SourceObjectKeys[0]).replace(/\.zip$/, '');
    const dir = join(test.outdir, `asset.${hash}`);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const script = /<script type="module" src="\/(assets\/main-[A-Z0-9]+\.js)"><\/script>/.exec(html)?.[1];
    const stylesheet = /<link rel="stylesheet" href="\/(assets\/main-[A-Z0-9]+\.css)" \/>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    expect(existsSync(join(dir, script!))).toBe(true);
    expect(existsSync(join(dir, stylesheet!))).toBe(true);
    expect(readFileSync(join(dir, script!), 'utf8')).toContain('config.json');

    // config.json: the API URL as a marker the deployment replaces with the real value.
    const [, htmlDeployment] = Object.entries(bundled.findResources('Custom::CDKBucketDeployment') as Record<string, Resource>).find(([id]) => id.startsWith('SiteDeployHtml'))!;
    const configHash = String(htmlDeployment.Properties.SourceObjectKeys[1]).replace(/\.zip$/, '');
    const config = JSON.parse(readFileSync(join(test.outdir, `asset.${configHash}`, 'config.json'), 'utf8'));
    expect(Object.keys(config)).toEqual(['apiUrl']);
    expect(Object.keys(htmlDeployment.Properties.SourceMarkers[1])).toEqual([config.apiUrl]);
  });
});

describe('the items API', () => {
  it('answers CORS preflights for exactly the site origin', () => {
    const options = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }) as Record<string, Resource>);
    // The root, /items, /items/{id} and /conversions.
    expect(options).toHaveLength(4);
    for (const method of options) {
      const headers = method.Properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(flatten(headers['method.response.header.Access-Control-Allow-Origin'])).toBe(`'${SITE_ORIGIN}'`);
    }
  });

  it('gives every function the site origin, and only it, as the allowed CORS origin', () => {
    const functions = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter(([id]) => /^(Create|Get|List|Update|Delete)Item/.test(id));
    expect(functions).toHaveLength(5);
    for (const [id, fn] of functions) expect(flatten(fn.Properties.Environment.Variables.CORS_ALLOW_ORIGINS), id).toBe(SITE_ORIGIN);
  });

  it('lets the browser read gateway errors too (Access-Control-Allow-Origin on every gateway response)', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse') as Record<string, Resource>);
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) {
      expect(flatten(response.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin'])).toBe(`'${SITE_ORIGIN}'`);
    }
  });

  it('is the backend-api service: five functions, the items table, the flag store', () => {
    for (const name of ['CreateItem', 'GetItem', 'ListItems', 'UpdateItem', 'DeleteItem']) only(template, 'AWS::Lambda::Function', `${name}Function`);
    only(template, 'AWS::DynamoDB::Table', 'StoreItems');
    template.resourceCountIs('AWS::AppConfig::ConfigurationProfile', 1);
  });
});

describe('A/B experiment conversions (POST /conversions)', () => {
  const method = (t: Template, httpMethod: string) => {
    const [, resource] = only(t, 'AWS::ApiGateway::Resource', 'ApiRestApiconversions');
    expect(resource.Properties.PathPart).toBe('conversions');
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: httpMethod } }) as Record<string, Resource>);
    return methods.filter((m) => flatten(m.Properties.ResourceId) === '<ApiRestApiconversions>');
  };

  it('is a POST on the items API, proxied to its own function', () => {
    const [post, ...others] = method(template, 'POST');
    expect(others).toEqual([]);
    expect(post!.Properties.Integration.Type).toBe('AWS_PROXY');
    expect(flatten(post!.Properties.Integration.Uri)).toContain('<RecordConversionFunction.Arn>');
  });

  it('answers the preflight of the site origin, for POST and the x-sprout-experiment header the frontend sends', () => {
    const [options] = method(template, 'OPTIONS');
    const headers = options!.Properties.Integration.IntegrationResponses[0].ResponseParameters;
    expect(flatten(headers['method.response.header.Access-Control-Allow-Origin'])).toBe(`'${SITE_ORIGIN}'`);
    expect(headers['method.response.header.Access-Control-Allow-Methods']).toBe("'POST'");
    expect(headers['method.response.header.Access-Control-Allow-Headers'].replace(/'/g, '').split(',')).toContain('x-sprout-experiment');
  });

  it('knows its stage and the site origin, and is a SproutFunction like the others (Node.js 24, arm64, Powertools)', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function', 'RecordConversionFunction');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    const variables = fn.Properties.Environment.Variables;
    expect(variables.SPROUT_STAGE).toBe(sprout.defaultStage);
    expect(flatten(variables.CORS_ALLOW_ORIGINS)).toBe(SITE_ORIGIN);
    expect(variables).toHaveProperty('POWERTOOLS_SERVICE_NAME');
    // It reads no table and no flag.
    expect(Object.keys(variables).filter((name) => /TABLE|FLAGS/.test(name))).toEqual([]);
  });

  it('may write its logs and traces and nothing else: EMF needs no AWS permission', () => {
    const [, policy] = only(template, 'AWS::IAM::Policy', 'RecordConversionRole');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RecordConversionLogs/), 'Arn'] } },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    ]);
    // No other policy is attached to its role.
    const attached = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter(([, other]) =>
      (other.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith('RecordConversionRole')),
    );
    expect(attached.map(([id]) => id)).toEqual([expect.stringMatching(/^RecordConversionRoleDefaultPolicy/)]);
  });

  it('is there without the release router too (a backend can still record, with variants it forwards itself)', () => {
    const plain = synth({ releaseRouter: false }).template;
    expect(method(plain, 'POST')).toHaveLength(1);
    only(plain, 'AWS::Lambda::Function', 'RecordConversionFunction');
  });
});

describe('the release router', () => {
  const ROUTER_EVENTS = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
  const associations = (behavior: Record<string, any>) => (behavior.LambdaFunctionAssociations ?? []) as Array<{ EventType: string; LambdaFunctionARN: unknown }>;
  const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
  const deployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1' };

  function deployed(context: Record<string, unknown> = {}) {
    const test = testApp({ bundle: false });
    apps.push(test);
    test.app.node.setContext('sprout:deployment', deployment);
    for (const [key, value] of Object.entries(context)) test.app.node.setContext(key, value);
    const stack = buildApp(test.app);
    const edgeStacks = test.app.node.children.filter((child): child is Stack => child instanceof Stack && child !== stack);
    return { stack, edgeStacks };
  }

  it('runs on the four event types of the default and the assets behaviours: one function version', () => {
    const config = distributionConfig(template);
    const arns = new Set<string>();
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(associations(behavior).map((a) => a.EventType)).toEqual(ROUTER_EVENTS);
      for (const association of associations(behavior)) arns.add(flatten(association.LambdaFunctionARN));
      expect(associations(behavior).every((a) => !('IncludeBody' in a) || (a as { IncludeBody?: boolean }).IncludeBody === false)).toBe(true);
    }
    expect([...arns]).toEqual([expect.stringMatching(/^<ReleaseRouterEdgeRouterFnCurrentVersion/)]);
  });

  it('keys the cached HTML and assets on x-sprout-release and x-sprout-experiment, so two releases or two variants never share a cached object', () => {
    for (const prefix of ['SiteHtmlCache', 'SiteAssetsCache']) {
      const [, policy] = only(template, 'AWS::CloudFront::CachePolicy', prefix);
      expect(policy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig, prefix).toEqual({
        HeaderBehavior: 'whitelist',
        Headers: ['x-sprout-release', 'x-sprout-experiment'],
      });
    }
  });

  it('is one Node.js 22 x86_64 function of 128 MB and 5 s with no environment, retained, in this us-east-1 stack (plain cdk synth)', () => {
    const { stack } = synth();
    expect(stack.region).toBe('us-east-1');
    expect(Token.isUnresolved(stack.account)).toBe(true);
    const [, fn] = only(template, 'AWS::Lambda::Function', 'ReleaseRouterEdgeRouterFn');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], MemorySize: 128, Timeout: 5 });
    expect(fn.Properties).not.toHaveProperty('Environment');
    expect(fn.DeletionPolicy).toBe('Retain');
  });

  it('reads only the release document: s3:GetObject on <release bucket>/release.json', () => {
    const [, policy] = only(template, 'AWS::IAM::Policy', 'ReleaseRouterEdgeRouterFn');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReleaseRouterReleases/), 'Arn'] }, '/release.json']] } },
    ]);
  });

  it('names the release bucket after the stack (no account without sprout:deployment), bakes it in and outputs where the CLI finds the document', () => {
    const { stack } = synth();
    const name = `sprout-releases-${sha12(stack.stackName)}`;
    expect(only(template, 'AWS::S3::Bucket', 'ReleaseRouterReleases')[1].Properties).toMatchObject({ BucketName: name, VersioningConfiguration: { Status: 'Enabled' } });
    expect(stack.router?.settings).toMatchObject({ bucket: name, key: 'release.json', region: 'us-east-1', stage: sprout.defaultStage, ttlSeconds: sprout.options.routerCacheSeconds, fallbackStable: null, sharedPaths: ['/config.json'] });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ReleaseBucketName?.Value).toBe(name);
    expect(outputs.ReleaseDocumentKey?.Value).toBe('release.json');
    expect(outputs.ReleaseBucketRegion?.Value).toBe('us-east-1');
    expect(outputs.RouterVersionArn?.Value).toEqual({ Ref: expect.stringMatching(/^ReleaseRouterEdgeRouterFnCurrentVersion/) });
    expect(synth({ routerCacheSeconds: 60 }).stack.router?.settings.ttlSeconds).toBe(60);
  });

  it('serves client-side routes from the release\'s index.html exactly when the site has the SPA fallback', () => {
    expect(synth({ spaFallback: true }).stack.router?.settings.spaIndex).toBe(true);
    expect(synth({ spaFallback: false }).stack.router?.settings.spaIndex).toBe(false);
  });

  it('deployed by sprout to eu-west-1: the router and its bucket are in the us-east-1 edge stack, the bucket named after account and stack', () => {
    const { stack, edgeStacks } = deployed({ 'sprout:stableRelease': 'r-0123456789ab' });
    expect(edgeStacks).toHaveLength(1);
    const edge = edgeStacks[0]!;
    expect(edge.stackName).toMatch(/^edge-lambda-stack-/);
    expect({ region: edge.region, account: edge.account }).toEqual({ region: 'us-east-1', account: '111111111111' });
    const name = `sprout-releases-${sha12('111111111111/shop-prod')}`;
    const edgeTemplate = Template.fromStack(edge);
    expect(Object.values(edgeTemplate.findResources('AWS::S3::Bucket')).map((b) => b.Properties.BucketName)).toEqual([name]);
    edgeTemplate.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', MemorySize: 128 });
    // The main stack has the site, not the router's bucket; its outputs are plain strings (no cross-stack reference).
    const main = Template.fromStack(stack);
    expect(Object.values(main.findResources('AWS::S3::Bucket')).map((b) => b.Properties.BucketName)).not.toContain(name);
    const outputs = main.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect([outputs.ReleaseBucketName?.Value, outputs.ReleaseDocumentKey?.Value, outputs.ReleaseBucketRegion?.Value]).toEqual([name, 'release.json', 'us-east-1']);
    expect((stack as SpaStack).router?.settings).toMatchObject({ bucket: name, stage: 'prod', fallbackStable: 'r-0123456789ab' });
    for (const behavior of [distributionConfig(main).DefaultCacheBehavior, ...distributionConfig(main).CacheBehaviors]) {
      expect(associations(behavior).map((a) => a.EventType)).toEqual(ROUTER_EVENTS);
    }
  });

  it('with releaseRouter false, is the distribution as before: no association, no header in the keys, the managed CachingOptimized policy, no release outputs, no fixed region', () => {
    const { template: plain, stack } = synth({ releaseRouter: false });
    const config = distributionConfig(plain);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behavior).not.toHaveProperty('LambdaFunctionAssociations');
    expect(config.CacheBehaviors[0].CachePolicyId).toBe(CACHING_OPTIMIZED);
    const [, html] = only(plain, 'AWS::CloudFront::CachePolicy');
    expect(html.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig).toEqual({ HeaderBehavior: 'none' });
    plain.resourceCountIs('AWS::S3::Bucket', 2);
    expect(Object.keys(plain.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('ReleaseRouter'))).toBe(false);
    const outputs = plain.toJSON().Outputs as Record<string, unknown>;
    for (const key of ['ReleaseBucketName', 'ReleaseDocumentKey', 'ReleaseBucketRegion']) expect(outputs).not.toHaveProperty(key);
    for (const key of ['SiteBucketName', 'DistributionId', 'SiteUrl']) expect(outputs).toHaveProperty(key);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(stack.router).toBeUndefined();
  });
});

describe('outputs', () => {
  it('gives the site URL, the API URL, the items and conversions URLs and the flag store ids', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flatten(outputs.SiteUrl?.Value)).toBe(SITE_ORIGIN);
    expect(flatten(outputs.ApiUrl?.Value)).toBe(`${API_ORIGIN}/<ApiRestApiDeploymentStage${sprout.defaultStage}>/`);
    expect(flatten(outputs.ItemsUrl?.Value)).toBe(`${API_ORIGIN}/<ApiRestApiDeploymentStage${sprout.defaultStage}>/items`);
    expect(flatten(outputs.ConversionsUrl?.Value)).toBe(`${API_ORIGIN}/<ApiRestApiDeploymentStage${sprout.defaultStage}>/conversions`);
    expect(flatten(outputs.DistributionId?.Value)).toBe('<SiteDistribution>');
    expect(flatten(outputs.SiteBucketName?.Value)).toBe('<SiteBucket>');
    for (const key of ['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) expect(outputs).toHaveProperty(key);
  });
});
