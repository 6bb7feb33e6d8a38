import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import { apiEvent, lambdaContext, parse, type RequestOptions } from './helpers/api-event.js';
import { createTables, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';

const tables = { items: 'items-test', idempotency: 'idempotency-test' };
const DEFAULT_PAGE_SIZE = 4;

let db: LocalDynamoDb;
let handlers: Record<'create' | 'get' | 'list' | 'update' | 'delete', HttpHandler>;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, {
    TABLE_NAME: tables.items,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    DEFAULT_PAGE_SIZE: String(DEFAULT_PAGE_SIZE),
  });
  await createTables(db.client, tables);
  // Imported only now: the handlers read the environment when they load.
  handlers = {
    create: (await import('../src/functions/create-item.js')).handler,
    get: (await import('../src/functions/get-item.js')).handler,
    list: (await import('../src/functions/list-items.js')).handler,
    update: (await import('../src/functions/update-item.js')).handler,
    delete: (await import('../src/functions/delete-item.js')).handler,
  };
});

afterAll(async () => {
  await db?.stop();
});

const call = async (handler: HttpHandler, method: string, resource: string, options?: RequestOptions) =>
  parse(await handler(apiEvent(method, resource, options), lambdaContext()));

const create = (body: unknown, headers?: Record<string, string>) =>
  call(handlers.create, 'POST', '/items', { body, headers });
const get = (id: string) => call(handlers.get, 'GET', '/items/{id}', { pathParameters: { id } });
const list = (query?: Record<string, string>) => call(handlers.list, 'GET', '/items', { query });
const update = (id: string, body: unknown) => call(handlers.update, 'PUT', '/items/{id}', { pathParameters: { id }, body });
const remove = (id: string) => call(handlers.delete, 'DELETE', '/items/{id}', { pathParameters: { id } });

/** Reads the table through dynalite directly, bypassing the handlers' SDK configuration. */
async function storedItems() {
  const { Items = [] } = await db.client.send(new ScanCommand({ TableName: tables.items }));
  return Items.map((item) => ({ id: item.id?.S, name: item.name?.S, createdAt: item.createdAt?.S }));
}

function expectError(response: { statusCode: number; body: unknown }, statusCode: number, code: string) {
  expect(response.statusCode).toBe(statusCode);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('create and get', () => {
  it('creates an item and reads it back', async () => {
    const created = await create({ name: 'Desk lamp', description: 'Warm white' });
    expect(created.statusCode).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Desk lamp',
      description: 'Warm white',
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      version: 1,
    });
    expect(created.headers.location).toBe(`/items/${created.body.id}`);

    const fetched = await get(created.body.id);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('writes to the emulator, not to AWS', async () => {
    const created = await create({ name: 'Proof of endpoint' });
    const { Item } = await db.client.send(
      new GetItemCommand({ TableName: tables.items, Key: { id: { S: created.body.id } } }),
    );
    expect(Item?.name?.S).toBe('Proof of endpoint');
  });

  it('answers 404 in the error shape for an unknown id', async () => {
    expectError(await get('no-such-item'), 404, 'NOT_FOUND');
  });
});

describe('idempotent create', () => {
  it('replays the first response for the same Idempotency-Key and stores one item', async () => {
    const headers = { 'Idempotency-Key': 'order-42' };
    const first = await create({ name: 'Only once' }, headers);
    // Header names arrive in any case (HTTP/2 lowercases them).
    const second = await create({ name: 'Only once' }, { 'idempotency-key': 'order-42' });
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(first);
    expect((await storedItems()).filter((item) => item.name === 'Only once')).toHaveLength(1);
  });

  it('creates separate items for different keys with the same body', async () => {
    const a = await create({ name: 'Twin' }, { 'Idempotency-Key': 'twin-a' });
    const b = await create({ name: 'Twin' }, { 'Idempotency-Key': 'twin-b' });
    expect(a.body.id).not.toBe(b.body.id);
    expect((await storedItems()).filter((item) => item.name === 'Twin')).toHaveLength(2);
  });

  it('rejects a key reused with a different body (422) and stores nothing new', async () => {
    await create({ name: 'Original' }, { 'Idempotency-Key': 'reused' });
    const reused = await create({ name: 'Changed' }, { 'Idempotency-Key': 'reused' });
    expectError(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect((await storedItems()).some((item) => item.name === 'Changed')).toBe(false);
  });

  it('without a key, treats an identical body as a retry', async () => {
    const first = await create({ name: 'Keyless', description: 'same body' });
    const retry = await create({ name: 'Keyless', description: 'same body' });
    const other = await create({ name: 'Keyless', description: 'another body' });
    expect(retry.body.id).toBe(first.body.id);
    expect(other.body.id).not.toBe(first.body.id);
  });
});

describe('list with pagination', () => {
  it('walks every item exactly once, newest first, across pages', async () => {
    for (let i = 0; i < 7; i++) await create({ name: `Page item ${i}` });
    const seen: Array<{ id: string; createdAt: string }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list({ limit: '3', ...(cursor ? { cursor } : {}) });
      expect(page.statusCode).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);

    const stored = await storedItems();
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(stored.length / 3));
    expect(seen.map((item) => item.id).sort()).toEqual(stored.map((item) => item.id).sort());
    const createdAt = seen.map((item) => item.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    expect(seen.every((item) => !('kind' in item))).toBe(true);
  });

  it('returns the default page size when no limit is given', async () => {
    const page = await list();
    expect(page.body.items).toHaveLength(DEFAULT_PAGE_SIZE);
    expect(page.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each(['0', '101', '2.5', 'ten'])('rejects limit=%s with 400', async (limit) => {
    expectError(await list({ limit }), 400, 'VALIDATION_ERROR');
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['another key shape', Buffer.from(JSON.stringify({ id: 'x' })).toString('base64url')],
    ['a key outside the list index', Buffer.from(JSON.stringify({ id: 'x', kind: 'ADMIN', createdAt: 'y' })).toString('base64url')],
  ])('rejects a cursor that is %s with 400', async (_, cursor) => {
    expectError(await list({ cursor }), 400, 'VALIDATION_ERROR');
  });
});

describe('update', () => {
  it('replaces the fields, bumps the version and keeps createdAt', async () => {
    const created = await create({ name: 'Chair', description: 'Oak' });
    const updated = await update(created.body.id, { name: 'Armchair', version: 1 });
    expect(updated.statusCode).toBe(200);
    expect(updated.body).toEqual({
      id: created.body.id,
      name: 'Armchair',
      createdAt: created.body.createdAt,
      updatedAt: expect.any(String),
      version: 2,
    });
    expect((await get(created.body.id)).body).toEqual(updated.body);
  });

  it('answers 409 when the version is stale, and changes nothing', async () => {
    const created = await create({ name: 'Table' });
    await update(created.body.id, { name: 'Table v2', version: 1 });
    expectError(await update(created.body.id, { name: 'Lost update', version: 1 }), 409, 'CONFLICT');
    expect((await get(created.body.id)).body).toMatchObject({ name: 'Table v2', version: 2 });
  });

  it('answers 404 for a missing item, with or without a version, and creates nothing', async () => {
    expectError(await update('ghost', { name: 'Ghost' }), 404, 'NOT_FOUND');
    expectError(await update('ghost', { name: 'Ghost', version: 3 }), 404, 'NOT_FOUND');
    expect((await storedItems()).some((item) => item.id === 'ghost')).toBe(false);
  });
});

describe('delete', () => {
  it('deletes an item, then answers 404 for it', async () => {
    const created = await create({ name: 'Short-lived' });
    const deleted = await call(handlers.delete, 'DELETE', '/items/{id}', { pathParameters: { id: created.body.id } });
    expect(deleted.statusCode).toBe(204);
    expectError(await get(created.body.id), 404, 'NOT_FOUND');
    expectError(await remove(created.body.id), 404, 'NOT_FOUND');
  });
});

describe('malformed input', () => {
  it.each([
    ['invalid JSON', '{"name": '],
    ['a JSON array', '[]'],
    ['no name', { description: 'nameless' }],
    ['an empty name', { name: '' }],
    ['a name too long', { name: 'x'.repeat(201) }],
    ['a non-string description', { name: 'ok', description: 42 }],
    ['an unknown field', { name: 'ok', price: 3 }],
  ])('create rejects %s with 400', async (_, body) => {
    expectError(await create(body), 400, 'VALIDATION_ERROR');
  });

  it.each([
    ['version 0', { name: 'ok', version: 0 }],
    ['a fractional version', { name: 'ok', version: 1.5 }],
    ['no body', undefined],
  ])('update rejects %s with 400', async (_, body) => {
    expectError(await update('any-id', body), 400, 'VALIDATION_ERROR');
  });

  it('rejects an Idempotency-Key longer than 255 characters', async () => {
    expectError(await create({ name: 'ok' }, { 'Idempotency-Key': 'k'.repeat(256) }), 400, 'VALIDATION_ERROR');
  });
});
