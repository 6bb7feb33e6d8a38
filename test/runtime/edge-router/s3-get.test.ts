import { createHash, createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { s3GetText, signedHeaders } from '../../../src/runtime/edge-router/s3-get.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };

describe('the router\'s SigV4 signer', () => {
  it('reproduces AWS\'s documented example (S3 "Signature calculation: Authorization header", GET Object)', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html: GET /test.txt with a range, 24 May 2013.
    const headers = signedHeaders({
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      region: 'us-east-1',
      service: 's3',
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      now: new Date('2013-05-24T00:00:00Z'),
      headers: { range: 'bytes=0-9' },
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers).toMatchObject({ 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY_SHA256, range: 'bytes=0-9' });
  });

  it('signs the router\'s own request, with a session token, as computed here step by step', () => {
    const host = 'sprout-releases-0123456789ab.s3.us-east-1.amazonaws.com';
    const headers = signedHeaders({ method: 'GET', host, path: '/release.json', region: 'us-east-1', service: 's3', credentials, now: new Date('2026-11-26T21:45:07.123Z') });

    const canonicalRequest = [
      'GET',
      '/release.json',
      '',
      `host:${host}`,
      `x-amz-content-sha256:${EMPTY_SHA256}`,
      'x-amz-date:20261126T214507Z',
      `x-amz-security-token:${credentials.sessionToken}`,
      '',
      'host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
      EMPTY_SHA256,
    ].join('\n');
    const stringToSign = `AWS4-HMAC-SHA256\n20261126T214507Z\n20261126/us-east-1/s3/aws4_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, '20261126'), 'us-east-1'), 's3'), 'aws4_request');
    const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');

    expect(headers).toEqual({
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20261126T214507Z',
      'x-amz-security-token': credentials.sessionToken,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=${signature}`,
    });
  });

  it('GETs the virtual-hosted URL with the signed headers and a timeout, encodes the key, and fails on a non-2xx', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fake = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(calls.length === 1 ? '{"ok":true}' : 'denied', { status: calls.length === 1 ? 200 : 403 });
    }) as unknown as typeof fetch;
    const options = { bucket: 'rel', key: 'stages/prod release(1).json', region: 'us-east-1', timeoutMs: 1500, credentials, fetch: fake, now: () => new Date('2026-11-26T21:45:07Z') };
    expect(await s3GetText(options)).toBe('{"ok":true}');
    expect(calls[0]!.url).toBe('https://rel.s3.us-east-1.amazonaws.com/stages/prod%20release%281%29.json');
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20261126\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    await expect(s3GetText(options)).rejects.toThrow('S3 GetObject answered 403');
  });

  it('gives up when S3 does not answer within the timeout', async () => {
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    const started = Date.now();
    await expect(s3GetText({ bucket: 'rel', key: 'release.json', region: 'us-east-1', timeoutMs: 50, credentials, fetch: hanging })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('takes its credentials from the reserved Lambda environment variables', async () => {
    const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'env-token' });
      let sent: Record<string, string> = {};
      const fake = (async (_url: string, init: RequestInit) => ((sent = init.headers as Record<string, string>), new Response('{}'))) as unknown as typeof fetch;
      await s3GetText({ bucket: 'rel', key: 'release.json', region: 'us-east-1', timeoutMs: 1500, fetch: fake });
      expect(sent.authorization).toContain('Credential=ASIAENVEXAMPLE/');
      expect(sent['x-amz-security-token']).toBe('env-token');
      delete process.env.AWS_ACCESS_KEY_ID;
      await expect(s3GetText({ bucket: 'rel', key: 'release.json', region: 'us-east-1', timeoutMs: 1500, fetch: fake })).rejects.toThrow('no AWS credentials');
    } finally {
      names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
    }
  });
});
