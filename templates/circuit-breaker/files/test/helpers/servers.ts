import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a fake downstream service answers. */
export interface Behaviour {
  /** Milliseconds before it answers. */
  delayMs?: number;
  status?: number;
  /** A string is sent as is; anything else as JSON. Absent: `{ "from": <name> }`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the status and headers at once and only the body after delayMs (a stalled body). */
  headersFirst?: boolean;
  /** Answer only once this settles (after delayMs): a downstream call that blocks until the test releases it. */
  gate?: Promise<unknown>;
}

export interface Hit {
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request arrived. */
  at: number;
  /** The client closed the connection before the answer was complete (a timeout or a cancellation). */
  closedEarly: boolean;
}

export interface FakeService {
  name: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  hits: Hit[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 and a free port that answers every request after a set delay (or
 * when released): a downstream service with known latency, status and body.
 */
export async function startService(name: string, behaviour: Behaviour | ((request: IncomingMessage) => Behaviour) = {}): Promise<FakeService> {
  const hits: Hit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const hit: Hit = { url: request.url ?? '', headers: request.headers, at: performance.now(), closedEarly: false };
    hits.push(hit);
    response.on('close', () => {
      if (!response.writableFinished) hit.closedEarly = true;
    });
    const { delayMs = 0, status = 200, body = { from: name }, headers = {}, headersFirst = false, gate } = typeof behaviour === 'function' ? behaviour(request) : behaviour;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const contentType = typeof body === 'string' ? 'text/plain' : 'application/json';
    if (headersFirst) {
      response.writeHead(status, { 'content-type': contentType, ...headers });
      response.flushHeaders();
    }
    const answer = () => {
      if (response.destroyed) return;
      if (!headersFirst) response.writeHead(status, { 'content-type': contentType, ...headers });
      response.end(status === 204 ? undefined : text);
    };
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (gate) void gate.then(answer, answer);
      else answer();
    }, delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name,
    origin,
    hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (for "connection refused"). */
export async function closedPort(): Promise<string> {
  const service = await startService('closed');
  await service.close();
  return service.origin;
}
