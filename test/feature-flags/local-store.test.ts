import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFlag, setFlag } from '../../src/feature-flags/edit.js';
import { changeFlags } from '../../src/feature-flags/flags.js';
import { localFlagsFile, localFlagStore } from '../../src/feature-flags/local-store.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

const options = { command: 'test', dryRun: false, wait: false, now: new Date('2026-11-26T10:00:00.000Z') };

describe('the local flag store', () => {
  it('starts empty at version 0 and writes .sprout/local/flags.json with history', async () => {
    const store = localFlagStore(scratch.path, () => new Date('2026-11-26T10:00:00.000Z'));
    expect(await store.read()).toEqual({ document: { version: 1, flags: {} }, version: '0' });
    const created = await changeFlags(store, (d) => createFlag(d, { key: 'new-checkout', type: 'boolean' }), { ...options, command: 'sprout flags create new-checkout' });
    expect(created.version).toBe('1');
    const onFile = JSON.parse(await readFile(localFlagsFile(scratch.path), 'utf8'));
    expect(onFile.version).toBe(1);
    expect(onFile.document.flags['new-checkout'].enabled).toBe(false);
    expect(await store.history()).toEqual([{ version: '1', at: '2026-11-26T10:00:00.000Z', description: expect.stringContaining('sprout flags create new-checkout'), deployed: 'local' }]);
  });

  it('refuses a write based on a version someone else changed (exit 4), keeping their change', async () => {
    const store = localFlagStore(scratch.path);
    await changeFlags(store, (d) => createFlag(d, { key: 'a', type: 'boolean' }), options);
    const stale = await store.read();
    await changeFlags(store, (d) => setFlag(d, 'a', { enabled: true }), options);
    await expect(store.write(createFlag(stale.document, { key: 'b', type: 'boolean' }), { expected: stale.version, description: 'late', wait: false })).rejects.toMatchObject({
      code: 'FLAGS_CHANGED',
      exitCode: 4,
    });
    const { document } = await store.read();
    expect(document.flags.a!.enabled).toBe(true);
    expect(document.flags.b).toBeUndefined();
  });

  it('dry runs show the changes and write nothing', async () => {
    const store = localFlagStore(scratch.path);
    const result = await changeFlags(store, (d) => createFlag(d, { key: 'a', type: 'boolean' }), { ...options, dryRun: true });
    expect(result.changes[0]).toMatch(/^flags\.a: \(none\) → /);
    expect((await store.read()).version).toBe('0');
  });

  it('rolls back to the previous document as a new version', async () => {
    const store = localFlagStore(scratch.path);
    await changeFlags(store, (d) => createFlag(d, { key: 'a', type: 'boolean' }), options);
    await changeFlags(store, (d) => setFlag(d, 'a', { enabled: true, percent: 50 }), options);
    const rolled = await store.rollback({ wait: false, description: 'rollback' });
    expect(rolled).toEqual({ action: 'restored-previous', version: '3' });
    expect((await store.read()).document.flags.a!.enabled).toBe(false);
  });

  it('refuses a hand-edited invalid file, saying how to recover (exit 3)', async () => {
    await mkdir(join(scratch.path, '.sprout', 'local'), { recursive: true });
    await writeFile(localFlagsFile(scratch.path), JSON.stringify({ version: 3, document: { version: 1, flags: { a: { enabled: 'yes' } } }, history: [] }));
    await expect(localFlagStore(scratch.path).read()).rejects.toMatchObject({ code: 'FLAGS_INVALID', exitCode: 3 });
  });

  it('refuses an invalid change before writing anything (exit 2)', async () => {
    const store = localFlagStore(scratch.path);
    await changeFlags(store, (d) => createFlag(d, { key: 'a', type: 'boolean' }), options);
    const broken = (d: ReturnType<typeof createFlag>) => ({ ...d, flags: { ...d.flags, a: { ...d.flags.a!, split: { on: 20_000 } } } });
    await expect(changeFlags(store, broken, options)).rejects.toMatchObject({ code: 'INVALID_FLAG', exitCode: 2 });
    expect((await store.read()).version).toBe('1');
  });
});
