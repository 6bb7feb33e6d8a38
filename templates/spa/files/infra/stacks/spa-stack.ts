import { CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addItemsService, type ItemsService } from '../constructs/items-service.js';
import { StaticSite } from '../constructs/static-site.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import type { ApiServiceDomain } from '../sprout/service-domain.js';

export interface SpaStackProps extends StackProps {
  config: Config;
}

/**
 * The single-page application: the static site on CloudFront, and the items API (backend-api's
 * service, unchanged) on its own origin, which answers the site's origin, and only it, with CORS.
 */
export class SpaStack extends Stack {
  readonly site: StaticSite;
  readonly service: ItemsService;
  /** The API's base URL as the frontend calls it (its custom domain when it has one). */
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: SpaStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;

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
    });

    this.service = addItemsService(this, {
      options,
      resourceName,
      stage,
      ...(domain ? { domain } : {}),
      corsAllowOrigins: [this.site.url],
    });
    const customDomain = this.node.tryFindChild('Domain') as ApiServiceDomain | undefined;
    apiUrl = customDomain?.url ?? this.service.api.api.url;
    this.apiUrl = apiUrl;

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The single-page application' });
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the items API (what config.json gives the frontend)' });
    new CfnOutput(this, 'ItemsUrl', { value: this.service.api.api.urlForPath('/items'), description: 'Base URL of the items resource' });
    new CfnOutput(this, 'ItemsTableName', { value: this.service.store.items.tableName });
    new CfnOutput(this, 'SiteBucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId, description: 'For manual invalidations' });
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
