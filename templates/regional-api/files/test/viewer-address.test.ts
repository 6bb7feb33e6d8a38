import { describe, expect, it } from 'vitest';
import { callerContext, viewerIp } from '../src/lib/flag-client.js';
import { apiEvent } from './helpers/api-event.js';

// Behind CloudFront, API Gateway's source IP is a CloudFront server's: the flags' targeting key
// (src/lib/flag-client.ts) is the viewer's address from CloudFront-Viewer-Address instead.
const CLOUDFRONT_SERVER = '130.176.10.20';

describe('the caller behind CloudFront', () => {
  it.each([
    ['an IPv4 viewer', '198.51.100.10:46532', '198.51.100.10'],
    ['an IPv6 viewer', '2001:db8:85a3::8a2e:370:7334:443', '2001:db8:85a3::8a2e:370:7334'],
  ])('is %s, from CloudFront-Viewer-Address without its port', (_, header, ip) => {
    const event = apiEvent('POST', '/items', { headers: { 'CloudFront-Viewer-Address': header }, sourceIp: CLOUDFRONT_SERVER });
    expect(viewerIp(event)).toBe(ip);
    expect(callerContext(event, 'createItem')).toEqual({ targetingKey: ip, operation: 'createItem' });
  });

  it('reads the header in any letter case (HTTP/2 sends it lower-case)', () => {
    const event = apiEvent('POST', '/items', { headers: { 'cloudfront-viewer-address': '203.0.113.9:1234' }, sourceIp: CLOUDFRONT_SERVER });
    expect(viewerIp(event)).toBe('203.0.113.9');
  });

  it('falls back to API Gateway\'s source IP without the header, or with one that has no port', () => {
    expect(viewerIp(apiEvent('POST', '/items', { sourceIp: '192.0.2.10' }))).toBe('192.0.2.10');
    expect(viewerIp(apiEvent('POST', '/items', { headers: { 'CloudFront-Viewer-Address': 'garbage' }, sourceIp: '192.0.2.10' }))).toBe('192.0.2.10');
  });
});
