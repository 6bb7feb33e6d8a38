// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The parts of CloudFront's Lambda@Edge events the router reads and writes, as the CloudFront
 * developer guide documents them ("Lambda@Edge event structure"). Written here rather than taken
 * from @types/aws-lambda: the router ships into projects with no dependency.
 */

/** Lower-case header name → entries (a header may repeat, such as cookie). */
export type CloudFrontHeaders = Record<string, Array<{ key?: string; value: string }>>;

export interface CloudFrontOrigin {
  s3?: { domainName: string; path: string; authMethod?: string; region?: string; customHeaders: CloudFrontHeaders };
  custom?: {
    domainName: string;
    path: string;
    port: number;
    protocol: 'http' | 'https';
    sslProtocols: string[];
    readTimeout: number;
    keepaliveTimeout: number;
    customHeaders: CloudFrontHeaders;
  };
}

export interface CloudFrontRequest {
  clientIp: string;
  headers: CloudFrontHeaders;
  method: string;
  querystring: string;
  uri: string;
  origin?: CloudFrontOrigin;
}

export interface CloudFrontResponse {
  /** A string, such as "200". */
  status: string;
  statusDescription?: string;
  headers: CloudFrontHeaders;
}

export type EventType = 'viewer-request' | 'origin-request' | 'origin-response' | 'viewer-response';

export interface CloudFrontEvent {
  Records: Array<{
    cf: {
      config: { distributionDomainName: string; distributionId: string; eventType: EventType; requestId: string };
      request: CloudFrontRequest;
      response?: CloudFrontResponse;
    };
  }>;
}

/** The first value of a header, or undefined. */
export function headerValue(headers: CloudFrontHeaders, name: string): string | undefined {
  return headers[name]?.[0]?.value;
}

export function setHeader(headers: CloudFrontHeaders, key: string, value: string): void {
  headers[key.toLowerCase()] = [{ key, value }];
}
