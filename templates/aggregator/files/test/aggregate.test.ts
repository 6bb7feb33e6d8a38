import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AggregatorConfig } from '../src/lib/aggregator.js';
import type { Source } from '../src/lib/sources.js';
import { apiEvent, lambdaContext, parse, type RequestOptions } from './helpers/api-event.js';
import { useTestEnvironment } from './helpers/environment.js';
import { type Behaviour, closedPort, type FakeService, startService } from './helpers/servers.js';

// The aggregator's handler against real HTTP servers on 127.0.0.1, each answering after a set
// delay, with a set status and body: the latencies, timeouts and failures are real, not mocked.

let aggregateHandler: typeof import('../src/lib/aggregator.js').aggregateHandler;
const services: FakeService[] = [];

beforeAll(async () => {
  useTestEnvironment();
  ({ aggregateHandler } = await import('../src/lib/aggregator.js'));
  // Node loads its fetch implementation on first use; load it here, not inside a timed request.
  const warmUp = await startService('warm-up');
  await (await fetch(warmUp.origin)).text();
  await warmUp.close();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

/** Starts a fake service and describes it as a source of the aggregator. */
async function source(name: string, behaviour: Behaviour, settings: Partial<Omit<Source, 'name'>> & { path?: string } = {}): Promise<Source & { service: FakeService }> {
  const service = await startService(name, behaviour);
  services.push(service);
  const { path = `/${name}`, timeoutMs = 2_000, required = true, url = `${service.origin}${path}` } = settings;
  return { name, url, timeoutMs, required, service };
}

/** Runs one request through the handler and measures it from the outside. */
async function aggregate(sources: Source[], request: RequestOptions = {}, config: Partial<AggregatorConfig> = {}) {
  const handler = aggregateHandler({ sources, ...config });
  const started = performance.now();
  const response = parse(await handler(apiEvent('/aggregate', request), lambdaContext()));
  return { ...response, elapsed: performance.now() - started };
}

describe('fan-out: the sources are called in parallel', () => {
  it('takes as long as the slowest source, not the sum of all three', async () => {
    const delays = { profile: 300, orders: 450, recommendations: 600 };
    const sources = await Promise.all(Object.entries(delays).map(([name, delayMs]) => source(name, { delayMs, body: { name } })));
    const { statusCode, body, elapsed } = await aggregate(sources);

    expect(statusCode).toBe(200);
    const sum = 300 + 450 + 600;
    const slowest = 600;
    // Sequential calls would take at least `sum` (1,350 ms); parallel ones about `slowest`.
    expect(elapsed).toBeGreaterThanOrEqual(slowest - 5);
    expect(elapsed).toBeLessThan(sum * 0.7);
    // The three requests arrived together, not one after the other.
    const arrivals = sources.map((s) => s.service.hits[0]!.at);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(150);
    for (const [name, delayMs] of Object.entries(delays)) {
      expect(body.data[name]).toEqual({ name });
      expect(body.sources[name]).toMatchObject({ status: 'ok', required: true, httpStatus: 200 });
      expect(body.sources[name].ms, name).toBeGreaterThanOrEqual(delayMs - 5);
      expect(body.sources[name].ms, name).toBeLessThan(delayMs + 250);
    }
    expect(body.partial).toBe(false);
  });

  it('merges every answer under its source name, whatever its JSON type, and a 204 as null', async () => {
    const sources = [
      await source('object', { body: { a: 1 } }),
      await source('list', { body: [1, 2, 3] }),
      await source('text', { body: JSON.stringify('plain string') }),
      await source('empty', { status: 204 }),
    ];
    const { statusCode, body } = await aggregate(sources);
    expect(statusCode).toBe(200);
    expect(body.data).toEqual({ object: { a: 1 }, list: [1, 2, 3], text: 'plain string', empty: null });
    expect(body.sources.empty).toMatchObject({ status: 'ok', httpStatus: 204 });
  });

  it('reports every source in a Server-Timing header, with the total', async () => {
    const sources = [await source('profile', { delayMs: 50 }), await source('orders', { delayMs: 100 })];
    const { headers, body } = await aggregate(sources);
    const timing = String(headers['server-timing']);
    expect(timing).toMatch(new RegExp(`^profile;desc="ok";dur=${body.sources.profile.ms}, orders;desc="ok";dur=${body.sources.orders.ms}, total;dur=\\d+$`));
  });
});

describe('optional sources: a failure leaves a partial result', () => {
  it('a timeout: 200 without its data, status "timeout", and no waiting for the slow answer', async () => {
    const profile = await source('profile', { delayMs: 50 });
    const recommendations = await source('recommendations', { delayMs: 1_500 }, { timeoutMs: 200, required: false });
    const { statusCode, body, elapsed } = await aggregate([profile, recommendations]);

    expect(statusCode).toBe(200);
    expect(body.partial).toBe(true);
    expect(body.data).toEqual({ profile: { from: 'profile' } });
    expect(body.sources.recommendations).toEqual({ status: 'timeout', required: false, ms: expect.any(Number), error: 'no complete answer within 200 ms' });
    expect(body.sources.recommendations.ms).toBeGreaterThanOrEqual(195);
    expect(body.sources.recommendations.ms).toBeLessThan(500);
    expect(elapsed).toBeLessThan(800);
    // The aggregator hung up on the slow service instead of leaving the request open.
    await expect.poll(() => recommendations.service.hits[0]?.closedEarly).toBe(true);
  });

  it('a timeout covers the body too: headers at once, then a stalled body', async () => {
    const profile = await source('profile', {});
    const slowBody = await source('slow-body', { delayMs: 1_500, headersFirst: true }, { timeoutMs: 200, required: false });
    const { statusCode, body } = await aggregate([profile, slowBody]);
    expect(statusCode).toBe(200);
    expect(body.sources['slow-body']).toMatchObject({ status: 'timeout', httpStatus: 200 });
  });

  it.each<[string, Behaviour, object]>([
    ['a 5xx', { status: 503, body: { message: 'down for maintenance' } }, { status: 'error', httpStatus: 503, error: 'HTTP 503' }],
    ['a 4xx', { status: 404 }, { status: 'error', httpStatus: 404, error: 'HTTP 404' }],
    ['invalid JSON', { body: '<html>Bad gateway</html>' }, { status: 'error', httpStatus: 200, error: 'the answer is not valid JSON' }],
    ['an empty 200', { body: '' }, { status: 'error', httpStatus: 200, error: 'the answer is empty' }],
  ])('%s: 200, partial, with the status and the reason', async (_, behaviour, report) => {
    const sources = [await source('profile', {}), await source('recommendations', behaviour, { required: false })];
    const { statusCode, body } = await aggregate(sources);
    expect(statusCode).toBe(200);
    expect(body.partial).toBe(true);
    expect(Object.keys(body.data)).toEqual(['profile']);
    expect(body.sources.recommendations).toEqual({ required: false, ms: expect.any(Number), ...report });
  });

  it('no connection: status "error" with the system error code, and no address in the answer', async () => {
    const origin = await closedPort();
    const sources = [await source('profile', {}), { name: 'gone', url: `${origin}/gone`, timeoutMs: 1_000, required: false }];
    const { statusCode, body } = await aggregate(sources);
    expect(statusCode).toBe(200);
    expect(body.sources.gone).toMatchObject({ status: 'error', error: 'connection failed (ECONNREFUSED)' });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('an answer larger than the limit is refused while it is read', async () => {
    const sources = [await source('profile', {}), await source('huge', { body: { blob: 'x'.repeat(5_000) } }, { required: false })];
    const { body } = await aggregate(sources, {}, { maxBodyBytes: 1_000 });
    expect(body.sources.huge).toMatchObject({ status: 'error', error: 'the answer is larger than 1000 bytes' });
    expect(body.data.profile).toEqual({ from: 'profile' });
  });
});

describe('required sources: a failure fails the request clearly', () => {
  it('a 5xx: 502 naming the source and the reason, with every source\'s status', async () => {
    const profile = await source('profile', { status: 500 });
    const orders = await source('orders', { delayMs: 20 });
    const { statusCode, body } = await aggregate([profile, orders]);
    expect(statusCode).toBe(502);
    expect(body.error).toEqual({ code: 'REQUIRED_SOURCE_FAILED', message: 'The required source "profile" failed: HTTP 500', source: 'profile' });
    expect(body.sources.profile).toMatchObject({ status: 'error', required: true, httpStatus: 500 });
    expect(body).not.toHaveProperty('data');
  });

  it('a timeout: 504 naming the source', async () => {
    const profile = await source('profile', { delayMs: 1_500 }, { timeoutMs: 200 });
    const { statusCode, body, elapsed } = await aggregate([profile]);
    expect(statusCode).toBe(504);
    expect(body.error).toMatchObject({ code: 'REQUIRED_SOURCE_TIMEOUT', source: 'profile', message: expect.stringContaining('did not answer within its timeout') });
    expect(body.sources.profile).toMatchObject({ status: 'timeout', required: true });
    expect(elapsed).toBeLessThan(800);
  });

  it('invalid JSON: 502', async () => {
    const { statusCode, body } = await aggregate([await source('profile', { body: 'not json' })]);
    expect(statusCode).toBe(502);
    expect(body.error.message).toBe('The required source "profile" failed: the answer is not valid JSON');
  });

  it('fails fast: the calls still running are cancelled instead of waited for', async () => {
    const profile = await source('profile', { delayMs: 50, status: 503 });
    const orders = await source('orders', { delayMs: 1_500 }, { timeoutMs: 2_000 });
    const recommendations = await source('recommendations', { delayMs: 1_500 }, { timeoutMs: 2_000, required: false });
    const { statusCode, body, elapsed } = await aggregate([profile, orders, recommendations]);

    expect(statusCode).toBe(502);
    expect(body.error.source).toBe('profile');
    expect(elapsed).toBeLessThan(800);
    for (const name of ['orders', 'recommendations']) {
      expect(body.sources[name]).toMatchObject({ status: 'cancelled', error: 'cancelled: the required source "profile" failed' });
    }
    await expect.poll(() => orders.service.hits[0]?.closedEarly).toBe(true);
  });

  it('an optional failure next to required successes is not an error', async () => {
    const sources = [await source('profile', {}), await source('orders', {}), await source('ads', { status: 500 }, { required: false })];
    const { statusCode, body } = await aggregate(sources);
    expect(statusCode).toBe(200);
    expect(Object.keys(body.data)).toEqual(['profile', 'orders']);
  });
});

describe('the request sent downstream', () => {
  it('fills URL placeholders from the query string, URL-encoded', async () => {
    const profile = await source('profile', {}, { path: '/customers/{customerId}?fields={fields}' });
    const { statusCode } = await aggregate([profile], { query: { customerId: 'a b/ü', fields: 'name,tier' } });
    expect(statusCode).toBe(200);
    expect(profile.service.hits[0]!.url).toBe('/customers/a%20b%2F%C3%BC?fields=name%2Ctier');
  });

  it('refuses a request without a parameter a source needs (400, naming it), before calling anything', async () => {
    const profile = await source('profile', {}, { path: '/customers/{customerId}' });
    const orders = await source('orders', {}, { path: '/orders?customer={customerId}' });
    const { statusCode, body } = await aggregate([profile, orders], { query: { other: '1' } });
    expect(statusCode).toBe(400);
    expect(body).toEqual({ error: { code: 'VALIDATION_ERROR', message: 'The query parameter "customerId" is required (used by "profile", "orders")' } });
    expect(profile.service.hits).toHaveLength(0);
    expect(orders.service.hits).toHaveLength(0);
  });

  it('forwards the caller\'s X-Request-Id to every source and returns it', async () => {
    const sources = [await source('profile', {}), await source('orders', {})];
    const { headers } = await aggregate(sources, { headers: { 'X-Request-Id': 'checkout-7f3a' } });
    expect(headers['x-request-id']).toBe('checkout-7f3a');
    for (const { service } of sources) {
      expect(service.hits[0]!.headers).toMatchObject({ 'x-request-id': 'checkout-7f3a', accept: 'application/json', 'user-agent': 'aggregator-test-aggregator' });
    }
  });

  it.each([
    ['no X-Request-Id', {}],
    ['an X-Request-Id that is not a safe token', { 'x-request-id': 'x'.repeat(200) }],
  ])('uses API Gateway\'s request id when the caller sends %s', async (_, headers) => {
    const profile = await source('profile', {});
    const response = await aggregate([profile], { headers, requestId: 'apigw-1234' });
    expect(profile.service.hits[0]!.headers['x-request-id']).toBe('apigw-1234');
    expect(response.headers['x-request-id']).toBe('apigw-1234');
  });

  it('calls a source given as a path on this API at the API\'s own address', async () => {
    const api = await startService('own-api', {});
    services.push(api);
    const { statusCode, body } = await aggregate(
      [{ name: 'profile', url: '/demo/profile?customerId={customerId}', timeoutMs: 1_000, required: true }],
      { query: { customerId: '42' } },
      { ownApiBaseUrl: `${api.origin}/prod` },
    );
    expect(statusCode).toBe(200);
    expect(body.data.profile).toEqual({ from: 'own-api' });
    expect(api.hits[0]!.url).toBe('/prod/demo/profile?customerId=42');
  });
});
