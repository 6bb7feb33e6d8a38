import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { PriceClass } from '../config.js';

/** The query strings GET /items reads (src/functions/list-items.ts): the whole cache key besides the path. */
export const LIST_QUERY_STRINGS = ['limit', 'cursor'] as const;

/**
 * What the items API reads from a request beyond the path and those query strings: Content-Type
 * (API Gateway picks the request model by it), Idempotency-Key (POST /items), and the viewer's
 * address for the feature flags' targeting key (src/lib/flag-client.ts). Never part of the cache key.
 */
export const ITEMS_FORWARDED_HEADERS = ['Content-Type', 'Idempotency-Key', 'CloudFront-Viewer-Address'] as const;

export interface ApiDistributionProps {
  api: apigw.RestApi;
  /** The origin-verify header CloudFront adds to every request it sends to the API. */
  originHeader: { name: string; value: string };
  /** Default TTL of GET responses; 0 turns caching off. */
  cacheTtlSeconds: number;
  priceClass: PriceClass;
  comment: string;
  /** A custom domain: the certificate must be in us-east-1, the zone is the host name's own. */
  domain?: { hostName: string; certificate: acm.ICertificate; zone: route53.IHostedZone };
}

/**
 * The CloudFront distribution in front of the Regional API.
 *
 * CloudFront chooses a cache behavior by path only, never by method, so reads and writes of
 * /items share one behavior: its cache policy decides what GET and HEAD responses are cached
 * under, and CloudFront never caches a POST, PUT, PATCH or DELETE, which it sends straight to the
 * API with the headers of the origin request policy. Every other path is not cached at all.
 */
export class ApiDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly itemsCachePolicy: cloudfront.ICachePolicy;
  readonly itemsOriginRequestPolicy: cloudfront.OriginRequestPolicy;

  constructor(scope: Construct, id: string, props: ApiDistributionProps) {
    super(scope, id);
    const caching = props.cacheTtlSeconds > 0;

    // The API's execute-api host name over HTTPS (TLS 1.2), with the stage as the origin path:
    // /items here is /<stage>/items there. CloudFront sends the API's own Host header (never the
    // viewer's, which API Gateway would refuse) and adds the origin-verify header, replacing any
    // copy a viewer sent.
    const origin = new origins.RestApiOrigin(props.api, {
      customHeaders: { [props.originHeader.name]: props.originHeader.value },
      // API Gateway gives up after 29 s; CloudFront waits a little longer, so the API's 504 is what the caller sees.
      readTimeout: Duration.seconds(30),
    });

    this.itemsCachePolicy = caching
      ? new cloudfront.CachePolicy(this, 'ItemsCachePolicy', {
          comment: 'GET /items and /items/{id}: path plus limit and cursor, no headers, no cookies',
          // The API sends no Cache-Control header, so defaultTtl is what applies; a Cache-Control
          // the API sends one day may lower it (no-store included) or raise it up to maxTtl.
          defaultTtl: Duration.seconds(props.cacheTtlSeconds),
          minTtl: Duration.seconds(0),
          maxTtl: Duration.seconds(Math.max(props.cacheTtlSeconds, 86_400)),
          queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(...LIST_QUERY_STRINGS),
          headerBehavior: cloudfront.CacheHeaderBehavior.none(),
          cookieBehavior: cloudfront.CacheCookieBehavior.none(),
          // Compressed copies are cached apart from plain ones, and CloudFront compresses the JSON itself.
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        })
      : cloudfront.CachePolicy.CACHING_DISABLED;

    this.itemsOriginRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'ItemsOriginRequestPolicy', {
      comment: 'Items API: Content-Type, Idempotency-Key and the viewer address, outside the cache key',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...ITEMS_FORWARDED_HEADERS),
      // With caching on, the cache key already forwards limit and cursor; without, this does.
      queryStringBehavior: caching
        ? cloudfront.OriginRequestQueryStringBehavior.none()
        : cloudfront.OriginRequestQueryStringBehavior.allowList(...LIST_QUERY_STRINGS),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });

    const common = {
      origin,
      // An API answers HTTPS only: a redirect would turn a POST into a GET in some clients.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment.slice(0, 128),
      priceClass: cloudfront.PriceClass[props.priceClass === 'PriceClass_All' ? 'PRICE_CLASS_ALL' : props.priceClass === 'PriceClass_200' ? 'PRICE_CLASS_200' : 'PRICE_CLASS_100'],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.domain
        ? {
            domainNames: [props.domain.hostName],
            certificate: props.domain.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      // Anything outside /items: never cached, every viewer header but Host forwarded.
      defaultBehavior: {
        ...common,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // CloudFront only compresses what a cache policy lets it cache.
        compress: false,
      },
      additionalBehaviors: {
        '/items*': {
          ...common,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.itemsCachePolicy,
          originRequestPolicy: this.itemsOriginRequestPolicy,
          compress: caching,
        },
      },
    });

    const acknowledge = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'The API serves clients wherever they are; restricting countries is a business decision (add geoRestriction to the distribution when there is one).',
    );
    acknowledge(
      'AwsSolutions-CFR2',
      'No AWS WAF web ACL by default: it costs at least USD 5 a month plus USD 1 per rule and USD 0.60 per million requests, and a CloudFront web ACL must be created in us-east-1. Stage throttling limits the API meanwhile; the README shows how to attach a web ACL with rate-based and managed rules.',
    );
    acknowledge(
      'AwsSolutions-CFR3',
      'Every request that reaches the API (each cache miss and every write) is in the API Gateway access log, and CloudFront publishes request and error-rate metrics for free. Standard logs need an ACL-enabled S3 bucket that outlives the distribution by the hours of late log deliveries; the README shows how to turn them on.',
    );
    if (!props.domain) {
      acknowledge(
        'AwsSolutions-CFR4',
        'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose minimum TLS version CloudFront fixes and nobody can raise; with a domain (sprout deploy with a domain section) the distribution requires TLS 1.2 (TLSv1.2_2021).',
      );
    }

    if (props.domain) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasA', { zone: props.domain.zone, target });
      new route53.AaaaRecord(this, 'AliasAaaa', { zone: props.domain.zone, target });
    }
  }
}
