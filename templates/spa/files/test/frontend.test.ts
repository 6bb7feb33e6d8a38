import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFrontend } from '../frontend/build.js';
import { type DevServer, startDevServer } from '../frontend/dev.js';
import { ApiError, type Item, ItemsClient } from '../frontend/src/api.js';
import { loadRuntimeConfig } from '../frontend/src/config.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'spa-frontend-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const item: Item = { id: '01J0ITEM', name: 'Desk lamp', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', version: 1 };

describe('the build', () => {
  it('writes index.html that loads the content-hashed script and stylesheet it produced', () => {
    const out = tempDir();
    const build = buildFrontend(out);
    expect(build.script).toMatch(/^assets\/main-[A-Z0-9]{8}\.js$/);
    expect(build.stylesheet).toMatch(/^assets\/main-[A-Z0-9]{8}\.css$/);
    expect(build.files).toEqual(['index.html', build.script, build.stylesheet].sort());
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain(`<script type="module" src="/${build.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/${build.stylesheet}" />`);
    expect(html).toContain('<base href="/" />');
    expect(readFileSync(join(out, build.script), 'utf8')).toContain('/items');
  });

  it('complies with the Content-Security-Policy: no inline script, style or event handler', () => {
    const out = tempDir();
    buildFrontend(out);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('names files after their content: the same sources give the same names, a change gives new ones', () => {
    const first = buildFrontend(tempDir());
    expect(buildFrontend(tempDir()).script).toBe(first.script);
    // The same app with something else baked in: a different bundle, under a different name.
    const changed = buildFrontend(tempDir(), { define: { NODE_ENV: 'development' }, minify: false });
    expect(changed.script).not.toBe(first.script);
  });

  it('serves under a base path when asked (the patterns that put the UI under /ui/)', () => {
    const out = tempDir();
    const build = buildFrontend(out, { basePath: 'ui' });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<base href="/ui/" />');
    expect(html).toContain(`src="/ui/${build.script}"`);
  });
});

describe('the api module', () => {
  function fakeFetch(status: number, body?: unknown) {
    return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  }
  const call = (fetch: ReturnType<typeof fakeFetch>) => {
    const [url, init] = fetch.mock.calls[0]!;
    return { url: String(url), init: init!, headers: init!.headers as Record<string, string> };
  };

  it('lists a page from <baseUrl>/items with limit and cursor', async () => {
    const fetch = fakeFetch(200, { items: [item], nextCursor: 'abc' });
    const client = new ItemsClient({ baseUrl: 'https://api.example.com/prod/', fetch });
    expect(await client.list({ limit: 10, cursor: 'c/1' })).toEqual({ items: [item], nextCursor: 'abc' });
    const { url, init, headers } = call(fetch);
    expect(url).toBe('https://api.example.com/prod/items?limit=10&cursor=c%2F1');
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
    expect(headers).not.toHaveProperty('Content-Type');
    expect(headers).not.toHaveProperty('Authorization');
  });

  it('creates with a JSON body and an Idempotency-Key, a new one per call unless given', async () => {
    const fetch = fakeFetch(201, item);
    const client = new ItemsClient({ baseUrl: '/api', fetch });
    expect(await client.create({ name: 'Desk lamp' }, 'key-1')).toEqual(item);
    const { url, init, headers } = call(fetch);
    expect(url).toBe('/api/items');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ name: 'Desk lamp' });
    expect(headers).toMatchObject({ 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1' });
    await client.create({ name: 'a' });
    await client.create({ name: 'a' });
    const keys = fetch.mock.calls.slice(1).map(([, init]) => (init!.headers as Record<string, string>)['Idempotency-Key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('gets, updates and deletes by id, escaping it in the path; delete takes the 204', async () => {
    const get = fakeFetch(200, item);
    expect(await new ItemsClient({ baseUrl: 'https://x', fetch: get }).get('a/b')).toEqual(item);
    expect(call(get).url).toBe('https://x/items/a%2Fb');
    const update = fakeFetch(200, { ...item, version: 2 });
    await new ItemsClient({ baseUrl: 'https://x', fetch: update }).update(item.id, { name: 'Lamp', version: 1 });
    expect(call(update).init.method).toBe('PUT');
    expect(JSON.parse(String(call(update).init.body))).toEqual({ name: 'Lamp', version: 1 });
    const del = fakeFetch(204);
    await expect(new ItemsClient({ baseUrl: 'https://x', fetch: del }).delete(item.id)).resolves.toBeUndefined();
    expect(call(del).init.method).toBe('DELETE');
  });

  it("turns the API's error body into an ApiError with its code and message", async () => {
    const client = new ItemsClient({ baseUrl: 'https://x', fetch: fakeFetch(404, { error: { code: 'NOT_FOUND', message: 'Item 42 does not exist' } }) });
    await expect(client.get('42')).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'NOT_FOUND', message: 'Item 42 does not exist' });
    const html = new ItemsClient({ baseUrl: 'https://x', fetch: fakeFetch(502, '<html>Bad gateway</html>') });
    await expect(html.list()).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
  });

  it('reports a network or CORS failure as NETWORK_ERROR, status 0', async () => {
    const client = new ItemsClient({ baseUrl: 'https://x', fetch: vi.fn().mockRejectedValue(new TypeError('Failed to fetch')) });
    const error = await client.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });

  it('sends the token from the getter as Authorization (Bearer by default, bare when asked)', async () => {
    const bearer = fakeFetch(200, item);
    await new ItemsClient({ baseUrl: 'https://x', fetch: bearer, getToken: async () => 'jwt-1' }).get('1');
    expect(call(bearer).headers.Authorization).toBe('Bearer jwt-1');
    const bare = fakeFetch(200, item);
    await new ItemsClient({ baseUrl: 'https://x', fetch: bare, getToken: () => 'jwt-2', authScheme: '' }).get('1');
    expect(call(bare).headers.Authorization).toBe('jwt-2');
    const none = fakeFetch(200, item);
    await new ItemsClient({ baseUrl: 'https://x', fetch: none, getToken: () => undefined }).get('1');
    expect(call(none).headers).not.toHaveProperty('Authorization');
  });
});

describe('the runtime config', () => {
  const serve = (status: number, body: string) => vi.fn(async () => new Response(body, { status }));

  it('reads apiUrl and any other string keys from config.json', async () => {
    const fetch = serve(200, JSON.stringify({ apiUrl: 'https://api.example.com/prod/', region: 'eu-west-1' }));
    expect(await loadRuntimeConfig('https://site.example/config.json', fetch)).toEqual({ apiUrl: 'https://api.example.com/prod/', region: 'eu-west-1' });
  });

  it.each([
    ['a missing file', serve(404, ''), /HTTP 404/],
    ['index.html answered by the SPA fallback', serve(200, '<!doctype html>'), /is not JSON/],
    ['no apiUrl', serve(200, '{"region":"eu-west-1"}'), /has no apiUrl/],
    ['a value that is not a string', serve(200, '{"apiUrl":42}'), /apiUrl must be strings/],
  ])('refuses %s', async (_, fetch, message) => {
    await expect(loadRuntimeConfig('config.json', fetch)).rejects.toThrow(message);
  });
});

describe('the dev server (npm run dev)', () => {
  let api: Server;
  let apiUrl: string;
  let dev: DevServer;
  const received: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    // Stands in for the deployed API: records what reaches it.
    api = createServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(request.method === 'POST' ? { ...item, ...JSON.parse(body) } : { items: [item] }));
    });
    await new Promise<void>((ready) => api.listen(0, 'localhost', ready));
    apiUrl = `http://localhost:${(api.address() as AddressInfo).port}/prod`;
    dev = await startDevServer({ apiUrl, port: 0, outDir: tempDir(), watch: false });
  });
  afterAll(async () => {
    await dev?.close();
    await new Promise((done) => api?.close(done));
  });

  it('serves config.json pointing the app at /api on its own origin', async () => {
    expect(await loadRuntimeConfig(`${dev.url}/config.json`)).toEqual({ apiUrl: '/api' });
  });

  it('forwards /api/* to the deployed API, so the api module works from localhost without CORS', async () => {
    const client = new ItemsClient({ baseUrl: `${dev.url}/api`, getToken: () => 't' });
    expect(await client.list({ limit: 5 })).toEqual({ items: [item] });
    expect(await client.create({ name: 'Lamp' }, 'key-9')).toMatchObject({ name: 'Lamp' });
    expect(received.map(({ method, url }) => `${method} ${url}`)).toEqual(['GET /prod/items?limit=5', 'POST /prod/items']);
    expect(received[1]!.headers).toMatchObject({ 'idempotency-key': 'key-9', 'content-type': 'application/json', authorization: 'Bearer t' });
    expect(received[1]!.headers).not.toHaveProperty('origin');
    expect(JSON.parse(received[1]!.body)).toEqual({ name: 'Lamp' });
  });

  it('serves the built files, and index.html for client-side routes', async () => {
    const index = await (await fetch(`${dev.url}/`)).text();
    const script = /src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${dev.url}/${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const route = await fetch(`${dev.url}/items/01J0ITEM`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(index);
  });
});
