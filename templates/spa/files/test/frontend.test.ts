import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
    // The conversion call, with the experiments module bundled in.
    expect(readFileSync(join(out, build.script), 'utf8')).toContain('/conversions');
    expect(readFileSync(join(out, build.script), 'utf8')).toContain('x-sprout-experiment');
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

  describe('recordConversion', () => {
    const recorded = [{ experiment: 'checkout', variant: 'b' }, { experiment: 'banner', variant: 'control' }];
    const cookies = 'sprout-uid=4f1c2d9e-0000-4000-8000-000000000000; sprout-x-checkout=b; theme=dark; sprout-x-banner=control';
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    /** A localStorage stand-in. */
    const memoryStore = () => {
      const items = new Map<string, string>();
      return { items, getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
    };

    it("POSTs to <baseUrl>/conversions with the router's cookies as the x-sprout-experiment header", async () => {
      const fetch = fakeFetch(202, { metric: 'conversion', recorded });
      const client = new ItemsClient({ baseUrl: 'https://api.example.com/prod/', fetch, cookies: () => cookies });
      expect(await client.recordConversion()).toEqual({ metric: 'conversion', recorded });
      const { url, init, headers } = call(fetch);
      expect(url).toBe('https://api.example.com/prod/conversions');
      expect(init.method).toBe('POST');
      expect(JSON.parse(String(init.body))).toEqual({});
      expect(headers).toMatchObject({ 'Content-Type': 'application/json', 'x-sprout-experiment': 'checkout=b, banner=control' });
    });

    it('sends the metric when given one, and the token like every call', async () => {
      const fetch = fakeFetch(202, { metric: 'signup', recorded: recorded.slice(0, 1) });
      await new ItemsClient({ baseUrl: '/api', fetch, cookies: () => 'sprout-x-checkout=b', getToken: () => 'jwt-1' }).recordConversion('signup');
      expect(JSON.parse(String(call(fetch).init.body))).toEqual({ metric: 'signup' });
      expect(call(fetch).headers).toMatchObject({ 'x-sprout-experiment': 'checkout=b', Authorization: 'Bearer jwt-1' });
    });

    it('sends nothing for a viewer in no experiment (no cookie, or none it can use)', async () => {
      for (const jar of ['', 'sprout-uid=abc; theme=dark', 'sprout-x-Checkout=B; sprout-x-=a']) {
        const fetch = fakeFetch(202, {});
        expect(await new ItemsClient({ baseUrl: '/api', fetch, cookies: () => jar }).recordConversion('signup')).toEqual({ metric: 'signup', recorded: [] });
        expect(fetch).not.toHaveBeenCalled();
      }
    });

    it('reads document.cookie in the browser, and nothing where there is no document', async () => {
      const fetch = fakeFetch(202, { metric: 'conversion', recorded: recorded.slice(0, 1) });
      await expect(new ItemsClient({ baseUrl: '/api', fetch }).recordConversion()).resolves.toEqual({ metric: 'conversion', recorded: [] });
      vi.stubGlobal('document', { cookie: 'sprout-x-checkout=b' });
      await new ItemsClient({ baseUrl: '/api', fetch }).recordConversion();
      expect(call(fetch).headers['x-sprout-experiment']).toBe('checkout=b');
    });

    it('counts a viewer once per variant and metric: what was reported is remembered (localStorage in a browser)', async () => {
      const store = memoryStore();
      const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
        const header = (init!.headers as Record<string, string>)['x-sprout-experiment']!;
        const sent = header.split(', ').map((pair) => ({ experiment: pair.split('=')[0]!, variant: pair.split('=')[1]! }));
        return new Response(JSON.stringify({ metric: 'conversion', recorded: sent }), { status: 202 });
      });
      let jar = 'sprout-x-checkout=b';
      const client = new ItemsClient({ baseUrl: '/api', fetch, cookies: () => jar, conversionStore: store });
      expect((await client.recordConversion()).recorded).toEqual([{ experiment: 'checkout', variant: 'b' }]);
      expect((await client.recordConversion()).recorded).toEqual([]);
      expect(fetch).toHaveBeenCalledTimes(1);
      // Another metric, or a new experiment, counts; the converted variant is left out of the header.
      await client.recordConversion('signup');
      jar = 'sprout-x-checkout=b; sprout-x-banner=a';
      expect((await client.recordConversion()).recorded).toEqual([{ experiment: 'banner', variant: 'a' }]);
      expect(fetch.mock.calls.map(([, init]) => (init!.headers as Record<string, string>)['x-sprout-experiment'])).toEqual(['checkout=b', 'checkout=b', 'banner=a']);
      expect(JSON.parse(store.items.get('sprout-converted:conversion')!)).toEqual(['checkout=b', 'banner=a']);
      // `repeat` counts again; a failed call is not remembered.
      await client.recordConversion(undefined, { repeat: true });
      expect(fetch).toHaveBeenCalledTimes(4);
      const failing = new ItemsClient({ baseUrl: '/api', fetch: fakeFetch(503, {}), cookies: () => 'sprout-x-price=v2', conversionStore: store });
      await expect(failing.recordConversion()).rejects.toMatchObject({ status: 503 });
      expect(JSON.parse(store.items.get('sprout-converted:conversion')!)).not.toContain('price=v2');
    });

    it('survives a storage that refuses or holds junk', async () => {
      const fetch = fakeFetch(202, { metric: 'conversion', recorded: recorded.slice(0, 1) });
      const broken = { getItem: () => '{not json', setItem: () => { throw new Error('QuotaExceededError'); } };
      const client = new ItemsClient({ baseUrl: '/api', fetch, cookies: () => 'sprout-x-checkout=b', conversionStore: broken });
      await client.recordConversion();
      await client.recordConversion();
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    it("turns the API's refusal into an ApiError", async () => {
      const client = new ItemsClient({ baseUrl: '/api', fetch: fakeFetch(400, { error: { code: 'VALIDATION_ERROR', message: 'metric must be …' } }), cookies: () => cookies });
      await expect(client.recordConversion('Bad')).rejects.toMatchObject({ name: 'ApiError', status: 400, code: 'VALIDATION_ERROR' });
    });
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

  it('forwards the x-sprout-experiment header of a conversion, not the cookies', async () => {
    const client = new ItemsClient({ baseUrl: `${dev.url}/api`, cookies: () => 'sprout-x-checkout=b' });
    await client.recordConversion('signup');
    const last = received.at(-1)!;
    expect(`${last.method} ${last.url}`).toBe('POST /prod/conversions');
    expect(last.headers).toMatchObject({ 'x-sprout-experiment': 'checkout=b' });
    expect(last.headers).not.toHaveProperty('cookie');
    expect(JSON.parse(last.body)).toEqual({ metric: 'signup' });
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
