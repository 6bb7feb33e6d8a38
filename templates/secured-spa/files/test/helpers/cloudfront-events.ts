// Lambda@Edge events shaped exactly like AWS's documented ones (CloudFront developer guide,
// "Lambda@Edge event structure"): Records[0].cf.config, cf.request (lower-case header names →
// [{ key, value }]; origin on origin events), cf.response on response events. Typed with
// @types/aws-lambda, so a missing or misspelled field fails the type check.
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResponse, CloudFrontResponseEvent, CloudFrontS3Origin } from 'aws-lambda';

export const DISTRIBUTION = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' };

/** Headers as CloudFront passes them: the key lower-cased, the original spelling kept in `key`. */
export function cfHeaders(headers: Record<string, string | string[]>): CloudFrontHeaders {
  const result: CloudFrontHeaders = {};
  for (const [key, value] of Object.entries(headers)) result[key.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }));
  return result;
}

interface RequestParts {
  uri?: string;
  querystring?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
}

function request({ uri = '/', querystring = '', method = 'GET', headers = {} }: RequestParts): CloudFrontRequest {
  return {
    clientIp: '203.0.113.178',
    headers: cfHeaders({ Host: DISTRIBUTION.distributionDomainName, 'User-Agent': 'Amazon CloudFront', ...headers }),
    method,
    querystring,
    uri,
  };
}

export function viewerRequestEvent(parts: RequestParts = {}): CloudFrontRequestEvent {
  return { Records: [{ cf: { config: { ...DISTRIBUTION, eventType: 'viewer-request', requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==' }, request: request(parts) } }] };
}

/**
 * An S3 origin as the origin events carry it: the documented shape of a bucket CloudFront signs
 * requests to (authMethod and region), custom headers being the origin's, from the distribution.
 */
export function s3Origin(domainName: string, customHeaders: Record<string, string> = {}): { s3: CloudFrontS3Origin } {
  return { s3: { authMethod: 'origin-access-identity', customHeaders: cfHeaders(customHeaders), domainName, path: '', region: 'eu-west-1' } };
}

export function originRequestEvent(parts: RequestParts & { origin: { s3: CloudFrontS3Origin } }): CloudFrontRequestEvent {
  return {
    Records: [
      {
        cf: {
          config: { ...DISTRIBUTION, eventType: 'origin-request', requestId: 'e9iDhrzaZ7s_VxX0cL5hNQrjE6UD1b8_QTzeWZYwgUUx0YOp6NHJbg==' },
          request: { ...request({ ...parts, headers: { 'X-Forwarded-For': '203.0.113.178', Via: '2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)', ...parts.headers } }), origin: parts.origin },
        },
      },
    ],
  };
}

export function originResponseEvent(parts: RequestParts & { status?: string; responseHeaders?: Record<string, string | string[]>; origin?: { s3: CloudFrontS3Origin } }): CloudFrontResponseEvent {
  const response: CloudFrontResponse = {
    status: parts.status ?? '200',
    statusDescription: parts.status && parts.status !== '200' ? 'Error' : 'OK',
    headers: cfHeaders(parts.responseHeaders ?? {}),
  };
  return {
    Records: [
      {
        cf: {
          config: { ...DISTRIBUTION, eventType: 'origin-response', requestId: 'xGN7KWpVEmB9Dp7ctcVFQC4E-nrcOcEKS3QyAez--06dV7TEXAMPLE==' },
          request: { ...request(parts), ...(parts.origin ? { origin: parts.origin } : {}) },
          response,
        },
      },
    ],
  };
}
