import { createHash, createHmac, randomBytes } from 'node:crypto';
import vm from 'node:vm';

import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResponse } from '../../runtime/edge-router/cloudfront.js';

/**
 * CloudFront Functions (cloudfront-js-1.0 / 2.0) run in node:vm with the event shape CloudFront
 * gives them ("CloudFront Functions event structure"): headers, cookies and query strings as
 * objects of `{ value, multiValue? }`, lower-case header names, the Cookie header split into
 * `cookies`. A viewer-request function returns the request (possibly changed) or a response; a
 * viewer-response function returns the response. What CloudFront forbids (network, file system)
 * is simply absent from the sandbox.
 */

type Field = { value: string; multiValue?: Array<{ value: string }>; attributes?: string };
type FieldMap = Record<string, Field>;

export interface FunctionRequest {
  method: string;
  uri: string;
  querystring: FieldMap | string;
  headers: FieldMap;
  cookies: FieldMap;
}

export interface FunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: FieldMap;
  cookies?: FieldMap;
  body?: string | { data: string; encoding: 'text' | 'base64' };
}

export interface CompiledFunction {
  name: string;
  run(event: unknown): Promise<unknown>;
}

/** Sync CPU limit per invocation (CloudFront's is about 1 ms of compute; generous here, it is a laptop). */
const RUN_TIMEOUT_MS = 1000;

export function compileFunction(name: string, code: string): CompiledFunction {
  const modules: Record<string, unknown> = {
    crypto: { createHash, createHmac, randomBytes },
    querystring: { parse: (s: string) => Object.fromEntries(new URLSearchParams(s)), stringify: (o: Record<string, string>) => new URLSearchParams(o).toString() },
    cloudfront: {
      kvs: () => {
        throw new Error(`${name}: CloudFront KeyValueStore is not available locally`);
      },
    },
  };
  const context = vm.createContext({
    console: { log: (...args: unknown[]) => console.log(`[${name}]`, ...args) },
    require: (id: string) => {
      if (id in modules) return modules[id];
      throw new Error(`${name}: module ${id} is not available in CloudFront Functions`);
    },
    Buffer,
    TextEncoder,
    TextDecoder,
  });
  const handler = new vm.Script(`${code}\n;typeof handler === 'function' ? handler : undefined`, { filename: `${name}.js` }).runInContext(context, { timeout: RUN_TIMEOUT_MS }) as ((event: unknown) => unknown) | undefined;
  if (typeof handler !== 'function') throw new Error(`CloudFront Function ${name} defines no handler function`);
  return {
    name,
    async run(event) {
      const result = vm.runInContext('(h, e) => h(e)', context, { timeout: RUN_TIMEOUT_MS }) as (h: unknown, e: unknown) => unknown;
      return await result(handler, JSON.parse(JSON.stringify(event)));
    },
  };
}

export function toFunctionHeaders(headers: CloudFrontHeaders, skip: string[] = []): FieldMap {
  const out: FieldMap = {};
  for (const [name, entries] of Object.entries(headers)) {
    if (skip.includes(name) || !entries?.length) continue;
    out[name] = entries.length > 1 ? { value: entries[0]!.value, multiValue: entries.map((e) => ({ value: e.value })) } : { value: entries[0]!.value };
  }
  return out;
}

function fromFunctionHeaders(fields: FieldMap | undefined): CloudFrontHeaders {
  const out: CloudFrontHeaders = {};
  for (const [name, field] of Object.entries(fields ?? {})) {
    const values = field.multiValue?.length ? field.multiValue.map((m) => m.value) : [field.value];
    out[name.toLowerCase()] = values.map((value) => ({ key: name, value }));
  }
  return out;
}

function parsePairs(text: string, separator: string): FieldMap {
  const out: FieldMap = {};
  for (const pair of text.split(separator)) {
    const trimmed = pair.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    const name = eq < 0 ? trimmed : trimmed.slice(0, eq);
    const value = eq < 0 ? '' : trimmed.slice(eq + 1);
    add(out, separator === '&' ? safeDecode(name) : name, separator === '&' ? safeDecode(value) : value);
  }
  return out;
}

function add(out: FieldMap, name: string, value: string, attributes?: string): void {
  const existing = out[name];
  const entry = attributes !== undefined ? { value, attributes } : { value };
  if (!existing) out[name] = entry;
  else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value, ...(existing.attributes !== undefined ? { attributes: existing.attributes } : {}) }]), entry];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function toFunctionRequest(request: CloudFrontRequest): FunctionRequest {
  return {
    method: request.method,
    uri: request.uri,
    querystring: parsePairs(request.querystring, '&'),
    headers: toFunctionHeaders(request.headers, ['cookie']),
    cookies: parsePairs((request.headers['cookie'] ?? []).map((e) => e.value).join('; '), ';'),
  };
}

/** A request a function returned, back in the Lambda@Edge shape the rest of the pipeline uses. */
export function fromFunctionRequest(result: FunctionRequest, original: CloudFrontRequest): CloudFrontRequest {
  const headers = fromFunctionHeaders(result.headers);
  const cookies = Object.entries(result.cookies ?? {}).flatMap(([name, field]) => (field.multiValue?.length ? field.multiValue : [field]).map((v) => `${name}=${v.value}`));
  if (cookies.length) headers['cookie'] = [{ key: 'Cookie', value: cookies.join('; ') }];
  const querystring =
    typeof result.querystring === 'string'
      ? result.querystring.replace(/^\?/, '')
      : Object.entries(result.querystring ?? {})
          .flatMap(([name, field]) => (field.multiValue?.length ? field.multiValue : [field]).map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v.value)}`))
          .join('&');
  return { ...original, method: original.method, uri: result.uri ?? original.uri, querystring, headers };
}

export function toFunctionResponse(response: CloudFrontResponse): FunctionResponse {
  const cookies: FieldMap = {};
  for (const entry of response.headers['set-cookie'] ?? []) {
    const [pair = '', ...attributes] = entry.value.split(';');
    const eq = pair.indexOf('=');
    add(cookies, pair.slice(0, Math.max(0, eq)).trim(), pair.slice(eq + 1).trim(), attributes.join(';').trim());
  }
  return { statusCode: Number(response.status), statusDescription: response.statusDescription ?? '', headers: toFunctionHeaders(response.headers, ['set-cookie']), cookies };
}

export function isFunctionResponse(value: unknown): value is FunctionResponse {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/** A response a function generated or changed, in the Lambda@Edge shape, with its body as bytes. */
export function fromFunctionResponse(result: FunctionResponse): { response: CloudFrontResponse; body?: Buffer } {
  const headers = fromFunctionHeaders(result.headers);
  const cookies = Object.entries(result.cookies ?? {}).flatMap(([name, field]) =>
    (field.multiValue?.length ? field.multiValue : [field]).map((v: Field | { value: string; attributes?: string }) => `${name}=${v.value}${v.attributes ? `; ${v.attributes}` : ''}`),
  );
  if (cookies.length) headers['set-cookie'] = cookies.map((value) => ({ key: 'Set-Cookie', value }));
  const body = result.body === undefined ? undefined : typeof result.body === 'string' ? Buffer.from(result.body) : Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8');
  return { response: { status: String(result.statusCode), statusDescription: result.statusDescription ?? '', headers }, ...(body ? { body } : {}) };
}
