/**
 * The transport-neutral request and response every API handler works on: server.ts turns node's
 * IncomingMessage into an ApiRequest and writes the ApiResponse back, so handlers are testable
 * without sockets and the REST and HTTP flavours share one shape.
 */

export interface ApiRequest {
  method: string;
  /** The path as received, percent-encoding intact, without the query string. */
  path: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Header pairs in arrival order, names as the client spelled them. */
  headers: Array<[string, string]>;
  body: Buffer;
  sourceIp: string;
  /** Set by the server when the body passed API Gateway's 10 MB limit (the body is then cut). */
  tooLarge?: boolean;
}

export interface ApiResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Buffer;
  /** Why API Gateway answered this itself or the integration failed (for the log line, never sent). */
  note?: string;
}

export function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  let found: string | undefined;
  // API Gateway's single-value maps keep the last occurrence.
  for (const [key, value] of headers) if (key.toLowerCase() === lower) found = value;
  return found;
}

export function jsonResponse(statusCode: number, value: unknown, headers: Array<[string, string]> = []): ApiResponse {
  return { statusCode, headers: [['Content-Type', 'application/json'], ...headers], body: Buffer.from(JSON.stringify(value)) };
}

/** Decoded query parameters in order (`a=1&a=2&b` → [[a,1],[a,2],[b,'']]), `+` as space like API Gateway. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([safeDecode(key), safeDecode(value)]);
  }
  return pairs;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function decodePathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** Whether `type` matches a binaryMediaTypes/CORS-style pattern (`image/*`, `*\/*`). */
export function mediaTypeMatches(pattern: string, type: string): boolean {
  const [pMain, pSub] = pattern.toLowerCase().split('/');
  const [tMain, tSub] = type.toLowerCase().split('/');
  return (pMain === '*' || pMain === tMain) && (pSub === '*' || pSub === tSub);
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime format. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** An id shaped like API Gateway's extendedRequestId (`Ab1CdEfGhIjKlMn=`). */
export function extendedRequestId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 15; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `${id}=`;
}

/** Runs `work` with a deadline: resolves `{ timedOut: true }` when it passes (the work is not cancelled, as in AWS). */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ timedOut: false as const, value })), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** HTTP API (payload 2.0) maps: repeated names joined with commas. */
export function valueMapsJoined(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of pairs) out[key] = key in out ? `${out[key]},${value}` : value;
  return out;
}
