import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import type { HttpHandler } from '../src/lib/handler.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { useTestEnvironment } from './helpers/environment.js';

// The project as generated: the sources in sprout.json, passed to the real aggregate function the
// way the stack passes them (SOURCES, SELF_BASE_URL), calling the real demo function served over
// HTTP on 127.0.0.1 the way API Gateway serves GET /demo/{name}.

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const { sources } = resolveConfig(sprout).options;

let demo: HttpHandler;
let aggregate: HttpHandler;
let api: Server;
const demoCalls: string[] = [];

beforeAll(async () => {
  useTestEnvironment({ sources });
  demo = (await import('../src/functions/demo-source.js')).handler;
  // A stand-in for the API's stage: /<stage>/demo/{name} goes to the demo function.
  api = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    demoCalls.push(url.pathname + url.search);
    const match = /^\/local\/demo\/([^/]+)$/.exec(url.pathname);
    if (!match) return void response.writeHead(404).end();
    const event = apiEvent('/demo/{name}', { pathParameters: { name: decodeURIComponent(match[1] as string) }, query: Object.fromEntries(url.searchParams) });
    const result = await demo(event, lambdaContext('demo'));
    if (!response.destroyed) response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  process.env.SELF_BASE_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}/local`;
  aggregate = (await import('../src/functions/aggregate.js')).handler;
  // Warm up (module code, the flag provider's first read, Node's fetch, which loads on first use)
  // so the timing below measures the fan-out.
  await aggregate(apiEvent('/aggregate'), lambdaContext());
  await (await fetch(`${process.env.SELF_BASE_URL}/demo/warm-up`)).text();
  demoCalls.length = 0;
});
afterAll(() => {
  api?.closeAllConnections();
  api?.close();
});

describe('the sample sources in sprout.json, against the demo sources', () => {
  it('answers 200 with profile, orders and recommendations, and loyalty timed out (1.5 s against 500 ms)', async () => {
    const started = performance.now();
    const { statusCode, body, headers } = parse(await aggregate(apiEvent('/aggregate', { query: { customerId: '42' } }), lambdaContext()));
    const elapsed = performance.now() - started;

    expect(statusCode).toBe(200);
    expect(body.partial).toBe(true);
    expect(Object.keys(body.data)).toEqual(['profile', 'orders', 'recommendations']);
    expect(body.data.profile).toMatchObject({ customerId: '42', name: 'Ada Lovelace' });
    expect(body.sources).toEqual({
      profile: { status: 'ok', required: true, ms: expect.any(Number), httpStatus: 200 },
      orders: { status: 'ok', required: true, ms: expect.any(Number), httpStatus: 200 },
      recommendations: { status: 'ok', required: false, ms: expect.any(Number), httpStatus: 200 },
      loyalty: { status: 'timeout', required: false, ms: expect.any(Number), error: 'no complete answer within 500 ms' },
    });
    // The slowest outcome is loyalty's 500 ms timeout; one after the other would take 150 + 300 + 250 + 500.
    expect(elapsed).toBeGreaterThanOrEqual(495);
    expect(elapsed).toBeLessThan((150 + 300 + 250 + 500) * 0.7);
    expect(headers['server-timing']).toMatch(/loyalty;desc="timeout";dur=\d+/);
  });

  it('calls each demo source on the API\'s own address with the delay its URL sets', () => {
    expect(demoCalls).toEqual(
      expect.arrayContaining([
        '/local/demo/profile?customerId=42&delayMs=150',
        '/local/demo/orders?customerId=42&delayMs=300',
        '/local/demo/recommendations?customerId=42&delayMs=250',
        '/local/demo/loyalty?customerId=42&delayMs=1500',
      ]),
    );
  });

  it('refuses a request without customerId, which every sample source needs', async () => {
    const { statusCode, body } = parse(await aggregate(apiEvent('/aggregate'), lambdaContext()));
    expect(statusCode).toBe(400);
    expect(body.error.message).toBe('The query parameter "customerId" is required (used by "profile", "orders", "recommendations", "loyalty")');
  });
});

describe('a demo source (GET /demo/{name})', () => {
  const call = async (name: string, query: Record<string, string> = {}) => {
    const started = performance.now();
    const response = parse(await demo(apiEvent('/demo/{name}', { pathParameters: { name }, query }), lambdaContext('demo')));
    return { ...response, elapsed: performance.now() - started };
  };

  it('answers after delayMs with sample data for the customer', async () => {
    const { statusCode, body, elapsed } = await call('orders', { customerId: '7', delayMs: '200' });
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({ customerId: '7', orders: expect.any(Array) });
    expect(elapsed).toBeGreaterThanOrEqual(195);
  });

  it('answers the status its URL asks for, to try failures without code', async () => {
    const { statusCode, body } = await call('profile', { status: '503' });
    expect(statusCode).toBe(503);
    expect(body.error.code).toBe('DEMO_FAILURE');
  });

  it('echoes a name it has no sample for', async () => {
    expect((await call('inventory', { customerId: '9' })).body).toEqual({ source: 'inventory', customerId: '9' });
  });

  it.each([
    ['a delay above 5 s', 'profile', { delayMs: '5001' }, /"delayMs" must be an integer from 0 to 5000/],
    ['a negative delay', 'profile', { delayMs: '-1' }, /"delayMs" must be an integer/],
    ['a status below 200', 'profile', { status: '100' }, /"status" must be an integer from 200 to 599/],
    ['a name with a dot', 'a.b', {}, /demo source name/],
  ])('refuses %s (400)', async (_, name, query, message) => {
    const { statusCode, body } = await call(name, query);
    expect(statusCode).toBe(400);
    expect(body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringMatching(message) });
  });
});
