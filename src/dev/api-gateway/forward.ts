/** One HTTP call from an integration to a backend (a local service or an HTTP endpoint), with API Gateway's timeout. */

export interface ForwardRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  timeoutMs: number;
}

export type ForwardResult =
  | { kind: 'response'; status: number; headers: Array<[string, string]>; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

/** Headers fetch (and HTTP/1.1 framing) own; a proxy must not copy them through. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

export function forwardableHeaders(headers: Array<[string, string]>): Array<[string, string]> {
  return headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
}

export async function forward(request: ForwardRequest): Promise<ForwardResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const headers = new Headers();
    for (const [name, value] of forwardableHeaders(request.headers)) headers.append(name, value);
    const hasBody = request.body !== undefined && request.body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD';
    const response = await fetch(request.url, { method: request.method, headers, body: hasBody ? new Uint8Array(request.body!) : undefined, signal: controller.signal, redirect: 'manual' });
    const body = Buffer.from(await response.arrayBuffer());
    const out: Array<[string, string]> = [];
    response.headers.forEach((value, name) => {
      if (name === 'set-cookie') return;
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out.push([name, value]);
    });
    for (const cookie of response.headers.getSetCookie()) out.push(['set-cookie', cookie]);
    return { kind: 'response', status: response.status, headers: out, body };
  } catch (error) {
    if (controller.signal.aborted) return { kind: 'timeout' };
    return { kind: 'error', message: (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
