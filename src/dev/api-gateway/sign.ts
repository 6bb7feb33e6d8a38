import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

import { LOCAL_REGION } from '../types.js';

/** Any credentials do locally, but s3rver accepts only these, so every local service gets them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The SHA-256 SignatureV4 asks for, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * API Gateway signs an AWS integration's request with the integration role's credentials
 * (SigV4); the local services check that a request is signed (kinesalite and dynalite refuse one
 * without an Authorization header), so the local call is signed the same way.
 */
export async function signedHeaders(request: { method: string; url: string; headers: Array<[string, string]>; body: Buffer; service: string }): Promise<Array<[string, string]>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL(request.url);
  const signer = new SignatureV4({ service: request.service, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, sha256: Sha256 });
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of request.headers) headers[name] = value;
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: request.body,
  });
  return Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host');
}
