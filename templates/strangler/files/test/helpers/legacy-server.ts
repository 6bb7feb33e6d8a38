import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake legacy backend answers for one request. */
export interface LegacyAnswer {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  /** Milliseconds before it answers. */
  delayMs?: number;
}

export interface LegacyRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface LegacyServer {
  /** `http://127.0.0.1:<port>`: what LEGACY_BASE_URL points at in the tests. */
  origin: string;
  requests: LegacyRequest[];
  /** How it answers from now on. */
  answer(answer: (request: LegacyRequest) => LegacyAnswer): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for the legacy backend. */
export async function startLegacyServer(): Promise<LegacyServer> {
  const requests: LegacyRequest[] = [];
  let respond: (request: LegacyRequest) => LegacyAnswer = () => ({ status: 404, body: { message: 'Not Found' } });
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response: ServerResponse) => {
    const seen = { method: request.method ?? '', url: request.url ?? '', headers: request.headers };
    requests.push(seen);
    const { status = 200, body = {}, contentType, delayMs = 0 } = respond(seen);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json') });
      response.end(text);
    }, delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
