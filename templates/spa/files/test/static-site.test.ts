import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { afterAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, StaticSite, type StaticSiteProps } from '../infra/constructs/static-site.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// StaticSite on its own, with the props the patterns built on this one use: another origin for
// /api/*, a CloudFront Function instead of the fallback, a replaced site origin, a base path.

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function site(props: Partial<StaticSiteProps> = {}, extend?: (stack: Stack) => Partial<StaticSiteProps>) {
  const test = testApp({ bundle: false });
  apps.push(test);
  const stack = new Stack(test.app, 'Site');
  const construct = new StaticSite(stack, 'Site', { runtimeConfig: { apiUrl: '/api' }, ...props, ...extend?.(stack) });
  const config = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
  return { construct, template: Template.fromStack(stack), config };
}

describe('StaticSite', () => {
  it('adds behaviours, such as /api/* to another origin, after the site and its assets', () => {
    const { config } = site({
      spaFallback: false,
      additionalBehaviors: {
        '/api/*': { origin: new origins.HttpOrigin('example.execute-api.eu-west-1.amazonaws.com'), cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED },
      },
    });
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/assets/*', '/api/*']);
    expect(config.Origins).toHaveLength(2);
    expect(config).not.toHaveProperty('CustomErrorResponses');
  });

  it('puts CloudFront Functions and Lambda@Edge functions on the site behaviours, and lets the default behaviour be overridden', () => {
    const { config } = site({}, (stack) => {
      const fn = new cloudfront.Function(stack, 'Rewrite', { code: cloudfront.FunctionCode.fromInline('function handler(event) { return event.request; }') });
      return {
        functionAssociations: [{ function: fn, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        defaultBehavior: { allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS },
      };
    });
    for (const behavior of [config.DefaultCacheBehavior, config.CacheBehaviors[0]]) {
      expect(behavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    }
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(config.CacheBehaviors[0].AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('uses a replacement origin (for example an origin group) for the site and its assets', () => {
    const { config } = site({}, () => ({
      origin: (bucket) =>
        new origins.OriginGroup({
          primaryOrigin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
          fallbackOrigin: new origins.HttpOrigin('replica.example.com'),
        }),
    }));
    expect(config.OriginGroups.Quantity).toBe(1);
    const groupId = config.OriginGroups.Items[0].Id;
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(groupId);
    expect(config.CacheBehaviors[0].TargetOriginId).toBe(groupId);
  });

  it('serves under a base path: keys, assets behaviour and fallback page move with it', () => {
    const { template, config, construct } = site({ frontend: { basePath: '/ui/' } });
    expect(construct.basePath).toBe('/ui/');
    expect(config.CacheBehaviors[0].PathPattern).toBe('/ui/assets/*');
    expect(config.CustomErrorResponses.map((r: { ResponsePagePath: string }) => r.ResponsePagePath)).toEqual(['/ui/index.html', '/ui/index.html']);
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments.map((d) => d.Properties.DestinationBucketKeyPrefix)).toEqual(['ui/', 'ui/']);
    expect(deployments.map((d) => d.Properties.DistributionPaths).filter(Boolean)).toEqual([['/ui/*']]);
  });

  it('builds the CSP from connectSrc, or takes a whole one', () => {
    const csp = (template: Template) =>
      Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
        .ContentSecurityPolicy;
    expect(csp(site({ connectSrc: ['https://auth.example.com'] }).template)).toBe(contentSecurityPolicy(['https://auth.example.com']));
    expect(contentSecurityPolicy(['https://auth.example.com'])).toContain("connect-src 'self' https://auth.example.com;");
    expect(csp(site({ contentSecurityPolicy: "default-src 'none'" }).template)).toBe("default-src 'none'");
  });

  describe('cache key headers (an edge router telling releases apart)', () => {
    const policies = (template: Template) => template.findResources('AWS::CloudFront::CachePolicy') as Record<string, { Properties: { CachePolicyConfig: any } }>;
    const policy = (template: Template, prefix: string) => Object.entries(policies(template)).find(([id]) => id.startsWith(prefix))?.[1].Properties.CachePolicyConfig;
    const headersOf = (config: any) => config.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig;

    it('puts the headers in the cache key of index.html and of the assets, which get a policy of their own with CachingOptimized\'s TTLs', () => {
      const { template, config } = site({ cacheKeyHeaders: ['x-sprout-release'] });
      const keyed = { HeaderBehavior: 'whitelist', Headers: ['x-sprout-release'] };
      expect(headersOf(policy(template, 'SiteHtmlCache'))).toEqual(keyed);
      const assets = policy(template, 'SiteAssetsCache');
      expect(headersOf(assets)).toEqual(keyed);
      expect(assets).toMatchObject({ MinTTL: 1, DefaultTTL: 86_400, MaxTTL: 31_536_000 });
      expect(assets.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      });
      expect(config.DefaultCacheBehavior.CachePolicyId).toEqual({ Ref: expect.stringMatching(/^SiteHtmlCache/) });
      expect(config.CacheBehaviors[0].CachePolicyId).toEqual({ Ref: expect.stringMatching(/^SiteAssetsCache/) });
    });

    it('with HTML caching off, keeps index.html uncached and keys only the assets', () => {
      const { template, config } = site({ cacheKeyHeaders: ['x-sprout-release'], htmlCacheSeconds: 0 });
      expect(config.DefaultCacheBehavior.CachePolicyId).toBe(cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId);
      expect(Object.keys(policies(template))).toEqual([expect.stringMatching(/^SiteAssetsCache/)]);
      expect(headersOf(policy(template, 'SiteAssetsCache')).Headers).toEqual(['x-sprout-release']);
    });

    it('without them, is the site as before: no header in any key, the managed CachingOptimized policy for the assets', () => {
      const { template, config } = site();
      expect(Object.keys(policies(template))).toEqual([expect.stringMatching(/^SiteHtmlCache/)]);
      expect(headersOf(policy(template, 'SiteHtmlCache')).HeaderBehavior).toBe('none');
      expect(config.CacheBehaviors[0].CachePolicyId).toBe(cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId);
    });
  });

  it('never prunes the releases that sprout uploads under releases/ (nor the assets) when it deploys index.html', () => {
    const deployments = (template: Template) => Object.entries(template.findResources('Custom::CDKBucketDeployment'));
    for (const props of [{}, { frontend: { basePath: '/ui/' } }]) {
      const { template } = site(props);
      const [, html] = deployments(template).find(([id]) => id.startsWith('SiteDeployHtml'))!;
      expect(html.Properties.Prune).toBe(true);
      expect(html.Properties.Exclude).toEqual(['assets/*', 'releases/*']);
      const [, assets] = deployments(template).find(([id]) => id.startsWith('SiteDeployAssets'))!;
      expect(assets.Properties.Prune).toBe(false);
    }
  });

  it('versions the site bucket when asked (replication needs it)', () => {
    const bucket = (template: Template) => Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('SiteBucket'))![1];
    expect(bucket(site().template).Properties).not.toHaveProperty('VersioningConfiguration');
    expect(bucket(site({ versioned: true }).template).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });
});
