import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { DEFAULT_SECURITY_HEADERS } from '../../src/edge/security-headers.js';
import type { Config } from '../config.js';
import { siteEdgeFunction } from '../constructs/edge-function.js';
import { addItemsService, type ItemsService } from '../constructs/items-service.js';
import { acknowledgeBucketDeployment, StaticSite } from '../constructs/static-site.js';
import { UserAuth } from '../constructs/user-auth.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import type { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface SecuredSpaStackProps extends StackProps {
  config: Config;
}

/** The frontend's sign-in route: public (served as index.html), the OAuth callback and sign-out URL. */
export const SIGN_IN_PATH = '/signin';
/** The cookie holding the Cognito ID token, which the viewer-request function checks. */
export const TOKEN_COOKIE = 'id_token';
/** Origin custom headers that tell the origin-request function which origin it is looking at. */
export const ORIGIN_ROLE_HEADER = 'x-sprout-origin-role';
export const SECONDARY_DOMAIN_HEADER = 'x-sprout-secondary-domain';
/** Primary answers on which CloudFront retries the request on the secondary. */
export const FAILOVER_STATUS_CODES = [500, 502, 503, 504, 403, 404];

/**
 * The secured single-page application: the spa pattern's static site and items API, with a
 * Cognito user pool (hosted UI, PKCE) in front of both. The API requires a Cognito (or Lambda)
 * authorizer on every method; three Lambda@Edge functions check the sign-in cookie on viewer
 * request, add security headers on origin response and, with originFailover, steer an origin
 * group of the site bucket and a replica on origin request.
 */
export class SecuredSpaStack extends Stack {
  readonly site: StaticSite;
  readonly auth: UserAuth;
  readonly service: ItemsService;
  readonly secondaryBucket?: s3.Bucket;
  readonly edgeFunctions: Record<'viewerAuth' | 'securityHeaders', cloudfront.experimental.EdgeFunction> & { originFailover?: cloudfront.experimental.EdgeFunction };
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: SecuredSpaStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;
    if (Token.isUnresolved(this.region)) throw new Error('The stack needs an explicit region: Lambda@Edge functions are created in us-east-1, from it or beside it.');

    // Lambda@Edge: no environment variables, so every setting is a constant known now (synth time).
    const viewerAuth = siteEdgeFunction(this, 'ViewerAuth', {
      handler: 'viewer-auth',
      eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
      description: 'Viewer request: requires a valid Cognito ID token cookie, else redirects to sign-in',
      settings: {
        region: this.region,
        cookieName: TOKEN_COOKIE,
        signInPath: SIGN_IN_PATH,
        configPath: '/config.json',
        publicPaths: ['/assets/', '/favicon.ico'],
        configTtlSeconds: 300,
      },
    });
    const securityHeaders = siteEdgeFunction(this, 'SecurityHeaders', {
      handler: 'security-headers',
      eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
      description: 'Origin response: security headers, S3 headers removed',
      settings: DEFAULT_SECURITY_HEADERS,
    });
    const failover = options.originFailover
      ? siteEdgeFunction(this, 'OriginFailover', {
          handler: 'origin-failover',
          eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
          description: 'Origin request: sends requests straight to the secondary bucket while the primary keeps failing',
          settings: { roleHeader: ORIGIN_ROLE_HEADER, secondaryHeader: SECONDARY_DOMAIN_HEADER, threshold: 3, windowSeconds: 10, cooldownSeconds: 30 },
        })
      : undefined;
    this.edgeFunctions = { viewerAuth: viewerAuth.fn, securityHeaders: securityHeaders.fn, ...(failover ? { originFailover: failover.fn } : {}) };

    // The site needs values of resources created after it (the API's URL, the user pool and client
    // ids for config.json): they are read lazily, at synth time. No CloudFormation cycle: the
    // client depends on the distribution (callback URL), config.json on everything.
    let apiUrl: string | undefined;
    let auth: UserAuth | undefined;
    const later = (what: string, value: () => string | undefined) =>
      Lazy.string({
        produce: () => {
          const produced = value();
          if (!produced) throw new Error(`${what} was not added to the stack`);
          return produced;
        },
      });
    const removalPolicy = options.bucketRemovalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const signInUrl = later('the user pool', () => auth?.signInUrl);
    let secondary: s3.Bucket | undefined;

    this.site = new StaticSite(this, 'Site', {
      runtimeConfig: {
        apiUrl: later('the items API', () => apiUrl),
        region: this.region,
        userPoolId: later('the user pool', () => auth?.userPool.userPoolId),
        clientId: later('the user pool client', () => auth?.client.userPoolClientId),
        signInUrl,
        signInPath: SIGN_IN_PATH,
        tokenCookie: TOKEN_COOKIE,
      },
      // fetch() goes to the API and to the hosted UI's token endpoint.
      connectSrc: [apiOrigin(this, domain), signInUrl],
      priceClass: options.priceClass as cloudfront.PriceClass,
      spaFallback: options.spaFallback,
      htmlCacheSeconds: options.htmlCacheSeconds,
      removalPolicy,
      comment: `${resourceName}-${stage} secured single-page application`,
      ...(failover
        ? {
            origin: (primaryBucket: s3.Bucket) => {
              // The replica: same settings as the site bucket, access logs in the site's log bucket.
              const logBucket = (primaryBucket.node.scope as StaticSite).logBucket;
              secondary = new s3.Bucket(this, 'SecondaryBucket', {
                blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
                encryption: s3.BucketEncryption.S3_MANAGED,
                enforceSSL: true,
                objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                serverAccessLogsBucket: logBucket,
                serverAccessLogsPrefix: 'secondary-bucket/',
                removalPolicy,
                autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
              });
              return new origins.OriginGroup({
                primaryOrigin: origins.S3BucketOrigin.withOriginAccessControl(primaryBucket, {
                  customHeaders: { [ORIGIN_ROLE_HEADER]: 'primary', [SECONDARY_DOMAIN_HEADER]: secondary.bucketRegionalDomainName },
                }),
                fallbackOrigin: origins.S3BucketOrigin.withOriginAccessControl(secondary, { customHeaders: { [ORIGIN_ROLE_HEADER]: 'secondary' } }),
                fallbackStatusCodes: FAILOVER_STATUS_CODES,
              });
            },
          }
        : {}),
      // Origin triggers on every site behaviour; the sign-in check on the default one only: the
      // hashed bundles under /assets/ are public code, so they skip a function call.
      edgeLambdas: [securityHeaders.edgeLambda, ...(failover ? [failover.edgeLambda] : [])],
      defaultBehavior: { edgeLambdas: [viewerAuth.edgeLambda, securityHeaders.edgeLambda, ...(failover ? [failover.edgeLambda] : [])] },
    });
    this.secondaryBucket = secondary;

    this.auth = auth = new UserAuth(this, 'Auth', {
      resourceName,
      stage,
      siteUrl: this.site.url,
      signInPath: SIGN_IN_PATH,
      accessTokenMinutes: options.accessTokenMinutes,
    });

    const authorizer = options.authorizer === 'lambda' ? this.lambdaAuthorizer(resourceName) : new apigw.CognitoUserPoolsAuthorizer(this, 'ApiAuthorizer', { cognitoUserPools: [auth.userPool], resultsCacheTtl: Duration.minutes(5) });

    this.service = addItemsService(this, {
      options,
      resourceName,
      stage,
      ...(domain ? { domain } : {}),
      authorizer,
      corsAllowOrigins: [this.site.url],
    });
    if (options.authorizer === 'lambda') {
      Validations.of(this.service.api.api).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'authorizer=lambda: every method uses a TOKEN Lambda authorizer that verifies the same Cognito user pool ID token (src/functions/authorizer.ts), by choice, to allow custom rules; with authorizer=cognito the Cognito user pool authorizer is used.',
      });
    }
    const customDomain = this.node.tryFindChild('Domain') as ApiServiceDomain | undefined;
    this.apiUrl = apiUrl = customDomain?.url ?? this.service.api.api.url;

    if (secondary) {
      // The replica gets the same build and config.json as the primary, in the same deployment
      // handler (memoryLimit 512, as StaticSite's). Old bundles are kept, as on the primary.
      const replica = new s3deploy.BucketDeployment(this, 'DeploySecondary', {
        sources: [this.site.siteSource, this.site.configSource],
        destinationBucket: secondary,
        prune: false,
        memoryLimit: 512,
      });
      replica.node.addDependency(this.site.assetsDeployment);
      acknowledgeBucketDeployment(replica, [secondary], this.site.siteAsset.bucket);
    }

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The single-page application (sign in at /signin)' });
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the items API (what config.json gives the frontend)' });
    new CfnOutput(this, 'ItemsUrl', { value: this.service.api.api.urlForPath('/items'), description: 'Base URL of the items resource' });
    new CfnOutput(this, 'ItemsTableName', { value: this.service.store.items.tableName });
    new CfnOutput(this, 'SiteBucketName', { value: this.site.bucket.bucketName });
    if (secondary) new CfnOutput(this, 'SecondaryBucketName', { value: secondary.bucketName, description: 'The replica the origin group fails over to' });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId, description: 'For manual invalidations' });
    new CfnOutput(this, 'UserPoolId', { value: auth.userPool.userPoolId, description: 'Create users with: aws cognito-idp admin-create-user --user-pool-id <this> --username <email>' });
    new CfnOutput(this, 'UserPoolClientId', { value: auth.client.userPoolClientId });
    new CfnOutput(this, 'SignInUrl', { value: auth.signInUrl, description: 'The Cognito hosted UI' });
  }

  /** A TOKEN authorizer running src/functions/authorizer.ts, which verifies the Cognito ID token. */
  private lambdaAuthorizer(resourceName: string): apigw.IAuthorizer {
    const auth = this.auth;
    const fn = new SproutFunction(this, 'Authorizer', {
      entry: 'authorizer',
      description: 'API authorizer: verifies the Cognito ID token',
      serviceName: resourceName,
      timeout: Duration.seconds(5),
      environment: { USER_POOL_ID: auth.userPool.userPoolId, CLIENT_ID: auth.client.userPoolClientId },
    });
    return new apigw.TokenAuthorizer(this, 'ApiAuthorizer', {
      handler: fn.function,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // A JWT, optionally after "Bearer ": anything else is refused before the function runs.
      validationRegex: '^(Bearer )?[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$',
      resultsCacheTtl: Duration.minutes(5),
    });
  }
}

/**
 * The API's origin for the CSP's connect-src. It is built from the RestApi's id, not its URL: the
 * URL names the stage, which depends on the functions, which depend on the distribution.
 */
function apiOrigin(stack: Stack, domain: DeploymentDomain | undefined): string {
  if (domain?.mode === 'subdomain') return `https://${domain.hostName}`;
  if (domain?.mode === 'path') return `https://${domain.domainName}`;
  return `https://${Lazy.string({ produce: () => (stack as SecuredSpaStack).service.api.api.restApiId })}.execute-api.${stack.region}.${stack.urlSuffix}`;
}
