import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';

// POST /conversions (src/functions/record-conversion.ts) run as Lambda runs it, with Powertools
// metrics on: what it prints to stdout is what CloudWatch turns into metrics.

const SITE = 'https://d111111abcdef8.cloudfront.net';
let handler: HttpHandler;
let lines: string[];

beforeAll(async () => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
  Object.assign(process.env, {
    // What the stack sets (SproutFunction and addConversionsEndpoint).
    SPROUT_STAGE: 'prod',
    CORS_ALLOW_ORIGINS: SITE,
    POWERTOOLS_SERVICE_NAME: 'shop',
    POWERTOOLS_METRICS_NAMESPACE: 'shop',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  // Imported only now: the handler reads the environment when it loads.
  handler = (await import('../src/functions/record-conversion.js')).handler;
});

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const post = async (options: { body?: unknown; headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]> } = {}) => {
  const event = apiEvent('POST', '/conversions', { ...(options.body !== undefined ? { body: options.body } : {}), headers: options.headers ?? {} });
  if (options.multiValueHeaders) event.multiValueHeaders = options.multiValueHeaders;
  return parse(await handler(event, lambdaContext('record-conversion')));
};
/** The EMF documents printed in namespace Sprout/Experiments. */
const conversions = () =>
  lines
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((document) => document._aws?.CloudWatchMetrics?.[0]?.Namespace === 'Sprout/Experiments');

describe('POST /conversions', () => {
  it('records one conversion per variant in the x-sprout-experiment header and answers 202 with them', async () => {
    const response = await post({ body: {}, headers: { 'x-sprout-experiment': 'checkout=b, banner=control' } });
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual({ metric: 'conversion', recorded: [{ experiment: 'checkout', variant: 'b' }, { experiment: 'banner', variant: 'control' }] });
    const [first, second, ...rest] = conversions();
    expect(rest).toEqual([]);
    // Exactly what `sprout experiment results` queries: no `service` dimension, nothing else.
    expect(first).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'Sprout/Experiments', Dimensions: [['Stage', 'Experiment', 'Variant']], Metrics: [{ Name: 'conversion', Unit: 'Count' }] }],
      },
      Stage: 'prod',
      Experiment: 'checkout',
      Variant: 'b',
      conversion: 1,
    });
    expect(second).toMatchObject({ Stage: 'prod', Experiment: 'banner', Variant: 'control', conversion: 1 });
  });

  it("leaves the function's own metrics (ColdStart, in the project's namespace) as they were", async () => {
    await post({ headers: { 'x-sprout-experiment': 'checkout=b' } });
    const namespaces = lines.map((line) => JSON.parse(line)._aws?.CloudWatchMetrics?.[0]?.Namespace).filter(Boolean);
    expect(namespaces.every((namespace) => namespace === 'Sprout/Experiments' || namespace === 'shop')).toBe(true);
  });

  it('names the count after the metric in the body', async () => {
    const response = await post({ body: { metric: 'signup' }, headers: { 'X-Sprout-Experiment': 'checkout=a' } });
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual({ metric: 'signup', recorded: [{ experiment: 'checkout', variant: 'a' }] });
    expect(conversions()).toEqual([expect.objectContaining({ Experiment: 'checkout', Variant: 'a', signup: 1 })]);
    expect(conversions()[0]?._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'signup', Unit: 'Count' }]);
  });

  it('takes an empty body as {}', async () => {
    const response = await post({ headers: { 'x-sprout-experiment': 'checkout=b' } });
    expect(response).toMatchObject({ statusCode: 202, body: { metric: 'conversion', recorded: [{ experiment: 'checkout', variant: 'b' }] } });
  });

  it('reads every value of a repeated header', async () => {
    const response = await post({ multiValueHeaders: { 'x-sprout-experiment': ['checkout=b', 'banner=a'] }, headers: { 'x-sprout-experiment': 'banner=a' } });
    expect(response.body.recorded).toEqual([{ experiment: 'checkout', variant: 'b' }, { experiment: 'banner', variant: 'a' }]);
  });

  it('answers 202 and records nothing for a viewer in no experiment, or with a header it cannot use', async () => {
    const requests: Array<Record<string, string>> = [{}, { 'x-sprout-experiment': '' }, { 'x-sprout-experiment': 'Checkout=B, junk, =x' }, { 'x-sprout-experiment': 'checkout=b,'.repeat(5000) }];
    for (const headers of requests) {
      const response = await post({ body: {}, headers });
      expect(response.statusCode).toBe(202);
      expect(response.body.metric).toBe('conversion');
    }
    const none = await post({ body: {}, headers: { 'x-sprout-experiment': 'Checkout=B, junk' } });
    expect(none.body.recorded).toEqual([]);
    // Only the long header held a usable assignment, once.
    expect(conversions().map((d) => `${d.Experiment}=${d.Variant}`)).toEqual(['checkout=b']);
  });

  it.each([
    ['not JSON', '{"metric":'],
    ['an array', '[]'],
    ['a string', '"conversion"'],
    ['a metric name in upper case', { metric: 'Signup' }],
    ['a metric name of 41 characters', { metric: 'x'.repeat(41) }],
    ['a metric that is not a string', { metric: 7 }],
    ['an unknown field', { metric: 'signup', value: 10 }],
  ])('answers 400 to %s, recording nothing', async (_, body) => {
    const response = await post({ body, headers: { 'x-sprout-experiment': 'checkout=b' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({ error: { code: 'VALIDATION_ERROR', message: expect.any(String) } });
    expect(conversions()).toEqual([]);
  });

  it("answers the site's origin with CORS", async () => {
    const response = await post({ body: {}, headers: { Origin: SITE, 'x-sprout-experiment': 'checkout=b' } });
    expect(response.headers).toMatchObject({ 'access-control-allow-origin': SITE });
  });
});
