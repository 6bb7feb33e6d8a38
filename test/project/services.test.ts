import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadCatalog } from '../../src/catalog/catalog.js';
import { loadProjectConfig } from '../../src/project/config-file.js';
import { serviceRows } from '../../src/project/service-rows.js';
import { addService, removeService, type AddServiceRequest } from '../../src/project/services.js';
import { ownDependencyVersions } from '../../src/scaffold/versions.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const workspace = {
  name: 'shop',
  pattern: 'microservices',
  options: {},
  stages: { local: {}, prod: { account: '222222222222', region: 'eu-west-1', domainLabel: '' } },
  defaultStage: 'local',
  domain: { name: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
  services: { catalog: { path: 'services/catalog', pattern: 'backend-api', domain: 'shop.example.com' } },
};

beforeEach(async () => {
  scratch = await tempDir();
  await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify(workspace, null, 2));
});
afterEach(() => scratch.cleanup());

const deps = { catalog: () => loadCatalog(), versions: () => ownDependencyVersions() };
const request = (overrides: Partial<AddServiceRequest> = {}): AddServiceRequest => ({ name: 'billing', pattern: 'backend-api', dryRun: false, ...overrides });
const config = async () => JSON.parse(await readFile(join(scratch.path, 'sprout.json'), 'utf8'));

describe('addService', () => {
  it('scaffolds the pattern into services/<name>, named after the service, and registers it', async () => {
    const result = await addService(await loadProjectConfig(scratch.path), request({ account: '123456789012', domain: 'billing.example.com' }), deps);
    expect(result.path).toBe('services/billing');
    expect(result.files).toContain('services/billing/package.json');
    const pkg = JSON.parse(await readFile(join(scratch.path, 'services', 'billing', 'package.json'), 'utf8'));
    expect(pkg.name).toBe('billing');
    expect(JSON.parse(await readFile(join(scratch.path, 'services', 'billing', 'sprout.json'), 'utf8'))).toMatchObject({ name: 'billing', pattern: 'backend-api' });
    expect((await config()).services.billing).toEqual({ path: 'services/billing', pattern: 'backend-api', account: '123456789012', domain: 'billing.example.com' });
    // The rest of sprout.json is kept as it was.
    expect((await config()).services.catalog).toEqual(workspace.services.catalog);
  });

  it('puts settings under one stage with --stage', async () => {
    await addService(await loadProjectConfig(scratch.path), request({ stage: 'prod', account: '123456789012' }), deps);
    expect((await config()).services.billing).toEqual({ path: 'services/billing', pattern: 'backend-api', stages: { prod: { account: '123456789012' } } });
  });

  it('refuses duplicate names, host names and bad settings, writing nothing', async () => {
    const loaded = await loadProjectConfig(scratch.path);
    await expect(addService(loaded, request({ name: 'catalog' }), deps)).rejects.toMatchObject({ code: 'DUPLICATE_SERVICE', exitCode: 3 });
    await expect(addService(loaded, request({ domain: 'shop.example.com' }), deps)).rejects.toMatchObject({ code: 'DUPLICATE_DOMAIN', exitCode: 3 });
    await expect(addService(loaded, request({ account: '12345' }), deps)).rejects.toMatchObject({ code: 'INVALID_SERVICE', exitCode: 2 });
    await expect(addService(loaded, request({ basePath: '/api/billing' }), deps)).rejects.toMatchObject({ code: 'WRONG_DOMAIN_MODE', exitCode: 2 });
    await expect(addService(loaded, request({ name: 'Billing' }), deps)).rejects.toMatchObject({ exitCode: 2 });
    await expect(addService(loaded, request({ pattern: 'no-such-pattern' }), deps)).rejects.toMatchObject({ code: 'PATTERN_NOT_FOUND', exitCode: 3 });
    expect(existsSync(join(scratch.path, 'services', 'billing'))).toBe(false);
    expect(await config()).toEqual(workspace);
  });

  it('refuses base paths already taken in path mode', async () => {
    await writeFile(
      join(scratch.path, 'sprout.json'),
      JSON.stringify({ ...workspace, domain: { ...workspace.domain, mode: 'path' }, services: { catalog: { path: 'services/catalog', pattern: 'backend-api', basePath: '/api/catalog' } } }),
    );
    await expect(addService(await loadProjectConfig(scratch.path), request({ basePath: 'api/catalog' }), deps)).rejects.toMatchObject({ code: 'DUPLICATE_PATH' });
  });

  it('refuses a single-app project', async () => {
    await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ name: 'api', pattern: 'backend-api', stages: { local: {} } }));
    await expect(addService(await loadProjectConfig(scratch.path), request(), deps)).rejects.toMatchObject({ code: 'NOT_A_WORKSPACE', exitCode: 3 });
  });

  it('with --dry-run lists the files and changes nothing', async () => {
    const result = await addService(await loadProjectConfig(scratch.path), request({ dryRun: true }), deps);
    expect(result.files.length).toBeGreaterThan(10);
    expect(existsSync(join(scratch.path, 'services', 'billing'))).toBe(false);
    expect(await config()).toEqual(workspace);
  });

  it('removes the new folder again when sprout.json changed under it (exit 4)', async () => {
    const loaded = await loadProjectConfig(scratch.path);
    await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ ...workspace, options: { edited: true } }, null, 2));
    await expect(addService(loaded, request(), deps)).rejects.toMatchObject({ code: 'CONFIG_CHANGED', exitCode: 4 });
    expect(existsSync(join(scratch.path, 'services', 'billing'))).toBe(false);
    expect((await config()).options).toEqual({ edited: true });
  });
});

describe('removeService', () => {
  it('unregisters the service and keeps its folder, unless asked to delete it', async () => {
    await mkdir(join(scratch.path, 'services', 'catalog'), { recursive: true });
    await writeFile(join(scratch.path, 'services', 'catalog', 'keep.txt'), 'x');
    await removeService(await loadProjectConfig(scratch.path), 'catalog', { deleteFiles: false, dryRun: false });
    expect((await config()).services).toEqual({});
    expect(existsSync(join(scratch.path, 'services', 'catalog', 'keep.txt'))).toBe(true);
  });

  it('deletes the folder with deleteFiles, and refuses an unknown service', async () => {
    await mkdir(join(scratch.path, 'services', 'catalog'), { recursive: true });
    await removeService(await loadProjectConfig(scratch.path), 'catalog', { deleteFiles: true, dryRun: false });
    expect(existsSync(join(scratch.path, 'services', 'catalog'))).toBe(false);
    await expect(removeService(await loadProjectConfig(scratch.path), 'nope', { deleteFiles: false, dryRun: false })).rejects.toMatchObject({ code: 'UNKNOWN_SERVICE', exitCode: 3 });
  });
});

describe('serviceRows', () => {
  it('resolves each service for a stage, and shows a broken one without hiding the others', async () => {
    const loaded = await loadProjectConfig(scratch.path);
    const withBroken = { ...loaded.config, services: { ...loaded.config.services, orders: { path: 'services/orders', pattern: 'backend-api', domain: 'orders.example.org' } } };
    expect(serviceRows(withBroken, scratch.path, 'prod')).toEqual([
      { name: 'catalog', pattern: 'backend-api', path: 'services/catalog', account: '222222222222', region: 'eu-west-1', stackName: 'shop-catalog-prod', url: 'https://shop.example.com' },
      { name: 'orders', pattern: 'backend-api', path: 'services/orders', problem: 'services.orders: host name orders.example.org is not under the root domain example.com, so its zone cannot be delegated' },
    ]);
    expect(serviceRows(withBroken, scratch.path, 'local')[0]).toEqual({ name: 'catalog', pattern: 'backend-api', path: 'services/catalog' });
  });
});
