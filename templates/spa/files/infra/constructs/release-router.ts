import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { EXPERIMENT_HEADER, isReleaseId, RELEASE_HEADER } from '../../src/sprout/edge-router/release-document.js';
import type { RouterSettings } from '../../src/sprout/edge-router/router.js';

/** src/sprout/edge-router: the router's code, shipped into the project by sprout (do not edit it here). */
export const ROUTER_DIR = fileURLToPath(new URL('../../src/sprout/edge-router', import.meta.url));
/** The router's entry point: `handler` dispatches on the CloudFront event type. */
export const ROUTER_ENTRY = join(ROUTER_DIR, 'handler.ts');

/**
 * The newest Node.js runtime that Lambda@Edge lists as supported (the CloudFront developer
 * guide, "Restrictions on Lambda@Edge"): Node.js 22. Regional functions use Node.js 24.
 */
export const EDGE_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * The viewer-trigger quotas (CloudFront developer guide, "Quotas on Lambda@Edge"): the router also
 * runs on viewer-request and viewer-response, so the whole function stays inside them.
 */
export const VIEWER_LIMITS = { memoryMb: 128, timeoutSeconds: 5, zippedBytes: 1024 * 1024 } as const;

/** Where the release document lives: the release bucket's region and key, and who is stable. */
export const RELEASE_BUCKET_REGION = 'us-east-1' as const;
export const RELEASE_DOCUMENT_KEY = 'release.json';
/** The CDK context value `sprout deploy` sets to the stage's stable release (what the router serves when it cannot read the document). */
export const STABLE_RELEASE_CONTEXT = 'sprout:stableRelease';
/** Paths every release shares: config.json is written by the stack at deploy time, once, for all releases. */
export const SHARED_PATHS = ['/config.json'];
/** routerCacheSeconds: how long an edge instance keeps the document it read. */
export const ROUTER_CACHE_SECONDS = { default: 10, min: 1, max: 300 } as const;

/** The global the router reads its settings from; esbuild `define`s it at synth time (Lambda@Edge has no environment). */
export const SETTINGS_GLOBAL = 'SPROUT_EDGE_ROUTER';
/**
 * The resource metadata key holding the same settings on the function's CloudFormation resource:
 * `sprout dev` reads them from the template to run the router locally (the bundle hides them).
 */
export const SETTINGS_METADATA = 'sprout:edge-router';

/**
 * What the router is told at synth time (its own RouterSettings, with the values sprout fixes).
 * Plain values only: the bundle is built before anything is deployed.
 */
export interface EdgeRouterSettings extends RouterSettings {
  region: typeof RELEASE_BUCKET_REGION;
  metricsNamespace: 'Sprout/Edge';
  cookieName: 'sprout-uid';
}

/** The four event types the router handles, each one association on every site behaviour. */
export const ROUTER_EVENT_TYPES = [
  cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
  cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
  cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
  cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE,
] as const;

/**
 * The release bucket's name: `sprout-releases-` and 12 hex digits of sha256(`<account>/<stackName>`),
 * known at synth time so that it can be baked into the router and given to the CLI as a plain
 * output (the bucket may live in another stack and region than the site). `sprout deploy` always
 * resolves the account. Without one (plain, environment-agnostic `cdk deploy`) the hash covers the
 * stack name only, and since S3 bucket names are global, two accounts deploying a stack of the same
 * name collide: the second deploy fails with "bucket already exists". Deploy through sprout (or give
 * the stack an account) to avoid it.
 */
export function releaseBucketName(stackName: string, account?: string): string {
  const resolved = account !== undefined && !Token.isUnresolved(account);
  const digest = createHash('sha256')
    .update(resolved ? `${account}/${stackName}` : stackName)
    .digest('hex');
  return `sprout-releases-${digest.slice(0, 12)}`;
}

/** The stable release `sprout deploy` passed as context, when it is a release id; anything else is null. */
export function stableReleaseFromContext(scope: Construct): string | null {
  const value: unknown = scope.node.tryGetContext(STABLE_RELEASE_CONTEXT);
  if (value === undefined || value === null || value === '') return null;
  if (isReleaseId(value)) return value;
  Annotations.of(scope).addWarningV2(
    'sprout:invalid-stable-release',
    `${STABLE_RELEASE_CONTEXT} must be a release id such as r-0123456789ab (got ${JSON.stringify(value)}): the router falls back to the site as deployed.`,
  );
  return null;
}

/**
 * Bundles the router into `outDir`/index.js with `settings` baked in: one minified CommonJS file
 * for Node.js 22, nothing but Node.js's own modules and the AWS SDK the runtime provides left out.
 */
export function bundleRouter(settings: EdgeRouterSettings, outDir: string): string {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  buildSync({
    absWorkingDir: ROUTER_DIR,
    entryPoints: [ROUTER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    // The router signs its one S3 request itself; should it ever import the AWS SDK v3, the
    // Node.js 22 runtime provides it.
    external: ['@aws-sdk/*', '@smithy/*'],
    define: { [SETTINGS_GLOBAL]: JSON.stringify(settings) },
  });
  if (!existsSync(outfile)) throw new Error(`esbuild wrote no ${outfile}`);
  return outfile;
}

export interface ReleaseRouterProps {
  /** The stage the router serves (baked in; it is also in the release document it reads). */
  stage: string;
  /** How long an edge instance caches the release document, in seconds (routerCacheSeconds). Default 10. */
  cacheSeconds?: number;
  /** The release bucket on stack deletion: DESTROY (default) empties and deletes it. */
  bucketRemovalPolicy?: RemovalPolicy;
  /** The stable release to fall back on. Default: the `sprout:stableRelease` context value, when it is a release id. */
  fallbackStable?: string | null;
  /** Serve client-side routes (paths without a file extension) the release's index.html: the site's spaFallback. Default false. */
  spaRoutes?: boolean;
}

/**
 * The edge router of progressive rollouts: ONE Lambda@Edge function on four event types that
 * reads the stage's release document from the release bucket (in us-east-1, next to the function),
 * assigns each viewer a release with a sticky cookie, puts it in the `x-sprout-release` request
 * header (which the site's cache policies key on) and, on origin-request, serves the release's
 * files from `releases/<id>/` in the site bucket. On the paths of a running A/B experiment it also
 * puts the viewer's variant in the `x-sprout-experiment` request header (in the cache key too) and
 * a `sprout-x-<experiment>` cookie the page reads to report conversions.
 */
export class ReleaseRouter extends Construct {
  readonly fn: cloudfront.experimental.EdgeFunction;
  /** The release bucket, in the edge function's stack (us-east-1). */
  readonly bucket: s3.Bucket;
  /** Its name, a plain string: output it, bake it, never a cross-stack reference. */
  readonly bucketName: string;
  readonly documentKey = RELEASE_DOCUMENT_KEY;
  readonly bucketRegion = RELEASE_BUCKET_REGION;
  /** The request header naming the viewer's release. */
  readonly header = RELEASE_HEADER;
  /** The request header naming the viewer's experiment variant (`<experiment>=<variant>`), on the paths of a running experiment. */
  readonly experimentHeader = EXPERIMENT_HEADER;
  /**
   * The request headers the router sets that choose what the origin serves: put them in the cache
   * key of every behaviour it runs on, so two releases, or two variants of an experiment, never
   * share a cached object.
   */
  readonly cacheKeyHeaders: readonly string[] = [RELEASE_HEADER, EXPERIMENT_HEADER];
  /** What the bundle has baked in. */
  readonly settings: EdgeRouterSettings;
  /** The four associations, for StaticSite's `edgeLambdas`. */
  readonly edgeLambdas: cloudfront.EdgeLambda[];

  constructor(scope: Construct, id: string, props: ReleaseRouterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ttlSeconds = props.cacheSeconds ?? ROUTER_CACHE_SECONDS.default;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < ROUTER_CACHE_SECONDS.min || ttlSeconds > ROUTER_CACHE_SECONDS.max) {
      throw new Error(`${this.node.path}: cacheSeconds must be an integer from ${ROUTER_CACHE_SECONDS.min} to ${ROUTER_CACHE_SECONDS.max} (got ${ttlSeconds})`);
    }
    this.bucketName = releaseBucketName(stack.stackName, stack.account);
    this.settings = {
      bucket: this.bucketName,
      key: RELEASE_DOCUMENT_KEY,
      region: RELEASE_BUCKET_REGION,
      stage: props.stage,
      ttlSeconds,
      fallbackStable: props.fallbackStable === undefined ? stableReleaseFromContext(this) : props.fallbackStable,
      sharedPaths: [...SHARED_PATHS],
      metricsNamespace: 'Sprout/Edge',
      cookieName: 'sprout-uid',
      spaIndex: props.spaRoutes ?? false,
    };
    const found = JSON.stringify(this.settings).match(/\$\{Token\[[^\]]+\]\}/);
    if (found) throw new Error(`${this.node.path}: the router's settings must be known at synth time, found the CDK token ${found[0]}`);
    const settings = this.settings;

    const code = lambda.Code.fromAsset(ROUTER_DIR, {
      // The bundle is the asset: its hash changes exactly when the code or the baked settings do.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
        local: {
          tryBundle(outputDir: string) {
            bundleRouter(settings, outputDir);
            return true;
          },
        },
      },
    });

    // CDK's EdgeFunction: in this stack when it is in us-east-1, else in an `edge-lambda-stack-…`
    // stack in us-east-1 whose version ARN reaches the distribution through SSM. x86_64 (arm64 is
    // not on every list of what Lambda@Edge supports), no environment variables, the viewer limits.
    this.fn = new cloudfront.experimental.EdgeFunction(this, 'EdgeRouter', {
      runtime: EDGE_RUNTIME,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code,
      description: `sprout edge router (${props.stage}): picks each viewer's release from s3://${this.bucketName}/${RELEASE_DOCUMENT_KEY}`,
      memorySize: VIEWER_LIMITS.memoryMb,
      timeout: Duration.seconds(VIEWER_LIMITS.timeoutSeconds),
    });
    const inner = this.fn.lambda as lambda.Function;
    // The bundle hides its baked-in settings; `sprout dev` reads them from the template to run the router locally.
    (inner.node.defaultChild as lambda.CfnFunction).addMetadata(SETTINGS_METADATA, settings);
    // CloudFront keeps replicas for hours after the distribution lets go of the function: a stack
    // that tried to delete it would fail. `sprout destroy` lists it with the command that deletes it later.
    inner.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // The release bucket lives with the function, in us-east-1.
    const home = Stack.of(inner);
    const removalPolicy = props.bucketRemovalPolicy ?? RemovalPolicy.DESTROY;
    this.bucket = new s3.Bucket(home === stack ? this : home, home === stack ? 'Releases' : `${id}Releases`, {
      bucketName: this.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Every write of the document is a new version: an earlier document stays recoverable.
      versioned: true,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    // The router reads the document and nothing else (besides writing its logs).
    inner.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(RELEASE_DOCUMENT_KEY)] }));

    this.edgeLambdas = ROUTER_EVENT_TYPES.map((eventType) => ({ functionVersion: this.fn.currentVersion, eventType }));

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The release bucket holds one small JSON document, which the router reads every few seconds per edge instance: server access logs would be nearly all router reads. S3 versioning keeps every earlier document, the document records each change and its actor in its own history, and CloudTrail data events are the audit trail when one is needed.',
    });
    Validations.of(inner).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'A Lambda@Edge function writes its logs to /aws/lambda/us-east-1.<name> in whichever region its replica runs, which the stack cannot know or create in advance; the basic execution policy is what AWS documents for it. Its only other permission is s3:GetObject on the release document.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Lambda@Edge supports fewer runtimes than regional Lambda: Node.js 22 is the newest one the CloudFront developer guide lists for it (regional functions here use Node.js 24). Move to the next one when Lambda@Edge lists it.',
      },
    );
  }
}
