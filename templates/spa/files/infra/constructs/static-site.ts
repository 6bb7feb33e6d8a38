import { DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ASSETS_DIR, buildFrontend, FRONTEND_DIR, type FrontendBuildOptions } from '../../frontend/build.js';

/**
 * Where `sprout release create` uploads releases in the site bucket (RELEASES_PREFIX of
 * src/sprout/edge-router/release-document.ts; spelled out here so that StaticSite does not need
 * the edge router's code).
 */
export const RELEASES_PREFIX = 'releases/';

export interface StaticSiteProps {
  /**
   * Written to the site as `config.json` at deploy time, next to index.html: the frontend reads it
   * at start. Values may be tokens (the API's URL): they resolve when the stack deploys.
   */
  runtimeConfig: Record<string, string>;
  /** Which edge locations serve the site. Default PriceClass_100 (North America, Europe, Israel). */
  priceClass?: cloudfront.PriceClass;
  /**
   * Answer 403 and 404 from the bucket with index.html and status 200, so a reload on a
   * client-side route loads the app (distribution-wide custom error responses: they also rewrite
   * the 403/404 of every other origin, so a pattern that proxies an API through this distribution
   * turns this off and routes in a CloudFront Function instead). Default true.
   */
  spaFallback?: boolean;
  /** How long CloudFront and browsers keep index.html, config.json and fallback answers. Default 60. */
  htmlCacheSeconds?: number;
  /** The site and log buckets on stack deletion: DESTROY (default) empties and deletes them. */
  removalPolicy?: RemovalPolicy;
  /** Extra `connect-src` sources for the Content-Security-Policy, such as the API's origin. */
  connectSrc?: string[];
  /** Replaces the whole generated Content-Security-Policy (then connectSrc is not used). */
  contentSecurityPolicy?: string;
  /** More path patterns, for example `/api/*` to an API Gateway origin. */
  additionalBehaviors?: Record<string, cloudfront.BehaviorOptions>;
  /**
   * The origin of the site's behaviours, given the site bucket. Default: the bucket through origin
   * access control. Replace it with, for example, an OriginGroup whose secondary is a replica bucket.
   */
  origin?: (bucket: s3.Bucket) => cloudfront.IOrigin;
  /** Lambda@Edge functions on the site's behaviours (index.html, routes and assets alike). */
  edgeLambdas?: cloudfront.EdgeLambda[];
  /** CloudFront Functions on the site's behaviours. */
  functionAssociations?: cloudfront.FunctionAssociation[];
  /** Anything else to set on the default behaviour (wins over what this construct sets). */
  defaultBehavior?: Partial<cloudfront.AddBehaviorOptions>;
  /** How the frontend is built (entry, HTML template, base path such as '/ui/'). */
  frontend?: FrontendBuildOptions;
  /** Version the site bucket (needed to replicate it). Default false: every deploy re-uploads the site. */
  versioned?: boolean;
  /** The distribution's comment in the console. */
  comment?: string;
  /**
   * Request headers to add to the cache key of the site's behaviours (index.html, routes and
   * assets), for example the release header an edge router sets, so that two releases never share
   * a cached object. Default none: the assets use the managed CachingOptimized policy. (With
   * htmlCacheSeconds 0 the HTML is not cached at all, so only the assets' key changes.)
   */
  cacheKeyHeaders?: string[];
}

/**
 * A static site on CloudFront: a private S3 bucket read only through origin access control,
 * security headers on every answer, long caching for the hashed assets and short for the HTML,
 * optional SPA fallback, and the frontend built with esbuild at synth time and uploaded
 * (with the runtime config.json) by a BucketDeployment that invalidates the distribution.
 */
export class StaticSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`: the site's URL, and the origin browsers send to the API. */
  readonly url: string;
  /** The frontend, built by esbuild at synth time: a zip of index.html and assets/ in the CDK asset bucket. */
  readonly siteAsset: s3assets.Asset;
  /** The built frontend as a deployment source, to upload elsewhere too (a replica bucket). */
  readonly siteSource: s3deploy.ISource;
  /** config.json as a deployment source. */
  readonly configSource: s3deploy.ISource;
  /** Uploads assets/ (never pruned: a page loaded before a deploy still finds its bundle). */
  readonly assetsDeployment: s3deploy.BucketDeployment;
  /** Uploads index.html and config.json, then invalidates the distribution. */
  readonly htmlDeployment: s3deploy.BucketDeployment;
  /** The site's path prefix, '/' or for example '/ui/'. */
  readonly basePath: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    const htmlCacheSeconds = props.htmlCacheSeconds ?? 60;
    const spaFallback = props.spaFallback ?? true;
    this.basePath = `/${(props.frontend?.basePath ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
    const keyPrefix = this.basePath.slice(1); // '' or 'ui/'

    // Server access logs of the site bucket and CloudFront's standard logs. CloudFront writes
    // with an ACL grant, so the bucket keeps ACLs enabled (owner-preferred); public access stays blocked.
    // (cdk-nag's S1 does not ask a bucket that receives access logs to log its own access.)
    this.logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers for the static site',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy ?? contentSecurityPolicy(props.connectSrc ?? []), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true }],
      },
    });

    // The headers an edge function adds to tell cached objects apart (none by default).
    const cacheKeyHeaders = props.cacheKeyHeaders?.length ? { headerBehavior: cloudfront.CacheHeaderBehavior.allowList(...props.cacheKeyHeaders) } : {};
    const keyedOn = props.cacheKeyHeaders?.length ? `, keyed on ${props.cacheKeyHeaders.join(', ')}` : '';

    // index.html, config.json and every client-side route: short-lived, so a deploy shows up quickly.
    const htmlCachePolicy =
      htmlCacheSeconds === 0
        ? cloudfront.CachePolicy.CACHING_DISABLED
        : new cloudfront.CachePolicy(this, 'HtmlCache', {
            comment: `index.html and config.json: at most ${htmlCacheSeconds} s${keyedOn}`,
            minTtl: Duration.seconds(0),
            defaultTtl: Duration.seconds(htmlCacheSeconds),
            maxTtl: Duration.seconds(htmlCacheSeconds),
            enableAcceptEncodingGzip: true,
            enableAcceptEncodingBrotli: true,
            ...cacheKeyHeaders,
          });
    // Hashed names: a changed file is a new file, so these are cached for a year (the managed
    // CachingOptimized policy honours the objects' Cache-Control, up to a year). With cache key
    // headers, a policy of its own with CachingOptimized's TTLs (1 s, 1 day, 1 year) and the headers.
    const assetsCachePolicy = props.cacheKeyHeaders?.length
      ? new cloudfront.CachePolicy(this, 'AssetsCache', {
          comment: `Hashed assets: up to a year${keyedOn}`,
          minTtl: Duration.seconds(1),
          defaultTtl: Duration.days(1),
          maxTtl: Duration.days(365),
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
          ...cacheKeyHeaders,
        })
      : cloudfront.CachePolicy.CACHING_OPTIMIZED;

    const origin = props.origin?.(this.bucket) ?? origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    const siteBehavior = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      compress: true,
      responseHeadersPolicy: this.responseHeadersPolicy,
      ...(props.edgeLambdas?.length ? { edgeLambdas: props.edgeLambdas } : {}),
      ...(props.functionAssociations?.length ? { functionAssociations: props.functionAssociations } : {}),
    } satisfies cloudfront.BehaviorOptions;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment ?? 'Static site',
      defaultRootObject: 'index.html',
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: { ...siteBehavior, cachePolicy: htmlCachePolicy, ...props.defaultBehavior },
      additionalBehaviors: {
        [`${this.basePath}${ASSETS_DIR}/*`]: { ...siteBehavior, cachePolicy: assetsCachePolicy },
        ...props.additionalBehaviors,
      },
      errorResponses: spaFallback
        ? [403, 404].map((httpStatus) => ({
            httpStatus,
            responseHttpStatus: 200,
            responsePagePath: `${this.basePath}index.html`,
            ttl: Duration.seconds(htmlCacheSeconds),
          }))
        : [],
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The site is meant to be reachable from every country. Add a geo restriction to the distribution if your content or licensing requires one.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No AWS WAF web ACL in this starter (a web ACL has a monthly fee and must live in us-east-1). Add one with the AWS managed rule groups and a rate-based rule before production, and sooner when the distribution also proxies an API (which then sees every request that reaches CloudFront).',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum protocol at TLSv1; with a custom domain and ACM certificate set minimumProtocolVersion to TLSv1.2_2021.',
    });

    // The frontend, built by esbuild when the stack synthesizes (no Docker: the local bundler
    // always succeeds or throws). Asset hash: the frontend sources and the build options.
    this.siteAsset = new s3assets.Asset(this, 'Frontend', {
      path: FRONTEND_DIR,
      exclude: ['node_modules', 'dist', '*.test.ts'],
      bundling: {
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
        local: {
          tryBundle(outputDir: string) {
            buildFrontend(outputDir, props.frontend);
            return true;
          },
        },
      },
    });
    this.siteSource = s3deploy.Source.bucket(this.siteAsset.bucket, this.siteAsset.s3ObjectKey);
    this.configSource = s3deploy.Source.jsonData('config.json', props.runtimeConfig);

    const immutable = [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(Duration.days(365)), s3deploy.CacheControl.immutable()];
    const shortLived =
      htmlCacheSeconds === 0
        ? [s3deploy.CacheControl.noCache()]
        : [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(Duration.seconds(htmlCacheSeconds))];

    this.assetsDeployment = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [this.siteSource],
      destinationBucket: this.bucket,
      ...(keyPrefix ? { destinationKeyPrefix: keyPrefix } : {}),
      exclude: ['*'],
      include: [`${ASSETS_DIR}/*`],
      // Old bundles stay: a browser holding the previous index.html still loads its script.
      prune: false,
      cacheControl: immutable,
      memoryLimit: 512,
    });
    this.htmlDeployment = new s3deploy.BucketDeployment(this, 'DeployHtml', {
      sources: [this.siteSource, this.configSource],
      destinationBucket: this.bucket,
      ...(keyPrefix ? { destinationKeyPrefix: keyPrefix } : {}),
      // Excluded files are neither uploaded nor pruned: this deployment leaves assets/ alone, and
      // the releases that `sprout release create` uploads under releases/<id>/ (pruning them would
      // delete every release on every deploy).
      exclude: [`${ASSETS_DIR}/*`, `${RELEASES_PREFIX}*`],
      cacheControl: shortLived,
      distribution: this.distribution,
      distributionPaths: [`${this.basePath}*`],
      memoryLimit: 512,
    });
    // The new index.html goes live only once the bundle it references is in the bucket.
    this.htmlDeployment.node.addDependency(this.assetsDeployment);

    acknowledgeBucketDeployment(this.htmlDeployment, [this.bucket], this.siteAsset.bucket);
  }
}

/**
 * The Content-Security-Policy: everything from the site itself, plus `connectSrc` for fetch()
 * (the API on its own origin). No inline scripts or styles: the build emits files only.
 */
export function contentSecurityPolicy(connectSrc: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/**
 * Acknowledges cdk-nag's findings on the handler of `deployment`: a Lambda function that
 * aws-cdk-lib creates once per stack (and memory size) and shares between BucketDeployments.
 * `destinations` are the buckets its deployments write to, `assetBucket` the CDK asset bucket
 * it reads from. A pattern that adds a BucketDeployment to another bucket calls it again.
 */
export function acknowledgeBucketDeployment(deployment: s3deploy.BucketDeployment, destinations: s3.IBucket[], assetBucket: s3.IBucket): void {
  const handler = deployment.handlerRole.node.scope;
  if (!handler) return;
  const stack = Stack.of(deployment);
  const wildcardFinding = (arn: string) => `AwsSolutions-IAM5[Resource::${nagString(stack.resolve(arn))}]`;
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "aws-cdk-lib's BucketDeployment handler writes its CloudWatch logs with the AWS managed basic execution policy; it runs only while the stack deploys.",
    },
    {
      id: 'AwsSolutions-L1',
      reason: "The BucketDeployment handler's Python runtime is chosen by aws-cdk-lib, not by this project, and moves forward when aws-cdk-lib is upgraded.",
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `aws-cdk-lib grants the BucketDeployment handler ${action} (its grantRead/grantReadWrite) to copy the built site and prune stale files; it is limited to the asset bucket and the site's own buckets.`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'aws-cdk-lib grants cloudfront:CreateInvalidation and GetInvalidation on every distribution to the BucketDeployment handler; it only invalidates the distribution named in its properties after an upload.',
    },
    {
      id: wildcardFinding(assetBucket.arnForObjects('*')),
      reason: "The handler reads the zipped site from CDK's asset bucket, whose object keys are content hashes that change on every build.",
    },
    ...destinations.map((bucket) => ({
      id: wildcardFinding(bucket.arnForObjects('*')),
      reason: 'The handler writes and prunes every object of the site bucket: the site is exactly what the deployment uploads, under names that change with every build.',
    })),
  );
}

/** A resolved CloudFormation value spelled the way cdk-nag names it in a finding id. */
function nagString(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, unknown>;
  const join = intrinsic['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(nagString).join(join[0]);
  const getAtt = intrinsic['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
  if (typeof intrinsic['Fn::Sub'] === 'string') return intrinsic['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
  return JSON.stringify(node);
}
