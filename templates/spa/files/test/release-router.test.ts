import { createHash } from 'node:crypto';
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RELEASE_DOCUMENT_KEY,
  ReleaseRouter,
  SETTINGS_METADATA,
  type ReleaseRouterProps,
  releaseBucketName,
  STABLE_RELEASE_CONTEXT,
} from '../infra/constructs/release-router.js';
import { RELEASES_PREFIX as SITE_RELEASES_PREFIX } from '../infra/constructs/static-site.js';
import { RELEASES_PREFIX } from '../src/sprout/edge-router/release-document.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// The ReleaseRouter construct on its own: where its bucket lands, what its function may do, how it
// is named and configured. (The synthesized bundle is tested in test/release-router-bundle.test.ts.)

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

function router(env: { account?: string; region?: string } | undefined, props: Partial<ReleaseRouterProps> = {}, context: Record<string, unknown> = {}) {
  const test = testApp({ bundle: false });
  apps.push(test);
  for (const [key, value] of Object.entries(context)) test.app.node.setContext(key, value);
  const stack = new Stack(test.app, 'shop-prod', env ? { env } : {});
  const construct = new ReleaseRouter(stack, 'ReleaseRouter', { stage: 'prod', ...props });
  const home = Stack.of(construct.fn.lambda);
  return { test, stack, construct, home, template: Template.fromStack(home) };
}

const only = (template: Template, type: string, prefix = ''): Resource => {
  const matches = Object.entries(template.findResources(type) as Record<string, Resource>)
    .filter(([id]) => id.startsWith(prefix))
    .map(([, resource]) => resource);
  expect(matches, type).toHaveLength(1);
  return matches[0]!;
};
const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

describe('the release bucket name', () => {
  it('is sprout-releases- and 12 hex digits of sha256(<account>/<stack name>), or of the stack name without an account', () => {
    expect(releaseBucketName('shop-prod', '111111111111')).toBe(`sprout-releases-${sha12('111111111111/shop-prod')}`);
    expect(releaseBucketName('shop-prod')).toBe(`sprout-releases-${sha12('shop-prod')}`);
    // An unresolved account (an environment-agnostic stack) counts as none.
    expect(releaseBucketName('shop-prod', Token.asString({ Ref: 'AWS::AccountId' }))).toBe(releaseBucketName('shop-prod'));
    expect(releaseBucketName('shop-prod', '111111111111')).toMatch(/^sprout-releases-[0-9a-f]{12}$/);
  });

  it('differs between accounts and between stacks, and is the same on every synth', () => {
    const names = new Set([releaseBucketName('shop-prod', '111111111111'), releaseBucketName('shop-prod', '222222222222'), releaseBucketName('shop-dev', '111111111111')]);
    expect(names.size).toBe(3);
    expect(router({ account: '111111111111', region: 'eu-west-1' }).construct.bucketName).toBe(releaseBucketName('shop-prod', '111111111111'));
  });
});

describe('ReleaseRouter in a stack outside us-east-1', () => {
  const { stack, construct, home, template } = router({ account: '111111111111', region: 'eu-west-1' });

  it("puts the function and the release bucket in CDK's us-east-1 edge stack, the bucket under its deterministic name", () => {
    expect(home).not.toBe(stack);
    expect(home.stackName).toMatch(/^edge-lambda-stack-/);
    expect(home.region).toBe('us-east-1');
    expect(home.account).toBe('111111111111');
    expect(Stack.of(construct.bucket)).toBe(home);
    expect(only(template, 'AWS::S3::Bucket').Properties.BucketName).toBe(`sprout-releases-${sha12('111111111111/shop-prod')}`);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1); // CDK's reader of the version ARN, not the router
  });

  it('keeps the bucket private, encrypted, SSL only and versioned (every earlier document stays recoverable)', () => {
    const bucket = only(template, 'AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const statements: Array<Record<string, any>> = only(template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('is one Node.js 22 x86_64 function of 128 MB and 5 s, with no environment, retained on delete', () => {
    const fn = only(template, 'AWS::Lambda::Function', 'EdgeRouter');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], MemorySize: 128, Timeout: 5, Handler: 'index.handler' });
    expect(fn.Properties).not.toHaveProperty('Environment');
    expect(fn.DeletionPolicy).toBe('Retain');
    const role = only(template, 'AWS::IAM::Role', 'EdgeRouter');
    expect(role.Properties.AssumeRolePolicyDocument.Statement.flatMap((s: any) => s.Principal.Service)).toEqual(
      expect.arrayContaining(['lambda.amazonaws.com', 'edgelambda.amazonaws.com']),
    );
  });

  it('may only s3:GetObject the release document (and write its logs)', () => {
    template.resourceCountIs('AWS::IAM::Policy', 1);
    const statements = only(template, 'AWS::IAM::Policy', 'EdgeRouter').Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    const [bucketId] = Object.keys(template.findResources('AWS::S3::Bucket'));
    expect(statements[0]).toEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${RELEASE_DOCUMENT_KEY}`]] },
    });
    const role = only(template, 'AWS::IAM::Role', 'EdgeRouter');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSLambdaBasicExecutionRole');
    expect(role.Properties.ManagedPolicyArns).toHaveLength(1);
    expect(role.Properties).not.toHaveProperty('Policies');
  });

  it('associates the one published version with the four event types', () => {
    expect(construct.edgeLambdas.map((e) => e.eventType)).toEqual(['viewer-request', 'origin-request', 'origin-response', 'viewer-response']);
    expect(new Set(construct.edgeLambdas.map((e) => e.functionVersion)).size).toBe(1);
    expect(construct.edgeLambdas.every((e) => !e.includeBody)).toBe(true);
  });

  it('names the request headers the site must key its cache on: the release and the experiment variant', () => {
    expect(construct.cacheKeyHeaders).toEqual(['x-sprout-release', 'x-sprout-experiment']);
    expect([construct.header, construct.experimentHeader]).toEqual(['x-sprout-release', 'x-sprout-experiment']);
  });

  it('bakes the settings the router reads, all plain values', () => {
    expect(construct.settings).toEqual({
      bucket: construct.bucketName,
      key: 'release.json',
      region: 'us-east-1',
      stage: 'prod',
      ttlSeconds: 10,
      fallbackStable: null,
      sharedPaths: ['/config.json'],
      metricsNamespace: 'Sprout/Edge',
      cookieName: 'sprout-uid',
      spaIndex: false,
    });
    expect(JSON.stringify(construct.settings)).not.toMatch(/\$\{Token/);
  });

  it('puts the same settings on the function resource as metadata, where sprout dev reads them', () => {
    const fn = only(template, 'AWS::Lambda::Function', 'EdgeRouter') as Resource & { Metadata?: Record<string, unknown> };
    expect(SETTINGS_METADATA).toBe('sprout:edge-router');
    expect(fn.Metadata?.[SETTINGS_METADATA]).toEqual(construct.settings);
  });
});

describe('ReleaseRouter in a us-east-1 stack', () => {
  it("keeps everything in the stack itself, and names the bucket after the stack name when the account is not known", () => {
    const { stack, construct, home, template } = router({ region: 'us-east-1' });
    expect(home).toBe(stack);
    expect(Stack.of(construct.bucket)).toBe(stack);
    expect(only(template, 'AWS::S3::Bucket').Properties.BucketName).toBe(`sprout-releases-${sha12('shop-prod')}`);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });
});

describe('the site and the router', () => {
  it('agree on where releases live in the site bucket (what the site deployment never prunes, what the router serves)', () => {
    expect(SITE_RELEASES_PREFIX).toBe(RELEASES_PREFIX);
  });
});

describe('options', () => {
  it('empties and deletes the bucket with the stack by default, keeps it with RemovalPolicy.RETAIN', () => {
    const destroyed = router({ region: 'us-east-1' }).template;
    expect(Object.values(destroyed.findResources('AWS::S3::Bucket'))[0]!.DeletionPolicy).toBe('Delete');
    destroyed.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    const retained = router({ region: 'us-east-1' }, { bucketRemovalPolicy: RemovalPolicy.RETAIN }).template;
    expect(Object.values(retained.findResources('AWS::S3::Bucket'))[0]!.DeletionPolicy).toBe('Retain');
    retained.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('caches the document for cacheSeconds, an integer from 1 to 300', () => {
    expect(router({ region: 'us-east-1' }, { cacheSeconds: 300 }).construct.settings.ttlSeconds).toBe(300);
    expect(router({ region: 'us-east-1' }, { cacheSeconds: 1 }).construct.settings.ttlSeconds).toBe(1);
    for (const cacheSeconds of [0, 301, 2.5]) {
      expect(() => router({ region: 'us-east-1' }, { cacheSeconds })).toThrow(/cacheSeconds must be an integer from 1 to 300/);
    }
  });

  it(`falls back to the stable release that sprout deploy passes as ${STABLE_RELEASE_CONTEXT}, when it is a release id`, () => {
    expect(router({ region: 'us-east-1' }, {}, { [STABLE_RELEASE_CONTEXT]: 'r-0123456789ab' }).construct.settings.fallbackStable).toBe('r-0123456789ab');
    const invalid = router({ region: 'us-east-1' }, {}, { [STABLE_RELEASE_CONTEXT]: 'r-XYZ' });
    expect(invalid.construct.settings.fallbackStable).toBeNull();
    Annotations.fromStack(invalid.stack).hasWarning('/shop-prod/ReleaseRouter', Match.stringLikeRegexp('must be a release id'));
    expect(router({ region: 'us-east-1' }, { fallbackStable: 'r-aaaaaaaaaaaa' }, { [STABLE_RELEASE_CONTEXT]: 'r-0123456789ab' }).construct.settings.fallbackStable).toBe('r-aaaaaaaaaaaa');
  });

  it('refuses settings that are only known at deploy time (Lambda@Edge has no environment to carry them)', () => {
    expect(() => router({ region: 'us-east-1' }, { stage: Token.asString({ Ref: 'Stage' }) })).toThrow(/must be known at synth time/);
  });

  it('needs a stack with a region (CDK places edge functions by it)', () => {
    expect(() => router(undefined)).toThrow(/explicitly set region/);
  });
});
