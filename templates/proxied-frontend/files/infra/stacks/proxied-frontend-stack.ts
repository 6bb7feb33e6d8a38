import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addItemsService, type ItemsService } from '../constructs/items-service.js';
import { StaticSite } from '../constructs/static-site.js';
import type { ApiServiceDomain } from '../sprout/service-domain.js';

/** Where the UI lives on the distribution (and under which key prefix in the bucket). */
export const UI_BASE_PATH = '/ui/';
/** The API's path on the distribution: what the frontend's config.json calls `apiUrl`. */
export const API_PATH = '/api';

/** The CloudFront Functions' code: plain JavaScript files that CloudFront runs as they are. */
export const EDGE_FUNCTION_FILES = {
  uiRouter: fileURLToPath(new URL('../edge/ui-router.js', import.meta.url)),
  apiRouter: fileURLToPath(new URL('../edge/api-router.js', import.meta.url)),
} as const;

const SPA_FALLBACK_ON = 'var SPA_FALLBACK = true;';

/**
 * The UI router's code as CloudFront runs it: the file, with SPA_FALLBACK set from the
 * spaFallback option (configuration is baked in: CloudFront Functions have no environment).
 */
export function uiRouterCode(spaFallback: boolean): string {
  const source = readFileSync(EDGE_FUNCTION_FILES.uiRouter, 'utf8');
  if (!source.includes(SPA_FALLBACK_ON)) throw new Error(`${EDGE_FUNCTION_FILES.uiRouter} must declare \`${SPA_FALLBACK_ON}\``);
  return spaFallback ? source : source.replace(SPA_FALLBACK_ON, 'var SPA_FALLBACK = false;');
}

export interface ProxiedFrontendStackProps extends StackProps {
  config: Config;
}

/**
 * One CloudFront distribution in front of both the UI and the API. `/ui/*` (and `/`, which
 * redirects there) comes from the private site bucket through origin access control; `/api/*`
 * goes to the items API's stage, uncached. The browser only ever talks to the distribution's
 * host name, so every API call is same-origin: the API has no CORS configuration at all.
 */
export class ProxiedFrontendStack extends Stack {
  readonly service: ItemsService;
  readonly site: StaticSite;
  /** Viewer request on the UI: `/` to `/ui/`, client-side routes to `/ui/index.html`. */
  readonly uiRouter: cloudfront.Function;
  /** Viewer request on `/api/*`: strips `/api`, passes the viewer's IP address on. */
  readonly apiRouter: cloudfront.Function;
  readonly apiOrigin: origins.HttpOrigin;

  constructor(scope: Construct, id: string, props: ProxiedFrontendStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;

    // backend-api's items service, unchanged, and without corsAllowOrigins: no preflight method,
    // no Access-Control-* header on gateway responses, no CORS_ALLOW_ORIGINS in the functions.
    this.service = addItemsService(this, { options, resourceName, stage, ...(domain ? { domain } : {}) });
    const restApi = this.service.api.api;

    this.uiRouter = new cloudfront.Function(this, 'UiRouter', {
      code: cloudfront.FunctionCode.fromInline(uiRouterCode(options.spaFallback)),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Redirects / to /ui/ and answers client-side routes under /ui/ with /ui/index.html',
    });
    this.apiRouter = new cloudfront.Function(this, 'ApiRouter', {
      code: cloudfront.FunctionCode.fromFile({ filePath: EDGE_FUNCTION_FILES.apiRouter }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Strips /api before the request goes to the API stage; passes the viewer IP on',
    });

    this.site = new StaticSite(this, 'Site', {
      // Relative: the API is on the page's own origin.
      runtimeConfig: { apiUrl: API_PATH },
      frontend: { basePath: UI_BASE_PATH },
      // No distribution-wide error pages: they would also turn the API's 403 and 404 into
      // index.html with status 200. The UI router does the SPA fallback, for /ui/ paths only.
      spaFallback: false,
      // Only on the default behaviour: /ui/assets/* are real files and need no routing.
      defaultBehavior: { functionAssociations: [{ function: this.uiRouter, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] },
      priceClass: options.priceClass as cloudfront.PriceClass,
      htmlCacheSeconds: options.htmlCacheSeconds,
      removalPolicy: options.bucketRemovalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      comment: `${resourceName}-${stage}: UI and items API on one origin`,
    });

    // The API stage on its regional execute-api host. CloudFront forwards /api/items; the
    // function makes it /items and the origin path puts the stage in front: /<stage>/items.
    this.apiOrigin = new origins.HttpOrigin(`${restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`, {
      originPath: `/${restApi.deploymentStage.stageName}`,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // CloudFront's default, stated: API Gateway ends an integration after 29 s, so a slow
      // function surfaces as the API's own 504 JSON error, not as a CloudFront timeout page.
      readTimeout: Duration.seconds(30),
    });
    this.site.distribution.addBehavior(`${API_PATH}/*`, this.apiOrigin, {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Every API response is per request: never cached at the edge.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Headers, cookies and query strings as the viewer sent them, except Host: API Gateway
      // routes on its own host name and answers 403 to any other.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.site.responseHeadersPolicy,
      functionAssociations: [{ function: this.apiRouter, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    });

    const siteUrl = this.site.url;
    const customDomain = this.node.tryFindChild('Domain') as ApiServiceDomain | undefined;
    new CfnOutput(this, 'SiteUrl', { value: `${siteUrl}${UI_BASE_PATH}`, description: 'The UI' });
    new CfnOutput(this, 'ApiUrl', { value: `${siteUrl}${API_PATH}`, description: 'The items API through the distribution (what the UI calls, as /api)' });
    new CfnOutput(this, 'ItemsUrl', { value: `${siteUrl}${API_PATH}/items`, description: 'The items resource through the distribution' });
    new CfnOutput(this, 'DirectApiUrl', {
      value: customDomain?.url ?? restApi.url,
      description: "The API's own URL, bypassing CloudFront (for debugging; browsers on the site do not use it)",
    });
    new CfnOutput(this, 'ItemsTableName', { value: this.service.store.items.tableName });
    new CfnOutput(this, 'SiteBucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId, description: 'For manual invalidations' });
  }
}
