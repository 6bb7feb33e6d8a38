import { createHash, createHmac } from 'node:crypto';

import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';

import { s3GetText, signedHeaders } from '../../../src/runtime/edge-router/s3-get.js';

// The router's hand-written SigV4 signer, checked against the AWS SDK's own signer on the same request.

/** node:crypto behind the SDK's hash interface. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
const now = new Date('2026-11-26T21:45:07.123Z');

async function sdkAuthorization(host: string, path: string, withToken: boolean) {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: NodeSha256, credentials: withToken ? credentials : { ...credentials, sessionToken: undefined }, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign(
    { method: 'GET', protocol: 'https:', hostname: host, path, headers: { host, 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } },
    { signingDate: now },
  );
  return signed.headers.authorization;
}

describe('the router\'s SigV4 signer', () => {
  it.each([true, false])('signs a GetObject exactly as the AWS SDK does (session token: %s)', async (withToken) => {
    const host = 'sprout-releases-0123456789ab.s3.us-east-1.amazonaws.com';
    const ours = signedHeaders({ method: 'GET', host, path: '/release.json', region: 'us-east-1', service: 's3', credentials: withToken ? credentials : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, now });
    expect(ours.authorization).toBe(await sdkAuthorization(host, '/release.json', withToken));
    expect(ours['x-amz-date']).toBe('20261126T214507Z');
    expect(ours['x-amz-security-token']).toBe(withToken ? credentials.sessionToken : undefined);
    expect(ours).not.toHaveProperty('host');
  });

  it('GETs the virtual-hosted URL with the signed headers and a timeout, and fails on a non-2xx', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fake = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(calls.length === 1 ? '{"ok":true}' : 'denied', { status: calls.length === 1 ? 200 : 403 });
    }) as unknown as typeof fetch;
    const options = { bucket: 'rel', key: 'stages/release.json', region: 'us-east-1', timeoutMs: 1500, credentials, fetch: fake, now: () => now };
    expect(await s3GetText(options)).toBe('{"ok":true}');
    expect(calls[0]!.url).toBe('https://rel.s3.us-east-1.amazonaws.com/stages/release.json');
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20261126\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    await expect(s3GetText(options)).rejects.toThrow('S3 GetObject answered 403');
  });
});
