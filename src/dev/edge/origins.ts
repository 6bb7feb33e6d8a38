import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { CloudFrontHeaders, CloudFrontResponse } from '../../runtime/edge-router/cloudfront.js';
import { RELEASES_PREFIX } from '../../runtime/edge-router/release-document.js';
import { cacheControlOf, contentTypeOf } from '../../edge/release-files.js';
import { localEdgeDir } from '../../edge/release-store.js';
import { fromFetchHeaders, toFetchHeaders } from './headers.js';

export interface OriginAnswer {
  response: CloudFrontResponse;
  body: Buffer;
}

/** The bucket of an S3 REST endpoint domain (`<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3.amazonaws.com`, dual-stack); undefined for anything else (website endpoints are custom origins). */
export function bucketOfDomain(domain: string): string | undefined {
  const match = /^(.+)\.s3(?:\.dualstack)?(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/.exec(domain.toLowerCase());
  if (!match || match[2]?.startsWith('website')) return undefined;
  return match[1];
}

const ACCESS_DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

function xmlError(status: number, code: string, message: string): OriginAnswer {
  const body = Buffer.from(code === 'AccessDenied' ? ACCESS_DENIED : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  return { response: { status: String(status), statusDescription: code, headers: { 'content-type': [{ key: 'Content-Type', value: 'application/xml' }] } }, body };
}

export interface S3OriginReader {
  get(input: { bucket: string; key: string; method: string }): Promise<OriginAnswer>;
}

/**
 * An S3 origin behind origin access control. Keys under releases/ are first looked up in
 * <root>/.sprout/local/site/, where `sprout release upload --stage local` puts releases (with the
 * Content-Type and Cache-Control the S3 uploader would set); everything else comes from the local
 * bucket in s3rver. A missing key is 403 AccessDenied, as S3 answers a principal that may not
 * s3:ListBucket (an OAC distribution's case), not 404.
 */
export function s3OriginReader(options: { endpoint: string; root: string }): S3OriginReader & { close(): void } {
  const site = join(localEdgeDir(options.root), 'site');
  let client: Promise<{ send: (command: unknown) => Promise<any>; destroy(): void; GetObjectCommand: new (input: unknown) => unknown }> | undefined;

  async function getClient() {
    client ??= (async () => {
      const sdk = await import('@aws-sdk/client-s3');
      const { S3RVER_CREDENTIALS } = await import('../emulators.js');
      const c = new sdk.S3Client({ endpoint: options.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      return { send: (command: unknown) => c.send(command as never), destroy: () => c.destroy(), GetObjectCommand: sdk.GetObjectCommand as never };
    })();
    return client;
  }

  async function fromSiteFolder(key: string): Promise<OriginAnswer | undefined> {
    const parts = key.split('/');
    if (parts.some((p) => p === '..' || p === '.' || p === '')) return undefined;
    const file = join(site, ...parts);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const inRelease = parts.slice(2).join('/');
    return {
      response: {
        status: '200',
        statusDescription: 'OK',
        headers: {
          'content-type': [{ key: 'Content-Type', value: contentTypeOf(inRelease) }],
          'cache-control': [{ key: 'Cache-Control', value: cacheControlOf(inRelease) }],
          'last-modified': [{ key: 'Last-Modified', value: info.mtime.toUTCString() }],
        },
      },
      body: await readFile(file),
    };
  }

  return {
    async get({ bucket, key }) {
      if (!key || key.endsWith('/')) return xmlError(403, 'AccessDenied', 'Access Denied');
      if (key.startsWith(RELEASES_PREFIX)) {
        const local = await fromSiteFolder(key);
        if (local) return local;
      }
      const s3 = await getClient();
      try {
        const out = await s3.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
        // HEAD too: the viewer gets the object's Content-Length, without the body.
        const body = Buffer.from(await out.Body.transformToByteArray());
        const headers: CloudFrontHeaders = {};
        const set = (name: string, value: unknown) => {
          if (value !== undefined && value !== null && value !== '') headers[name.toLowerCase()] = [{ key: name, value: value instanceof Date ? value.toUTCString() : String(value) }];
        };
        set('Content-Type', out.ContentType ?? 'binary/octet-stream');
        set('ETag', out.ETag);
        set('Last-Modified', out.LastModified);
        set('Cache-Control', out.CacheControl);
        set('Content-Encoding', out.ContentEncoding);
        set('Content-Disposition', out.ContentDisposition);
        for (const [name, value] of Object.entries((out.Metadata ?? {}) as Record<string, string>)) set(`x-amz-meta-${name}`, value);
        return { response: { status: '200', statusDescription: 'OK', headers }, body };
      } catch (error) {
        const name = (error as { name?: string }).name;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
          if (name === 'NoSuchBucket') return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          return xmlError(403, 'AccessDenied', 'Access Denied');
        }
        if (name === 'NoSuchBucket') return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
        return xmlError(502, 'BadGateway', `The local S3 origin failed: ${(error as Error).message}`);
      }
    },
    close() {
      void client?.then((c) => c.destroy());
    },
  };
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'content-length'];

/** A custom origin over HTTP(S): `base` is the origin's URL root (scheme, host, port and OriginPath). */
export async function fetchCustomOrigin(input: { base: string; uri: string; querystring: string; method: string; headers: CloudFrontHeaders; body?: Buffer; timeoutMs: number }): Promise<OriginAnswer> {
  const url = `${input.base.replace(/\/$/, '')}${input.uri}${input.querystring ? `?${input.querystring}` : ''}`;
  const headers = toFetchHeaders(input.headers);
  for (const name of ['host', ...HOP_BY_HOP]) headers.delete(name);
  try {
    const answer = await fetch(url, {
      method: input.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
      ...(input.body && input.body.length && input.method !== 'GET' && input.method !== 'HEAD' ? { body: input.body } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    const out = fromFetchHeaders(answer.headers);
    // fetch has decoded the body already.
    for (const name of ['content-encoding', ...HOP_BY_HOP]) delete out[name];
    return { response: { status: String(answer.status), statusDescription: answer.statusText, headers: out }, body };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      response: { status: timedOut ? '504' : '502', statusDescription: timedOut ? 'Gateway Timeout' : 'Bad Gateway', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }] } },
      body: Buffer.from(`CloudFront (local) could not reach the origin ${url}: ${(error as Error).message}\n`),
    };
  }
}
