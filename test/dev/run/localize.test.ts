import { createServer, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { localizeApp, PortInUseError, reservePorts } from '../../../src/dev/localize.js';
import type { ResolvedApp, ResolvedResource } from '../../../src/dev/types.js';

const API = 'abc123defg.execute-api.us-east-1.amazonaws.com';
const SITE = 'e1a2b3c4d5e6f7.cloudfront.net';

function appOf(resources: ResolvedResource[]): ResolvedApp {
  return {
    assemblyDir: '/cdk.out',
    stacks: ['shop-local'],
    resources,
    outputs: [{ stack: 'shop-local', key: 'ApiUrl', value: `https://${API}/local/` }],
    ofType: (type) => resources.filter((r) => r.type === type),
    find: (ref) => resources.find((r) => r.ref === ref),
    assetDir: (key) => (key === 'a.zip' ? '/cdk.out/asset.a' : undefined),
  };
}

const resource = (logicalId: string, type: string, properties: Record<string, any>): ResolvedResource => ({ stack: 'shop-local', logicalId, type, properties, metadata: {}, ref: logicalId, attributes: {} });

describe('localizeApp', () => {
  const app = appOf([
    resource('Fn', 'AWS::Lambda::Function', { Environment: { Variables: { ALLOWED_ORIGIN: `https://${SITE}`, API: `https://${API}/local/items`, OTHER: 'https://example.com' } } }),
    resource('Headers', 'AWS::CloudFront::ResponseHeadersPolicy', { Csp: `connect-src 'self' https://${API}; frame-ancestors 'none'` }),
    resource('Site', 'AWS::CloudFront::Distribution', { Origins: [{ DomainName: API, OriginPath: '/local' }] }),
  ]);
  const local = localizeApp(app, new Map([[SITE, 'http://127.0.0.1:3000'], [API, 'http://127.0.0.1:3001']]));

  it('rewrites the app’s own https URLs to localhost in every property and output', () => {
    expect(local.find('Fn')!.properties.Environment.Variables).toEqual({ ALLOWED_ORIGIN: 'http://127.0.0.1:3000', API: 'http://127.0.0.1:3001/local/items', OTHER: 'https://example.com' });
    expect(local.ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]!.properties.Csp).toBe("connect-src 'self' http://127.0.0.1:3001; frame-ancestors 'none'");
    expect(local.outputs[0]!.value).toBe('http://127.0.0.1:3001/local/');
  });

  it('leaves bare host names (origins) alone, and the source app untouched', () => {
    expect(local.find('Site')!.properties.Origins[0].DomainName).toBe(API);
    expect(app.find('Fn')!.properties.Environment.Variables.API).toBe(`https://${API}/local/items`);
    expect(local.assetDir('a.zip')).toBe('/cdk.out/asset.a');
  });

  it('does not touch a longer host that merely starts with an app host', () => {
    const other = localizeApp(appOf([resource('Fn', 'AWS::Lambda::Function', { Url: `https://${SITE}.evil.example/x` })]), new Map([[SITE, 'http://127.0.0.1:3000']]));
    expect(other.find('Fn')!.properties.Url).toBe(`https://${SITE}.evil.example/x`);
  });
});

describe('reservePorts', () => {
  let blocker: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it('finds a block of consecutive free ports for --port 0', async () => {
    const base = await reservePorts(0, 3);
    expect(base).toBeGreaterThanOrEqual(20_000);
  });

  it('refuses a block in which a port is taken, naming the port', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)));
    await expect(reservePorts(port, 2)).rejects.toEqual(new PortInUseError(port));
    await expect(reservePorts(port, 1)).rejects.toMatchObject({ port, message: `port ${port} is in use` });
  });
});
