import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import { facadeEvent, lambdaContext, parse, type RequestOptions } from './helpers/api-event.js';
import { createOrdersTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { type LegacyServer, startLegacyServer } from './helpers/legacy-server.js';

// The new service, as the facade invokes it (resource, proxy parameter and base64 body exactly as
// API Gateway sends them for the planned routes), against dynalite. The read-through flag is off
// here (the stack's initial flags), so the legacy backend must never be called.

const TABLE = 'orders-test';
let db: LocalDynamoDb;
let legacy: LegacyServer;
let handler: HttpHandler;

beforeAll(async () => {
  [db, legacy] = await Promise.all([startDynalite(), startLegacyServer()]);
  useEmulatorEnvironment(db.endpoint, { TABLE_NAME: TABLE, LEGACY_BASE_URL: legacy.origin, LEGACY_TIMEOUT_MS: '1000' });
  await createOrdersTable(db.client, TABLE);
  // Imported only now: the handler reads the environment when it loads.
  handler = (await import('../src/functions/orders.js')).handler;
});

afterAll(async () => {
  await Promise.all([db?.stop(), legacy?.close()]);
});

const call = async (method: string, path: string, options?: RequestOptions) => parse(await handler(facadeEvent(method, path, options), lambdaContext()));

const order = { customerId: 'c-17', currency: 'EUR', lines: [{ sku: 'LAMP-1', quantity: 2, unitPriceCents: 1250 }, { sku: 'BULB-9', quantity: 3, unitPriceCents: 199 }] };

function expectError(response: { statusCode: number; body: unknown }, statusCode: number, code: string) {
  expect(response.statusCode).toBe(statusCode);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('orders', () => {
  it('places an order through /orders, computing the total in cents, and reads it back through /orders/{proxy+}', async () => {
    const created = await call('POST', '/orders', { body: order });
    expect(created.statusCode).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...order, totalCents: 2 * 1250 + 3 * 199, status: 'PLACED', createdAt: expect.any(String) });
    expect(created.headers).toMatchObject({ location: `/orders/${created.body.id}`, 'x-strangler-source': 'new' });

    const { Item } = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: created.body.id } } }));
    expect(Item?.totalCents?.N).toBe('3097');

    const fetched = await call('GET', `/orders/${created.body.id}`);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.body).toEqual(created.body);
    expect(fetched.headers['x-strangler-source']).toBe('new');
  });

  it('reads a body the facade did not base64-encode too (a direct invocation)', async () => {
    expect((await call('POST', '/orders', { body: order, base64: false })).statusCode).toBe(201);
  });

  it('answers 404 for an order it does not have, without asking legacy while the flag is off', async () => {
    expectError(await call('GET', '/orders/10023'), 404, 'NOT_FOUND');
    expect(legacy.requests).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"customerId": '],
    ['a JSON array', '[]'],
    ['no lines', { customerId: 'c-1', currency: 'EUR', lines: [] }],
    ['a fractional quantity', { ...order, lines: [{ sku: 'A', quantity: 1.5, unitPriceCents: 100 }] }],
    ['a negative price', { ...order, lines: [{ sku: 'A', quantity: 1, unitPriceCents: -1 }] }],
    ['a line that is not an object', { ...order, lines: ['LAMP-1'] }],
    ['an unknown line field', { ...order, lines: [{ sku: 'A', quantity: 1, unitPriceCents: 1, discount: 5 }] }],
    ['a lower-case currency', { ...order, currency: 'eur' }],
    ['an unknown field', { ...order, coupon: 'FREE' }],
  ])('refuses %s with 400', async (_, body) => {
    expectError(await call('POST', '/orders', { body }), 400, 'VALIDATION_ERROR');
  });

  it('refuses an order id that could change the legacy URL it is looked up at', async () => {
    expectError(await call('GET', '/orders/..%2Fadmin'), 400, 'VALIDATION_ERROR');
  });
});

describe('routing inside the new service', () => {
  it('answers 405 with Allow for a method a path does not take', async () => {
    const response = await call('DELETE', '/orders/42');
    expectError(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET');
  });

  it('answers 404 ROUTE_NOT_IMPLEMENTED for a path the table sends here that the service does not implement', async () => {
    expectError(await call('GET', '/orders/42/lines'), 404, 'ROUTE_NOT_IMPLEMENTED');
    // Under a table that sends everything to new, any unmigrated path ends here.
    expectError(await call('GET', '/customers/7', { routes: { '/*': 'new' } }), 404, 'ROUTE_NOT_IMPLEMENTED');
  });

  it.each([
    ['the default table (resource /orders/{proxy+})', { '/orders/*': 'new', '/*': 'legacy' }],
    ['everything to new (resource /{proxy+}, proxy "orders/<id>")', { '/*': 'new' }],
    ['nested prefixes (resource /orders/{proxy+} beside /orders/reports)', { '/orders/*': 'new', '/orders/reports/*': 'legacy' }],
  ])('finds an order under %s', async (_, routes) => {
    const created = await call('POST', '/orders', { body: { ...order, customerId: 'c-routes' }, routes });
    expect(created.statusCode).toBe(201);
    expect((await call('GET', `/orders/${created.body.id}`, { routes })).body).toEqual(created.body);
  });

  it('places an order through an exact /orders entry (resource /orders, no proxy parameter)', async () => {
    const event = facadeEvent('POST', '/orders', { body: order, routes: { '/orders': 'new', '/*': 'legacy' } });
    expect(event.pathParameters).toBeNull();
    expect(parse(await handler(event, lambdaContext())).statusCode).toBe(201);
  });

  it('routes on the path the table saw, not on event.path, which carries a custom domain\'s base path', async () => {
    const created = await call('POST', '/orders', { body: order });
    const event = facadeEvent('GET', `/orders/${created.body.id}`);
    const mapped = { ...event, path: `/api/shop/orders/${created.body.id}` };
    expect(parse(await handler(mapped, lambdaContext())).body).toEqual(created.body);
  });
});
