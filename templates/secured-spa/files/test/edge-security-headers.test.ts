import { describe, expect, it } from 'vitest';
import { createSecurityHeaders, DEFAULT_SECURITY_HEADERS } from '../src/edge/security-headers.js';
import { originResponseEvent, s3Origin } from './helpers/cloudfront-events.js';

const handler = createSecurityHeaders(DEFAULT_SECURITY_HEADERS);

describe('origin-response: security headers', () => {
  it("sets every security header on S3's answer, replacing a weaker one, keyed the way CloudFront keys headers", async () => {
    const event = originResponseEvent({
      uri: '/index.html',
      origin: s3Origin('site.s3.eu-west-1.amazonaws.com'),
      responseHeaders: { 'Content-Type': 'text/html', 'X-Frame-Options': 'SAMEORIGIN', ETag: '"abc"' },
    });
    const response = await handler(event);
    expect(response.headers['strict-transport-security']).toEqual([{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }]);
    expect(response.headers['x-frame-options']).toEqual([{ key: 'X-Frame-Options', value: 'DENY' }]);
    for (const name of ['x-content-type-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'x-permitted-cross-domain-policies']) {
      expect(response.headers[name], name).toHaveLength(1);
    }
    expect(response.headers['content-type']).toEqual([{ key: 'Content-Type', value: 'text/html' }]);
    expect(response.headers.etag).toEqual([{ key: 'ETag', value: '"abc"' }]);
    expect(response.status).toBe('200');
  });

  it("removes what S3 says about itself (server, x-amz-*)", async () => {
    const response = await handler(
      originResponseEvent({
        responseHeaders: { Server: 'AmazonS3', 'x-amz-server-side-encryption': 'AES256', 'x-amz-version-id': 'null', 'x-amz-id-2': 'abc', 'Last-Modified': 'Tue, 01 Jan 2030 00:00:00 GMT' },
      }),
    );
    expect(Object.keys(response.headers).filter((name) => name === 'server' || name.startsWith('x-amz-'))).toEqual([]);
    expect(response.headers['last-modified']).toBeDefined();
  });

  it('also runs on error answers (an origin-response trigger sees 4xx/5xx), keeping the status', async () => {
    const response = await handler(originResponseEvent({ status: '403', responseHeaders: { 'Content-Type': 'application/xml' } }));
    expect(response.status).toBe('403');
    expect(response.headers['x-content-type-options']).toEqual([{ key: 'X-Content-Type-Options', value: 'nosniff' }]);
  });
});
