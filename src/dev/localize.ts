import { createServer } from 'node:net';

import type { ResolvedApp, ResolvedResource } from './types.js';

/**
 * The app's own URLs, as the browser and the handlers must see them locally. An API's invoke URL
 * or a distribution's domain appears in many places once resolved (CORS origins, a CSP's
 * connect-src, config.json, handler environments, outputs): each `https://<aws host>` becomes its
 * localhost URL, once, in the app every part of sprout dev reads. Bare host names (a CloudFront
 * origin's DomainName) are left alone: the local CloudFront maps those itself.
 */
export function localizeApp(app: ResolvedApp, localBaseOf: Map<string, string>): ResolvedApp {
  if (localBaseOf.size === 0) return app;
  const hosts = [...localBaseOf.keys()].map((host) => host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`https://(${hosts.join('|')})(?=[/'"\\s;,]|$)`, 'gi');
  const rewrite = (text: string) => text.replace(pattern, (_whole, host: string) => localBaseOf.get(host.toLowerCase()) ?? _whole);
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return rewrite(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, deep(inner)]));
    return value;
  };
  const resources: ResolvedResource[] = app.resources.map((resource) => ({ ...resource, properties: deep(resource.properties) as Record<string, any> }));
  const byLogicalId = new Map(resources.map((r) => [`${r.stack}/${r.logicalId}`, r]));
  return {
    assemblyDir: app.assemblyDir,
    stacks: app.stacks,
    resources,
    assetDir: (objectKey) => app.assetDir(objectKey),
    outputs: app.outputs.map((output) => ({ ...output, value: rewrite(output.value) })),
    ofType: (type) => resources.filter((r) => r.type === type),
    find: (refOrArn) => {
      const found = app.find(refOrArn);
      return found ? byLogicalId.get(`${found.stack}/${found.logicalId}`) : undefined;
    },
  };
}

/** `count` consecutive free ports from `first`, or from a random free block when `first` is 0. */
export async function reservePorts(first: number, count: number): Promise<number> {
  if (count === 0) return first;
  if (first !== 0) {
    for (let i = 0; i < count; i++) {
      if (!(await isFree(first + i))) throw new PortInUseError(first + i);
    }
    return first;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let free = true;
    for (let i = 0; i < count && free; i++) free = await isFree(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is in use`);
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
