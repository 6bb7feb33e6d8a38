// `npm run dev`: the frontend on http://localhost:5173 against a deployed API, rebuilt on every
// change (reload the page to see it). The browser only talks to this server: /config.json says
// the API is at /api, and /api/* is forwarded to the deployed API. So the page and the API are
// one origin for the browser, and the API's CORS setting (the CloudFront origin only) stays as is.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from 'esbuild';
import { esbuildOptions, FRONTEND_DIR, writeIndexHtml } from './build.js';

export interface DevServerOptions {
  /** The deployed API's base URL (the stack's ApiUrl output). */
  apiUrl: string;
  /** Default 5173; 0 picks a free port. */
  port?: number;
  /** Where the dev build goes. Default dist/dev. */
  outDir?: string;
  /** Rebuild when a source changes. Default true. */
  watch?: boolean;
}

export interface DevServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Request headers passed on to the API; the rest (cookies, Host, Origin) stay here. */
const FORWARDED = ['accept', 'authorization', 'content-type', 'idempotency-key', 'x-sprout-experiment'];

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const outDir = resolve(options.outDir ?? join(FRONTEND_DIR, '..', 'dist', 'dev'));
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const ctx = await context({
    ...esbuildOptions(outDir, { minify: false }),
    plugins: [
      {
        name: 'index-html',
        setup(build) {
          build.onEnd((result) => {
            if (result.errors.length) console.error(`Build failed: ${result.errors.map((e) => e.text).join('; ')}`);
            else if (result.metafile) writeIndexHtml(outDir, result.metafile);
          });
        },
      },
    ],
  });
  await ctx.rebuild();
  if (options.watch ?? true) await ctx.watch();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'DEV_PROXY_ERROR', message: error.message } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ apiUrl: '/api' }));
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      await proxy(request, response, `${apiUrl}${url.pathname.slice('/api'.length)}${url.search}`);
      return;
    }
    // Files of the build; anything else is a client-side route and gets index.html (as CloudFront's fallback does).
    const file = normalize(join(outDir, decodeURIComponent(url.pathname)));
    const inside = file.startsWith(outDir) && existsSync(file) && extname(file) !== '';
    const path = inside ? file : join(outDir, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(path));
  }

  async function proxy(request: IncomingMessage, response: ServerResponse, target: string): Promise<void> {
    const headers = Object.fromEntries(FORWARDED.flatMap((name) => (typeof request.headers[name] === 'string' ? [[name, request.headers[name]]] : [])));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(target, { method: request.method ?? 'GET', headers, ...(body ? { body } : {}) });
    const type = answer.headers.get('content-type');
    response.writeHead(answer.status, type ? { 'content-type': type } : {});
    response.end(Buffer.from(await answer.arrayBuffer()));
  }

  await new Promise<void>((ready) => server.listen(options.port ?? 5173, 'localhost', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: async () => {
      await ctx.dispose();
      await new Promise<void>((done) => (server as Server).close(() => done()));
    },
  };
}

/** API_URL, or the ApiUrl output in cdk-outputs.json (`npm run deploy -- --outputs-file cdk-outputs.json`). */
function deployedApiUrl(): string {
  if (process.env.API_URL) return process.env.API_URL;
  const outputsFile = join(FRONTEND_DIR, '..', 'cdk-outputs.json');
  if (existsSync(outputsFile)) {
    const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
    const apiUrl = Object.values(outputs).find((stack) => stack.ApiUrl)?.ApiUrl;
    if (apiUrl) return apiUrl;
  }
  throw new Error('No API to talk to: deploy with `npm run deploy -- --outputs-file cdk-outputs.json`, or set API_URL.');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const apiUrl = deployedApiUrl();
  const server = await startDevServer({ apiUrl, port: Number(process.env.PORT ?? 5173) });
  console.log(`Frontend on ${server.url}, API calls forwarded to ${apiUrl}. Ctrl-C stops.`);
}
