/**
 * Serves every API of the app over real HTTP on 127.0.0.1: one node:http server per API, so each
 * keeps the paths its invoke URL has (`/<stage>/...` for REST, none for a `$default` HTTP API stage).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { DevLog, Invoker, LocalEndpoints, ResolvedApp } from '../types.js';
import { createHttpApi, readHttpApis } from './http.js';
import type { ApiRequest, ApiResponse } from './messages.js';
import { createRestApi } from './rest.js';
import { readRestApis } from './rest-model.js';

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface StartApisOptions {
  app: ResolvedApp;
  invoker: Invoker;
  endpoints: LocalEndpoints;
  log: DevLog;
  /** The first API's port (0 or absent: any free port); the next APIs take the following free ports. */
  port?: number;
  now?: () => number;
}

export interface ServedApi {
  id: string;
  name: string;
  kind: 'rest' | 'http';
  stage: string;
  /** The local invoke URL (what the stage's invoke URL is in AWS). */
  url: string;
}

export interface RunningApis {
  apis: ServedApi[];
  /** What cannot be emulated exactly (unverified JWTs, unresolved values): shown in the banner. */
  warnings(): string[];
  /** The local base URL (no stage) for `<apiId>.execute-api.<region>.amazonaws.com`, or a URL on it. */
  originFor(domain: string): string | undefined;
  close(): Promise<void>;
}

interface Handler {
  id: string;
  name: string;
  kind: 'rest' | 'http';
  stage: string;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

export async function startApis(options: StartApisOptions): Promise<RunningApis> {
  const { app, invoker, endpoints, log } = options;
  const warnings: string[] = [];
  const handlers: Handler[] = [];
  for (const model of readRestApis(app)) {
    warnings.push(...model.warnings);
    const cognito = [...allMethods(model.root)].some((method) => method.authorizationType === 'COGNITO_USER_POOLS');
    if (cognito) warnings.push(`${model.name}: Cognito user pool tokens are decoded but not verified locally (any well-formed, unexpired JWT is accepted)`);
    const api = createRestApi(model, { invoker, endpoints, now: options.now });
    handlers.push({ id: model.id, name: model.name, kind: 'rest', stage: model.stage, handle: api.handle });
  }
  const http = readHttpApis(app);
  warnings.push(...http.warnings);
  for (const model of http.apis) {
    warnings.push(...model.warnings);
    if (model.routes.some((route) => route.authorizationType === 'JWT')) warnings.push(`${model.name}: JWT signatures are not verified locally (issuer, audience, expiry and scopes are checked)`);
    const api = createHttpApi(model, { invoker, now: options.now });
    handlers.push({ id: model.id, name: model.name, kind: 'http', stage: model.stage, handle: api.handle });
  }

  const servers: Server[] = [];
  const apis: ServedApi[] = [];
  const bases = new Map<string, string>();
  try {
    let nextPort = options.port ?? 0;
    for (const handler of handlers) {
      const server = createServer((req, res) => void serve(handler, req, res, log));
      const port = await listenFrom(server, nextPort);
      servers.push(server);
      if (nextPort !== 0) nextPort = port + 1;
      const base = `http://127.0.0.1:${port}`;
      bases.set(handler.id.toLowerCase(), base);
      const stagePath = handler.kind === 'rest' || handler.stage !== '$default' ? `/${handler.stage}` : '';
      apis.push({ id: handler.id, name: handler.name, kind: handler.kind, stage: handler.stage, url: `${base}${stagePath}` });
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  return {
    apis,
    warnings: () => [...warnings],
    originFor(domain: string) {
      const host = domain.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.split(':')[0]!.toLowerCase();
      const id = /^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.exec(host)?.[1];
      return id ? bases.get(id) : undefined;
    },
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function* allMethods(node: import('./rest-model.js').RestResourceNode): Generator<import('./rest-model.js').RestMethod> {
  yield* node.methods.values();
  for (const child of node.children) yield* allMethods(child);
}

async function serve(handler: Handler, req: IncomingMessage, res: ServerResponse, log: DevLog): Promise<void> {
  const started = Date.now();
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  let response: ApiResponse;
  try {
    const { body, tooLarge } = await readBody(req);
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    response = await handler.handle({
      method: req.method ?? 'GET',
      path,
      rawQuery: queryAt < 0 ? '' : url.slice(queryAt + 1),
      headers,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      tooLarge,
    });
  } catch (error) {
    log({ kind: 'error', source: handler.name, message: `${req.method} ${path}: ${(error as Error).stack ?? String(error)}` });
    response = { statusCode: 500, headers: [['Content-Type', 'application/json']], body: Buffer.from('{"message":"Internal server error"}'), note: (error as Error).message };
  }
  const flat: string[] = [];
  for (const [name, value] of response.headers) {
    if (name.toLowerCase() === 'content-length') continue;
    flat.push(name, value);
  }
  flat.push('Content-Length', String(response.body.length));
  try {
    res.writeHead(response.statusCode, flat);
    res.end(req.method === 'HEAD' ? undefined : response.body);
  } catch (error) {
    // An invalid header from a function (bad characters) must not kill the server.
    if (!res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end('{"message": "Internal server error"}');
    }
    response = { ...response, statusCode: 502, note: `invalid response: ${(error as Error).message}` };
  }
  const ms = Date.now() - started;
  log({
    kind: 'request',
    source: handler.name,
    message: `${req.method} ${path} ${response.statusCode} ${ms}ms`,
    data: { api: handler.id, method: req.method, path, status: response.statusCode, durationMs: ms, ...(response.note ? { note: response.note } : {}) },
  });
}

function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained, not kept.
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

/** Listens on `port` (0: any free port), or the next free port after it when taken. */
async function listenFrom(server: Server, port: number): Promise<number> {
  for (let candidate = port, attempts = 0; ; candidate++, attempts++) {
    try {
      return await listen(server, candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || attempts > 100) throw error;
    }
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
