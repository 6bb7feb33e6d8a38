import type { CloudFrontEvent, CloudFrontHeaders, CloudFrontRequest, EventType } from '../../../src/runtime/edge-router/cloudfront.js';

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

/** An origin request to the S3 site bucket, as CloudFront sends it for an origin with origin access control. */
export function originRequest(uri: string, headers: CloudFrontHeaders = {}): CloudFrontEvent {
  const req = request(uri, headers);
  req.origin = { s3: { authMethod: 'none', customHeaders: {}, domainName: 'shop-site.s3.eu-west-1.amazonaws.com', path: '', region: 'eu-west-1' } };
  return { Records: [{ cf: { config: config('origin-request'), request: req } }] };
}

export function originResponse(status: string, headers: CloudFrontHeaders = {}): CloudFrontEvent {
  return { Records: [{ cf: { config: config('origin-response'), request: request('/index.html', headers), response: { status, statusDescription: 'x', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/html' }] } } } }] };
}

export function viewerResponse(requestHeaders: CloudFrontHeaders = {}, responseHeaders: CloudFrontHeaders = {}): CloudFrontEvent {
  return { Records: [{ cf: { config: config('viewer-response'), request: request('/index.html', requestHeaders), response: { status: '200', statusDescription: 'OK', headers: responseHeaders } } }] };
}
