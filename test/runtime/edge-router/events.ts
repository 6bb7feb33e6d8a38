import type { CloudFrontEvent, CloudFrontHeaders, CloudFrontOrigin, CloudFrontRequest, EventType } from '../../../src/runtime/edge-router/cloudfront.js';
import type { ReleaseDocument, RolloutState } from '../../../src/runtime/edge-router/release-document.js';

// CloudFront events shaped as the developer guide documents them ("Lambda@Edge event structure").

const config = (eventType: EventType) => ({ distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==' });

function request(uri: string, headers: CloudFrontHeaders): CloudFrontRequest {
  return { clientIp: '203.0.113.178', headers: { host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }], 'user-agent': [{ key: 'User-Agent', value: 'curl/8.5.0' }], ...headers }, method: 'GET', querystring: '', uri };
}

export function cookieHeader(...values: string[]): CloudFrontHeaders {
  return { cookie: values.map((value) => ({ key: 'Cookie', value })) };
}

export function viewerRequest(uri = '/index.html', headers: CloudFrontHeaders = {}): CloudFrontEvent {
  return { Records: [{ cf: { config: config('viewer-request'), request: request(uri, headers) } }] };
}

/** The site bucket, as CloudFront describes an S3 origin with origin access control. */
export const S3_ORIGIN: CloudFrontOrigin = { s3: { authMethod: 'none', customHeaders: {}, domainName: 'shop-site.s3.eu-west-1.amazonaws.com', path: '', region: 'eu-west-1' } };
/** An API behind a custom origin, with a stage path and an origin-verify header. */
export const API_ORIGIN: CloudFrontOrigin = {
  custom: { customHeaders: { 'x-origin-verify': [{ key: 'X-Origin-Verify', value: 's3cr3t' }] }, domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', keepaliveTimeout: 5, path: '/prod', port: 443, protocol: 'https', readTimeout: 20, sslProtocols: ['TLSv1.2'] },
};

export function originRequest(uri: string, headers: CloudFrontHeaders = {}, origin: CloudFrontOrigin = S3_ORIGIN): CloudFrontEvent {
  const req = request(uri, headers);
  req.origin = structuredClone(origin);
  return { Records: [{ cf: { config: config('origin-request'), request: req } }] };
}

export function originResponse(status: string, headers: CloudFrontHeaders = {}): CloudFrontEvent {
  return { Records: [{ cf: { config: config('origin-response'), request: request('/index.html', headers), response: { status, statusDescription: 'x', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/html' }] } } } }] };
}

export function viewerResponse(requestHeaders: CloudFrontHeaders = {}, responseHeaders: CloudFrontHeaders = {}): CloudFrontEvent {
  return { Records: [{ cf: { config: config('viewer-response'), request: request('/index.html', requestHeaders), response: { status: '200', statusDescription: 'OK', headers: responseHeaders } } }] };
}

export const A = 'r-aaaaaaaaaaaa';
export const B = 'r-bbbbbbbbbbbb';

/** A valid release document: A stable, B the candidate at `weight` percent (weight 0: no rollout). */
export function releaseDocument(options: { weight?: number; state?: RolloutState; stage?: string; salt?: string; origin?: string } = {}): ReleaseDocument {
  const { weight = 10, state = 'running', stage = 'prod', salt = 'salt1' } = options;
  const release = (id: string) => ({ id, createdAt: '2026-11-26T10:00:00.000Z', createdBy: 'alice', files: 3, bytes: 1200 });
  const steps = weight === 100 ? [100] : [weight, 100];
  return {
    schema: 1,
    stage,
    revision: 3,
    stable: A,
    releases: [release(A), { ...release(B), ...(options.origin ? { origin: options.origin } : {}) }],
    rollout: weight === 0 ? null : { candidate: B, salt, state, steps, step: 0, startedAt: '2026-11-26T10:00:00.000Z', stepStartedAt: '2026-11-26T10:00:00.000Z', intervalSeconds: 600, gates: { maxErrorRate: 0.01, minRequests: 500, alarms: [] } },
    history: [],
  };
}
