/**
 * An HTTP/2 cleartext (h2c, prior knowledge) front for kinesalite. SDK v3's KinesisClient uses
 * HTTP/2 by default and kinesalite only speaks HTTP/1.1, so handlers' own clients (endpoint from
 * AWS_ENDPOINT_URL_KINESIS) point here; each HTTP/2 request is replayed to kinesalite over HTTP/1.1.
 * The front port reads a connection's first bytes: one that opens with the HTTP/2 preface is piped
 * to that HTTP/2 server, any other (the AWS CLI, an SDK configured for HTTP/1.1) to kinesalite as it
 * is, so this one endpoint serves every Kinesis client.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';

/** What every HTTP/2 connection opens with (RFC 9113 3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

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
  /** Every open connection, accepted or to kinesalite, so close() need not wait for clients' keep-alive. */
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  /** Pipes a connection, with the bytes already read from it, to a port on this host. */
  const pipeTo = (socket: Socket, head: Buffer, port: number) => {
    const upstream = connect({ host: '127.0.0.1', port });
    track(upstream);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  };
  // The HTTP/2 server listens on a port of its own, which the front pipes HTTP/2 connections to.
  await listen(server);
  const h2Port = (server.address() as AddressInfo).port;
  // Which protocol a connection speaks is known from its first bytes: the HTTP/2 preface, or a request line.
  const front = createNetServer((socket) => {
    track(socket);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const known = Math.min(head.length, H2_PREFACE.length);
      const h2 = head.subarray(0, known).equals(H2_PREFACE.subarray(0, known));
      if (h2 && known < H2_PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      pipeTo(socket, head, h2 ? h2Port : Number(target.port));
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
  await listen(front);
  const { port } = front.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        front.close(() => server.close(() => resolve()));
      }),
  };
}

function listen(server: { once(event: 'error', listener: (error: Error) => void): unknown; listen(port: number, host: string, callback: () => void): unknown }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}
