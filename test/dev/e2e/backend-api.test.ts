import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sprout } from '../../helpers/cli.js';
import { type DevProcess, listening, processesIn, project, startDev } from './dev-process.js';

// A new user's first minute: `sprout create demo -p backend-api --yes && cd demo && sprout dev`,
// then the README's curl calls against localhost. Real sockets, the real handler bundles, dynalite.
// It runs with --watch, so the same process also shows a reload that keeps the data.
describe('sprout dev: backend-api', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let items: string;

  beforeAll(async () => {
    app = await project('backend-api');
    dev = await startDev(app.dir, ['--watch']);
    const api = dev.ready.apis[0]!;
    items = new URL('items', api.url.endsWith('/') ? api.url : `${api.url}/`).toString();
  }, 300_000);

  afterAll(async () => {
    await dev?.stop();
    await app?.remove();
  });

  it('lists what it serves: one REST API at its stage path, and the not-emulated resources by name', () => {
    expect(dev.ready.apis).toEqual([expect.objectContaining({ kind: 'rest', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/local\/?$/) })]);
    expect(dev.ready.functions).toEqual(expect.arrayContaining([expect.stringContaining('CreateItem'), expect.stringContaining('DeleteItem')]));
    expect(dev.ready.tables).toHaveLength(2);
  });

  it('creates, reads, updates, lists and deletes an item over HTTP', async () => {
    const created = await fetch(items, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'dev-e2e-1' },
      body: JSON.stringify({ name: 'Desk lamp', description: 'Warm white' }),
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; name: string; version: number };
    expect(item).toMatchObject({ name: 'Desk lamp', version: 1 });

    const read = await fetch(`${items}/${item.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: item.id, description: 'Warm white' });

    const updated = await fetch(`${items}/${item.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Desk lamp', description: 'Cool white', version: 1 }) });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ description: 'Cool white', version: 2 });

    const stale = await fetch(`${items}/${item.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Desk lamp', version: 1 }) });
    expect(stale.status).toBe(409);

    const list = await fetch(`${items}?limit=10`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toContain(item.id);

    const deleted = await fetch(`${items}/${item.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${items}/${item.id}`)).status).toBe(404);
    await dev.waitForLog((line) => line.kind === 'request' && line.message.includes('DELETE'));
  });

  it('answers API Gateway’s own errors, through the project’s gateway responses', async () => {
    const invalid = await fetch(items, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'no name' }) });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: expect.any(String) } });
    // The project maps MISSING_AUTHENTICATION_TOKEN (API Gateway's answer for a path it has no resource for) to a 404.
    const unknown = await fetch(new URL('nothing-here', items).toString());
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('applies `sprout flags set … --stage local` from another terminal without a restart', async () => {
    const spaced = () => fetch(items, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: ' padded ' }) });
    expect((await spaced()).status).toBe(201);
    const set = await sprout(['flags', 'set', 'strict-item-names', '--on', '--percent', '100', '--stage', 'local', '--json'], { cwd: app.dir });
    expect(set.exitCode, set.stderr).toBe(0);
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (Date.now() < deadline && status !== 400) {
      status = (await spaced()).status;
      if (status !== 400) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(400);
  });

  it('--watch: a change re-synthesizes and restarts the handlers on the same URL, keeping the data', async () => {
    for (const name of ['Chair', 'Shelf', 'Rug']) {
      expect((await fetch(items, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })).status).toBe(201);
    }
    const config = join(app.dir, 'sprout.json');
    const sproutJson = JSON.parse(await readFile(config, 'utf8'));
    sproutJson.options.pageSize = 2;
    const reloaded = dev.waitForReload();
    await writeFile(config, `${JSON.stringify(sproutJson, null, 2)}\n`);
    const after = await reloaded;
    expect(after.apis).toEqual(dev.ready.apis);
    expect(after.endpoints).toEqual(dev.ready.endpoints);
    // The new page size reached ListItems' environment; the items written before the reload are still there.
    const page = (await (await fetch(items)).json()) as { items: unknown[]; nextCursor?: string };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('stops everything on Ctrl-C: the port closes and no handler process is left', async () => {
    const url = dev.ready.apis[0]!.url;
    const { exitCode, summary } = await dev.stop();
    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ status: 0, result: { apis: [expect.objectContaining({ url })] } });
    expect(await listening(url)).toBe(false);
    expect(await processesIn(app.dir)).toEqual([]);
  });
});
