import type { CloudFrontRequest } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createOriginFailover, type OriginFailoverSettings } from '../src/edge/origin-failover.js';
import { originRequestEvent, s3Origin } from './helpers/cloudfront-events.js';

const settings: OriginFailoverSettings = { roleHeader: 'x-sprout-origin-role', secondaryHeader: 'x-sprout-secondary-domain', threshold: 3, windowSeconds: 10, cooldownSeconds: 30 };
const PRIMARY = 'site-bucket.s3.eu-west-1.amazonaws.com';
const SECONDARY = 'secondary-bucket.s3.eu-west-1.amazonaws.com';

// What the distribution's origin group sends: the primary origin with its custom headers, then
// (when the primary fails) the same request for the secondary origin.
const onPrimary = (uri = '/index.html') =>
  originRequestEvent({ uri, headers: { Host: PRIMARY }, origin: s3Origin(PRIMARY, { 'x-sprout-origin-role': 'primary', 'x-sprout-secondary-domain': SECONDARY }) });
const onSecondary = (uri = '/index.html') => originRequestEvent({ uri, headers: { Host: SECONDARY }, origin: s3Origin(SECONDARY, { 'x-sprout-origin-role': 'secondary' }) });
const target = (request: CloudFrontRequest) => ({ domain: request.origin?.s3?.domainName, host: request.headers.host?.[0]?.value });

describe('origin-request: enhanced origin failover', () => {
  it('leaves a request to a healthy primary on the primary, without the marker headers', async () => {
    const handler = createOriginFailover(settings);
    const request = (await handler(onPrimary())) as CloudFrontRequest;
    expect(target(request)).toEqual({ domain: PRIMARY, host: PRIMARY });
    expect(request.origin?.s3?.customHeaders).toEqual({});
  });

  it("lets CloudFront's retry go to the secondary", async () => {
    const handler = createOriginFailover(settings);
    expect(target((await handler(onSecondary())) as CloudFrontRequest)).toEqual({ domain: SECONDARY, host: SECONDARY });
  });

  it('after `threshold` retries within the window, sends new requests straight to the secondary for the cooldown', async () => {
    let now = 0;
    const handler = createOriginFailover(settings, () => now);
    for (let i = 0; i < 3; i++) {
      now += 1000;
      await handler(onSecondary());
    }
    expect(handler.isOpen()).toBe(true);
    now += 5000;
    const request = (await handler(onPrimary('/assets/main.js'))) as CloudFrontRequest;
    expect(target(request)).toEqual({ domain: SECONDARY, host: SECONDARY });
    expect(request.uri).toBe('/assets/main.js');
    expect(request.origin?.s3?.customHeaders).toEqual({});

    // After the cooldown the primary gets traffic again.
    now += 30_000;
    expect(target((await handler(onPrimary())) as CloudFrontRequest)).toEqual({ domain: PRIMARY, host: PRIMARY });
  });

  it('does not trip on retries spread wider than the window', async () => {
    let now = 0;
    const handler = createOriginFailover(settings, () => now);
    for (let i = 0; i < 5; i++) {
      now += 6000;
      await handler(onSecondary());
    }
    expect(handler.isOpen()).toBe(false);
    expect(target((await handler(onPrimary())) as CloudFrontRequest).domain).toBe(PRIMARY);
  });

  it('leaves requests for other origins alone', async () => {
    const handler = createOriginFailover(settings);
    const event = originRequestEvent({ uri: '/x', origin: { s3: { ...s3Origin(PRIMARY).s3 } } });
    const before = structuredClone(event.Records[0]!.cf.request);
    expect(await handler(event)).toEqual(before);
  });
});
