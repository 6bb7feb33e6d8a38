/**
 * An HTTP/2 cleartext (h2c, prior knowledge) front for kinesalite. SDK v3's KinesisClient uses
 * HTTP/2 by default and kinesalite only speaks HTTP/1.1, so handlers' own clients (endpoint from
 * AWS_ENDPOINT_URL_KINESIS) point here; each HTTP/2 request is replayed to kinesalite over HTTP/1.1.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers HTTP/2 forbids (connection-specific) or that HTTP/1.1 must not receive as pseudo-headers. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export async function startKinesisH2Front(kinesaliteUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const http2 = await import('node:http2');
  const target = new URL(kinesaliteUrl);
  const server = http2.createServer((req, res) => {
    const headers = forwardable(req.headers);
    // HTTP/2 carries the authority as :authority; kinesalite (and SigV4) expect Host.
    headers.host = String(req.headers[':authority'] ?? req.headers.host ?? target.host);
    const upstream = httpRequest(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, forwardable(response.headers));
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: `kinesalite unreachable: ${error.message}` }));
    });
    req.pipe(upstream);
  });
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
