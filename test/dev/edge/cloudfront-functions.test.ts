import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { S3RVER_CREDENTIALS } from '../../../src/dev/emulators.js';
import { compileFunction } from '../../../src/dev/edge/cloudfront-functions.js';
import { type LocalDistributions, startDistributions } from '../../../src/dev/edge/cloudfront.js';
import { loadApp } from '../../../src/dev/model/index.js';
import type { DevLogEvent, ResolvedApp } from '../../../src/dev/types.js';

// The proxied-frontend template's distribution (trimmed from a real synth): two CloudFront
// Functions on viewer-request, an S3 origin for the UI and the API as a custom origin with the
// stage as its OriginPath, served through `originFor` by a local echo server.

const FIXTURE = fileURLToPath(new URL('./fixtures/proxied-cdk.out', import.meta.url));

let root: string;
let s3dir: string;
let s3rver: { close(): Promise<void> };
let s3: S3Client;
let api: Server;
let app: ResolvedApp;
let edge: LocalDistributions;
let base: string;
const asked: string[] = [];
const logs: DevLogEvent[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sprout-edge-proxied-'));
  s3dir = await mkdtemp(join(tmpdir(), 'sprout-edge-proxied-s3-'));
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3dir, silent: true });
  const { port } = await server.run();
  s3rver = server;
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const endpoints = { dynamodb: 'http://127.0.0.1:1', s3: endpoint, kinesis: 'http://127.0.0.1:1', aws: 'http://127.0.0.1:1' };
  app = await loadApp(FIXTURE, endpoints);
  const bucket = app.ofType('AWS::S3::Bucket')[0]!.ref;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ui/index.html', Body: '<!doctype html><title>ui</title>', ContentType: 'text/html' }));

  api = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-frame-options': 'SAMEORIGIN' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', () => resolve()));
  const apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  edge = await startDistributions({
    app,
    root,
    endpoints,
    originFor: (domain) => {
      asked.push(domain);
      return domain.includes('.execute-api.') ? apiBase : undefined;
    },
    log: (e) => logs.push(e),
    localize: (value) => value.replace("connect-src 'self'", "connect-src 'self' http://127.0.0.1:4010"),
  });
  base = edge.distributions[0]!.url;
}, 30_000);

afterAll(async () => {
  await edge?.close();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  s3?.destroy();
  await s3rver?.close();
  await rm(root, { recursive: true, force: true });
  await rm(s3dir, { recursive: true, force: true });
});

describe('CloudFront Functions on the local CloudFront', () => {
  it('runs the viewer-request function: its generated redirect and 404 go straight to the viewer', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    const other = await fetch(`${base}/elsewhere`);
    expect(other.status).toBe(404);
  });

  it("rewrites a client-side route to the UI's index.html in the bucket", async () => {
    const response = await fetch(`${base}/ui/items/42`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>ui</title>');
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    // localize: the policy's AWS values made local (here the CSP's connect-src).
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:4010;");
  });

  it('answers a key the bucket lacks with 403 AccessDenied, as S3 behind OAC does', async () => {
    const response = await fetch(`${base}/ui/missing.png`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('sends /api/* to the API through originFor, with the stage as origin path, the function-stripped path and the viewer IP', async () => {
    const response = await fetch(`${base}/api/items?limit=5`, { method: 'POST', body: '{"name":"a"}', headers: { 'content-type': 'application/json', 'x-custom': 'kept' } });
    expect(response.status).toBe(201);
    const seen = (await response.json()) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/local/items?limit=5');
    expect(seen.body).toBe('{"name":"a"}');
    expect(seen.headers['x-viewer-ip']).toBe('127.0.0.1');
    // AllViewerExceptHostHeader: every viewer header but Host.
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['via']).toMatch(/CloudFront/);
    expect(asked.some((d) => /\.execute-api\.us-east-1\.amazonaws\.com$/.test(d))).toBe(true);
    // Override: true replaces the origin's X-Frame-Options.
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lists nothing as unemulated', () => {
    expect(edge.warnings()).toEqual([]);
    expect(logs.some((e) => e.kind === 'request' && e.message.startsWith('GET /ui/items/42 200'))).toBe(true);
  });
});

describe('compileFunction', () => {
  it('gives a viewer-response function the response with cookies parsed, and takes its changes back', async () => {
    const fn = compileFunction(
      'headers',
      `function handler(event) { var r = event.response; r.headers['x-seen-cookie'] = { value: event.request.cookies.a.value + ':' + r.cookies.sid.value + ':' + r.cookies.sid.attributes }; r.statusDescription = 'Changed'; return r; }`,
    );
    const result = (await fn.run({
      version: '1.0',
      context: { eventType: 'viewer-response' },
      viewer: { ip: '1.2.3.4' },
      request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: { a: { value: '1' } } },
      response: { statusCode: 200, statusDescription: 'OK', headers: {}, cookies: { sid: { value: 'x', attributes: 'Path=/' } } },
    })) as { headers: Record<string, { value: string }>; statusDescription: string };
    expect(result.headers['x-seen-cookie']!.value).toBe('1:x:Path=/');
    expect(result.statusDescription).toBe('Changed');
  });

  it('refuses code without a handler, and has no network or file system', async () => {
    expect(() => compileFunction('empty', 'var x = 1;')).toThrow(/no handler/);
    const fn = compileFunction('sneaky', `function handler(event) { return require('fs'); }`);
    await expect(fn.run({})).rejects.toThrow(/not available in CloudFront Functions/);
  });
});
