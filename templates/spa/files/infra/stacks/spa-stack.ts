import { CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addConversionsEndpoint, type ConversionsEndpoint } from '../constructs/conversions-endpoint.js';
import { addItemsService, type ItemsService } from '../constructs/items-service.js';
import { ReleaseRouter } from '../constructs/release-router.js';
import { StaticSite } from '../constructs/static-site.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import type { ApiServiceDomain } from '../sprout/service-domain.js';

export interface SpaStackProps extends StackProps {
  config: Config;
}

/**
 * The single-page application: the static site on CloudFront, and the items API (backend-api's
 * service, unchanged) on its own origin, which answers the site's origin, and only it, with CORS.
 * With `releaseRouter` (the default), a Lambda@Edge router serves each viewer a release of the
 * site (progressive rollouts with `sprout rollout`, A/B experiments with `sprout experiment`),
 * from a release document in us-east-1. The API also takes `POST /conversions`, which credits a
 * conversion to the viewer's experiment variants.
 *
 * Lambda@Edge functions live in us-east-1, and CDK's EdgeFunction needs to know the stack's region:
 * through `sprout deploy` it is the stage's region (the router and its bucket then go to an
 * `edge-lambda-stack-…` stack in us-east-1); without an environment (plain `cdk deploy`) a stack
 * with the router is put in us-east-1, in whichever account the credentials belong to. Without
 * the router it stays environment-agnostic.
 */
export class SpaStack extends Stack {
  readonly site: StaticSite;
  readonly service: ItemsService;
  /** POST /conversions on the items API: A/B experiment conversions. */
  readonly conversions: ConversionsEndpoint;
  /** The edge router and its release bucket (absent with releaseRouter false). */
  readonly router?: ReleaseRouter;
  /** The API's base URL as the frontend calls it (its custom domain when it has one). */
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: SpaStackProps) {
    super(scope, id, { ...props, env: props.env ?? (props.config.options.releaseRouter ? { region: 'us-east-1' } : undefined) });
    const { options, resourceName, stage, domain } = props.config;

    if (options.releaseRouter) {
      this.router = new ReleaseRouter(this, 'ReleaseRouter', {
        stage,
        cacheSeconds: options.routerCacheSeconds,
        spaRoutes: options.spaFallback,
        bucketRemovalPolicy: options.bucketRemovalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    }

    // The site needs the API's URL (config.json, the CSP) and the API the site's origin (CORS):
    // the site is created first and reads the API's values lazily, at synth time. In CloudFormation
    // the functions depend on the distribution, and config.json on the API stage: no cycle.
    let apiUrl: string | undefined;
    const api = () => {
      if (!apiUrl) throw new Error('the items API was not added to the stack');
      return apiUrl;
    };
    this.site = new StaticSite(this, 'Site', {
      runtimeConfig: { apiUrl: Lazy.string({ produce: api }) },
      connectSrc: [apiOrigin(this, domain)],
      priceClass: options.priceClass as cloudfront.PriceClass,
      spaFallback: options.spaFallback,
      htmlCacheSeconds: options.htmlCacheSeconds,
      removalPolicy: options.bucketRemovalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      comment: `${resourceName}-${stage} single-page application`,
      // The router on every site behaviour, and its release and experiment headers in their cache
      // keys: two releases, or two variants of an experiment, never share a cached object.
      ...(this.router ? { edgeLambdas: this.router.edgeLambdas, cacheKeyHeaders: [...this.router.cacheKeyHeaders] } : {}),
    });

    this.service = addItemsService(this, {
      options,
      resourceName,
      stage,
      ...(domain ? { domain } : {}),
      corsAllowOrigins: [this.site.url],
    });
    this.conversions = addConversionsEndpoint(this, { api: this.service.api.api, resourceName, stage, corsAllowOrigins: [this.site.url] });
    const customDomain = this.node.tryFindChild('Domain') as ApiServiceDomain | undefined;
    apiUrl = customDomain?.url ?? this.service.api.api.url;
    this.apiUrl = apiUrl;

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The single-page application' });
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the items API (what config.json gives the frontend)' });
    new CfnOutput(this, 'ItemsUrl', { value: this.service.api.api.urlForPath('/items'), description: 'Base URL of the items resource' });
    new CfnOutput(this, 'ConversionsUrl', { value: this.service.api.api.urlForPath('/conversions'), description: 'POST a conversion of an A/B experiment here' });
    new CfnOutput(this, 'ItemsTableName', { value: this.service.store.items.tableName });
    new CfnOutput(this, 'SiteBucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId, description: 'For manual invalidations' });
    if (this.router) {
      // Plain strings (the bucket may be in the us-east-1 edge stack): `sprout release` and
      // `sprout rollout` read them from .sprout/outputs/<stage>.json by these names.
      new CfnOutput(this, 'ReleaseBucketName', { value: this.router.bucketName, description: 'The release document bucket (us-east-1) the edge router reads' });
      new CfnOutput(this, 'ReleaseDocumentKey', { value: this.router.documentKey, description: 'The release document in ReleaseBucketName' });
      new CfnOutput(this, 'ReleaseBucketRegion', { value: this.router.bucketRegion, description: 'The region of ReleaseBucketName' });
      // `sprout deploy` checks that the distribution runs this version and waits until it is deployed everywhere.
      new CfnOutput(this, 'RouterVersionArn', { value: this.router.fn.currentVersion.edgeArn, description: 'The edge router version the distribution associates' });
    }
  }
}

/**
 * The API's origin for the CSP's connect-src. It is built from the RestApi's id, not its URL: the
 * URL names the stage, which depends on the functions, which depend on the distribution.
 */
function apiOrigin(stack: Stack, domain: DeploymentDomain | undefined): string {
  if (domain?.mode === 'subdomain') return `https://${domain.hostName}`;
  if (domain?.mode === 'path') return `https://${domain.domainName}`;
  return `https://${Lazy.string({ produce: () => (stack as SpaStack).service.api.api.restApiId })}.execute-api.${stack.region}.${stack.urlSuffix}`;
}
