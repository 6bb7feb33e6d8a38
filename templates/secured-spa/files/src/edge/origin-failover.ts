// Lambda@Edge, origin request: enhanced origin failover for the origin group (primary site
// bucket, secondary replica bucket). CloudFront's origin group already retries a request once on
// the secondary when the primary answers 5xx/403/404 or cannot be reached; it then invokes this
// function a second time, for the secondary. This function turns those retries into a circuit
// breaker: after `threshold` retries within `windowSeconds`, it sends new requests straight to the
// secondary for `cooldownSeconds` (rewriting the S3 origin), instead of letting each one wait for
// the failing primary first; then the primary gets traffic again.
//
// The state lives in the memory of one function instance in one edge region: it is a local
// shortcut, not a global health check. Which origin is which comes from custom headers that the
// distribution sets on each origin (values resolved at deploy time, such as the secondary bucket's
// domain); they are removed before the request reaches S3. Thresholds are baked in by esbuild.
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import { headerValue } from './cloudfront.js';

export interface OriginFailoverSettings {
  /** Origin custom header naming the origin's role: 'primary' or 'secondary'. */
  roleHeader: string;
  /** Origin custom header (on the primary) holding the secondary bucket's regional domain name. */
  secondaryHeader: string;
  threshold: number;
  windowSeconds: number;
  cooldownSeconds: number;
}

export function createOriginFailover(settings: OriginFailoverSettings, clock: () => number = Date.now) {
  let retries: number[] = [];
  let openUntil = 0;

  const handler = async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
    const { request } = event.Records[0]!.cf;
    const s3 = request.origin?.s3;
    if (!s3) return request;
    const role = headerValue(s3.customHeaders, settings.roleHeader);
    const secondary = headerValue(s3.customHeaders, settings.secondaryHeader);
    delete s3.customHeaders[settings.roleHeader];
    delete s3.customHeaders[settings.secondaryHeader];
    const now = clock();

    if (role === 'secondary') {
      // CloudFront is retrying: the primary just failed this request.
      retries = [...retries.filter((at) => now - at < settings.windowSeconds * 1000), now];
      if (retries.length >= settings.threshold) {
        openUntil = now + settings.cooldownSeconds * 1000;
        retries = [];
      }
      return request;
    }
    if (role === 'primary' && secondary && now < openUntil) {
      s3.domainName = secondary;
      request.headers.host = [{ key: 'Host', value: secondary }];
    }
    return request;
  };
  return Object.assign(handler, { isOpen: () => clock() < openUntil });
}

declare const SPROUT_ORIGIN_FAILOVER: OriginFailoverSettings | undefined;

export const handler = createOriginFailover(
  typeof SPROUT_ORIGIN_FAILOVER === 'undefined'
    ? { roleHeader: 'x-sprout-origin-role', secondaryHeader: 'x-sprout-secondary-domain', threshold: 3, windowSeconds: 10, cooldownSeconds: 30 }
    : SPROUT_ORIGIN_FAILOVER,
);
