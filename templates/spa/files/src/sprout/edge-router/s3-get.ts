// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

import { createHash, createHmac } from 'node:crypto';

/**
 * A SigV4-signed S3 GetObject over fetch: the router's only AWS call. The AWS SDK would multiply
 * the bundle (and the cold start) many times over for this one request. Credentials come from the
 * reserved environment variables Lambda sets for the function's role (Lambda@Edge has no others).
 */
export interface S3GetOptions {
  bucket: string;
  key: string;
  region: string;
  timeoutMs: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  fetch?: typeof fetch;
  now?: () => Date;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export async function s3GetText(options: S3GetOptions): Promise<string> {
  const credentials = options.credentials ?? credentialsFromEnvironment();
  const host = `${options.bucket}.s3.${options.region}.amazonaws.com`;
  const path = `/${options.key.split('/').map(encodeRfc3986).join('/')}`;
  const headers = signedHeaders({ method: 'GET', host, path, region: options.region, service: 's3', credentials, now: (options.now ?? (() => new Date()))() });
  const response = await (options.fetch ?? fetch)(`https://${host}${path}`, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
  if (!response.ok) throw new Error(`S3 GetObject answered ${response.status}`);
  return response.text();
}

export interface SigningInput {
  method: string;
  host: string;
  /** Already URI-encoded. */
  path: string;
  region: string;
  service: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  now: Date;
  /** More headers to sign and send, with lower-case names (the router sends none; AWS's documented example has a range). */
  headers?: Record<string, string>;
}

/** The headers of a SigV4-signed request with an empty body and no query string. */
export function signedHeaders(input: SigningInput): Record<string, string> {
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, host: input.host, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': amzDate };
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalRequest = [input.method, input.path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), EMPTY_SHA256].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const { host: _host, ...sent } = headers;
  return { ...sent, authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function credentialsFromEnvironment() {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}
