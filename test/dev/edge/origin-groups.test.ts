import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { S3RVER_CREDENTIALS } from '../../../src/dev/emulators.js';
import { type LocalDistributions, startDistributions } from '../../../src/dev/edge/cloudfront.js';
import type { DevLogEvent, ResolvedApp, ResolvedResource } from '../../../src/dev/types.js';

// The secured-spa shape: an origin group of two buckets (failover on 403/404/5xx) and Lambda@Edge
// functions that are not sprout's router (listed as not run), plus a behaviour with legacy
// ForwardedValues and no response headers policy.

function resource(logicalId: string, type: string, ref: string, properties: Record<string, any>, attributes: Record<string, string> = {}, metadata: Record<string, unknown> = {}): ResolvedResource {
  return { stack: 'secured-spa-local', logicalId, type, properties, metadata, ref, attributes };
}

function appOf(resources: ResolvedResource[]): ResolvedApp {
  return {
    assemblyDir: '/nowhere',
    stacks: ['secured-spa-local'],
    resources,
    outputs: [],
    ofType: (type) => resources.filter((r) => r.type === type),
    // Like the model: a qualified Lambda ARN with no Version resource of its own is its function.
    find: (key) =>
      resources.find((r) => r.ref === key || Object.values(r.attributes).includes(key)) ??
      (/:function:[^:]+:[^:]+$/.test(key) ? resources.find((r) => r.attributes['Arn'] === key.slice(0, key.lastIndexOf(':'))) : undefined),
    assetDir: () => undefined,
  };
}

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:secured-spa-local-SecurityHeadersFn';
const resources = [
  resource('SecurityHeadersFn', 'AWS::Lambda::Function', 'secured-spa-local-SecurityHeadersFn', { Handler: 'index.handler' }, { Arn: FN }),
  resource('SecurityHeadersFnVersion', 'AWS::Lambda::Version', `${FN}:1`, { FunctionName: 'secured-spa-local-SecurityHeadersFn' }, { Version: '1' }),
  resource('Distribution', 'AWS::CloudFront::Distribution', 'E1234567890ABC', {
    DistributionConfig: {
      DefaultRootObject: 'index.html',
      Origins: [
        { Id: 'primary', DomainName: 'primary-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } },
        { Id: 'secondary', DomainName: 'secondary-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } },
      ],
      OriginGroups: { Quantity: 1, Items: [{ Id: 'group', FailoverCriteria: { StatusCodes: { Quantity: 3, Items: [403, 404, 500] } }, Members: { Quantity: 2, Items: [{ OriginId: 'primary' }, { OriginId: 'secondary' }] } }] },
      DefaultCacheBehavior: {
        TargetOriginId: 'group',
        ViewerProtocolPolicy: 'redirect-to-https',
        ForwardedValues: { QueryString: false },
        LambdaFunctionAssociations: [{ EventType: 'origin-response', LambdaFunctionARN: `${FN}:1` }],
      },
    },
  }, { DomainName: 'e1234567890abc.cloudfront.net' }),
];

let s3dir: string;
let s3rver: { close(): Promise<void> };
let s3: S3Client;
let endpoint: string;
let edge: LocalDistributions;
const logs: DevLogEvent[] = [];

beforeAll(async () => {
  s3dir = await mkdtemp(join(tmpdir(), 'sprout-edge-groups-'));
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3dir, silent: true });
  const { port } = await server.run();
  s3rver = server;
  endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  for (const bucket of ['primary-bucket', 'secondary-bucket']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: 'primary-bucket', Key: 'index.html', Body: 'primary index', ContentType: 'text/html' }));
  await s3.send(new PutObjectCommand({ Bucket: 'secondary-bucket', Key: 'only-secondary.txt', Body: 'from the replica', ContentType: 'text/plain' }));
  edge = await startDistributions({ app: appOf(resources), root: s3dir, endpoints: { dynamodb: '', s3: endpoint, kinesis: '', aws: '' }, originFor: () => undefined, log: (e) => logs.push(e) });
}, 30_000);

afterAll(async () => {
  await edge?.close();
  s3?.destroy();
  await s3rver?.close();
  await rm(s3dir, { recursive: true, force: true });
});

describe('origin groups', () => {
  it('serve from the primary, and fail over to the secondary on a listed status', async () => {
    const base = edge.distributions[0]!.url;
    const index = await fetch(`${base}/`);
    expect(await index.text()).toBe('primary index');
    const failover = await fetch(`${base}/only-secondary.txt`);
    expect(failover.status).toBe(200);
    expect(await failover.text()).toBe('from the replica');
    expect(logs.find((e) => e.message.startsWith('GET /only-secondary.txt 200'))?.message).toContain('origin primary answered 403: failing over');
    const nowhere = await fetch(`${base}/nowhere.txt`);
    expect(nowhere.status).toBe(403);
    // HEAD: the headers without the body.
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html');
  });

  it("lists Lambda@Edge functions that are not sprout's router as not run locally", () => {
    expect(edge.warnings()).toEqual([expect.stringMatching(/^Lambda@Edge SecurityHeadersFn \(origin-response; Distribution default behaviour\) is not run locally/)]);
  });
});

describe('the edge router of a stack outside us-east-1', () => {
  it("is found through CDK's cross-region parameter reader and the SSM parameter in the edge stack", async () => {
    const routerFn = 'arn:aws:lambda:us-east-1:000000000000:function:edge-lambda-stack-EdgeRouterFn';
    const settings = { bucket: 'sprout-releases-000000000000', key: 'release.json', region: 'us-east-1', stage: 'local', ttlSeconds: 1, fallbackStable: null, sharedPaths: ['/config.json'], metricsNamespace: 'Sprout/Edge', cookieName: 'sprout-uid', spaIndex: true };
    const app = appOf([
      resource('EdgeRouterFn', 'AWS::Lambda::Function', 'edge-lambda-stack-EdgeRouterFn', {}, { Arn: routerFn }, { 'sprout:edge-router': settings }),
      resource('EdgeRouterFnVersion', 'AWS::Lambda::Version', `${routerFn}:1`, { FunctionName: 'edge-lambda-stack-EdgeRouterFn' }, { Version: '1' }),
      resource('EdgeRouterParameter', 'AWS::SSM::Parameter', '/cdk/EdgeFunctionArn/eu-west-1/shop/ReleaseRouter/EdgeRouter', { Name: '/cdk/EdgeFunctionArn/eu-west-1/shop/ReleaseRouter/EdgeRouter', Value: `${routerFn}:1`, Type: 'String' }),
      resource('ReleaseRouterEdgeRouterArnReader1234', 'Custom::CrossRegionStringParameterReader', 'reader', { Region: 'us-east-1', ParameterName: '/cdk/EdgeFunctionArn/eu-west-1/shop/ReleaseRouter/EdgeRouter' }),
      resource('Distribution', 'AWS::CloudFront::Distribution', 'E0000000000XYZ', {
        DistributionConfig: {
          DefaultRootObject: 'index.html',
          Origins: [{ Id: 'site', DomainName: 'primary-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: {} }],
          DefaultCacheBehavior: {
            TargetOriginId: 'site',
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
            LambdaFunctionAssociations: ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'].map((EventType) => ({
              EventType,
              LambdaFunctionARN: { unresolved: 'ReleaseRouterEdgeRouterArnReader1234.FunctionArn is returned by the custom resource handler at deploy time' },
            })),
          },
        },
      }),
    ]);
    const local = await startDistributions({ app, root: s3dir, endpoints: { dynamodb: '', s3: endpoint, kinesis: '', aws: '' }, originFor: () => undefined, log: (e) => logs.push(e) });
    try {
      expect(local.warnings()).toEqual([]);
      const response = await fetch(`${local.distributions[0]!.url}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('primary index');
      // No release document in this project: the router serves the site as deployed, and still gives the viewer its id.
      expect(response.headers.getSetCookie().some((c) => /^sprout-uid=[0-9a-f-]{36}; Path=\/; Max-Age=\d+; Secure; HttpOnly; SameSite=Lax$/.test(c))).toBe(true);
      expect(logs.some((e) => e.message === 'GET / 200 → release deployed (site as deployed)')).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe('a failing CloudFront Function', () => {
  it('makes the distribution answer 503, as CloudFront does, and logs the error', async () => {
    const fnArn = 'arn:aws:cloudfront::000000000000:function/broken';
    const app = appOf([
      resource('Broken', 'AWS::CloudFront::Function', fnArn, { FunctionCode: 'function handler(event) { throw new Error("boom"); }', FunctionConfig: { Runtime: 'cloudfront-js-2.0' } }, { FunctionARN: fnArn }),
      resource('Distribution', 'AWS::CloudFront::Distribution', 'E0000000000BRK', {
        DistributionConfig: {
          Origins: [{ Id: 'site', DomainName: 'primary-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: {} }],
          DefaultCacheBehavior: { TargetOriginId: 'site', FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: fnArn }] },
        },
      }),
    ]);
    const local = await startDistributions({ app, root: s3dir, endpoints: { dynamodb: '', s3: endpoint, kinesis: '', aws: '' }, originFor: () => undefined, log: (e) => logs.push(e) });
    try {
      const response = await fetch(`${local.distributions[0]!.url}/index.html`);
      expect(response.status).toBe(503);
      expect(logs.some((e) => e.kind === 'error' && /CloudFront Function Broken \(viewer-request\) failed: boom/.test(e.message))).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe('an edge router synthesized before sprout dev', () => {
  it('is listed as not run, with what to update', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:old-router';
    const app = appOf([
      resource('OldRouter', 'AWS::Lambda::Function', 'old-router', { Description: "sprout edge router (local): picks each viewer's release from s3://x/release.json" }, { Arn: arn }),
      resource('Distribution', 'AWS::CloudFront::Distribution', 'E0000000000OLD', {
        DistributionConfig: {
          Origins: [{ Id: 'site', DomainName: 'primary-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: {} }],
          DefaultCacheBehavior: { TargetOriginId: 'site', LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: `${arn}:1` }] },
        },
      }),
    ]);
    const local = await startDistributions({ app, root: s3dir, endpoints: { dynamodb: '', s3: endpoint, kinesis: '', aws: '' }, originFor: () => undefined, log: () => undefined });
    try {
      expect(local.warnings()).toEqual([expect.stringContaining('without the sprout:edge-router metadata')]);
    } finally {
      await local.close();
    }
  });
});
