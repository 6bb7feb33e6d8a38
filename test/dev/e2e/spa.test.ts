import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { json, sprout } from '../../helpers/cli.js';
import { type DevProcess, project, startDev } from './dev-process.js';

/** The router's document cache in the spa template (routerCacheSeconds, default 10). */
const ROUTER_TTL_MS = 10_000;

// The local CloudFront port runs the edge router against .sprout/local/release.json; releases are
// uploaded with `sprout release create --stage local` and rolled out with `sprout rollout …` from
// other processes, exactly as a user would in a second terminal.
describe('sprout dev: spa rollouts through the local CloudFront', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let site: string;
  let stable: string;
  let candidate: string;
  const cli = async (...args: string[]) => {
    const run = await sprout([...args, '--stage', 'local', '--json'], { cwd: app.dir });
    expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return json(run).result;
  };

  async function release(label: string): Promise<string> {
    const dir = join(app.dir, '..', `build-${label}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.html'), `<!doctype html><title>${label}</title><p>release ${label}</p>`);
    return (await cli('release', 'create', '--dir', dir)).release.id;
  }

  beforeAll(async () => {
    app = await project('spa');
    stable = await release('A');
    await cli('rollout', 'start', stable, '--steps', '100');
    await cli('rollout', 'promote', '--full');
    candidate = await release('B');
    await cli('rollout', 'start', candidate, '--steps', '50,100');
    dev = await startDev(app.dir);
    site = dev.ready.distributions[0]!.url;
  }, 300_000);

  afterAll(async () => {
    await dev?.stop();
    await app?.remove();
  });

  /** One request from a new browser (no cookies): which release answered, and the cookie it was given. */
  async function visit(cookie?: string): Promise<{ label: string; cookie?: string; response: Response }> {
    const response = await fetch(site, { headers: cookie ? { cookie } : {} });
    const body = await response.text();
    const label = /release (\w)/.exec(body)?.[1] ?? `status ${response.status}`;
    const uid = response.headers.getSetCookie().find((c) => c.startsWith('sprout-uid='));
    return { label, cookie: uid?.split(';')[0], response };
  }

  async function visits(count: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let done = 0; done < count; done += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, count - done) }, () => visit()));
      for (const { label } of batch) counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    return counts;
  }

  it('splits 2,000 cookie-less clients 50/50 within ±5%', async () => {
    const counts = await visits(2000);
    expect([...counts.keys()].sort()).toEqual(['A', 'B']);
    expect(counts.get('B')!).toBeGreaterThanOrEqual(900);
    expect(counts.get('B')!).toBeLessThanOrEqual(1100);
  });

  it('keeps a client on its release through its sprout-uid cookie, with the security headers on every answer', async () => {
    const first = await visit();
    expect(first.cookie).toMatch(/^sprout-uid=[\w-]{16,64}$/);
    expect(first.response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(first.response.headers.get('x-content-type-options')).toBe('nosniff');
    for (let i = 0; i < 20; i++) expect((await visit(first.cookie)).label).toBe(first.label);
  });

  it('moves new requests to stable within the router’s cache time after `sprout rollout abort` in another process', async () => {
    await cli('rollout', 'abort', '--reason', 'dev e2e');
    const aborted = Date.now();
    let lastB = aborted;
    while (Date.now() - aborted < ROUTER_TTL_MS + 3_000) {
      const counts = await visits(50);
      if (counts.get('B')) lastB = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The last request that still got the candidate came within the cache time; after it, only stable.
    expect(lastB - aborted).toBeLessThanOrEqual(ROUTER_TTL_MS + 1_000);
    expect((await visits(200)).get('B')).toBeUndefined();
  });
});
