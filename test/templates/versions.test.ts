import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { defaultTemplatesRoot, filesLayers, loadCatalog } from '../../src/catalog/catalog.js';
import { ownDependencyVersions } from '../../src/scaffold/versions.js';

/** Every package.json of a template (a workspace has one per package). */
function packageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'cdk.out') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? packageFiles(path) : entry.name === 'package.json' ? [path] : [];
  });
}

const ready = loadCatalog().filter((pattern) => pattern.status === 'ready');
const own = ownDependencyVersions();

describe.each(ready.map((p) => ({ id: p.manifest.id, workspace: p.manifest.workspace !== undefined })))('templates/$id/files/package.json', ({ id, workspace }) => {
  const pkg = JSON.parse(readFileSync(join(defaultTemplatesRoot(), id, 'files', 'package.json'), 'utf8'));

  it('declares only dependencies that sprout itself installs and tests, in every package of it', () => {
    for (const file of packageFiles(join(defaultTemplatesRoot(), id, 'files'))) {
      const each = JSON.parse(readFileSync(file, 'utf8'));
      const declared = [...Object.keys(each.dependencies ?? {}), ...Object.keys(each.devDependencies ?? {})];
      expect(declared.filter((name) => !own[name]), file).toEqual([]);
    }
  });

  it('has the scripts every generated project promises', () => {
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['test', 'typecheck', 'synth', 'deploy']));
  });

  it('names itself with the name token, and ships a gitignore and a README (and a CDK app, or a platform app for a workspace)', () => {
    expect(pkg.name).toBe('sprout-template');
    const app = workspace ? 'platform/cdk.json' : 'cdk.json';
    // A template that extends another may take the gitignore and cdk.json from its base, but describes itself.
    const layers = filesLayers(ready.find((p) => p.manifest.id === id)!.manifest, join(defaultTemplatesRoot(), id, 'files'), ready);
    const inSomeLayer = (file: string) => layers.some((layer) => existsSync(join(layer.dir, file)));
    for (const file of ['gitignore', app]) expect(inSomeLayer(file), file).toBe(true);
    for (const file of ['README.md', 'sprout.json']) expect(existsSync(join(defaultTemplatesRoot(), id, 'files', file)), file).toBe(true);
    if (workspace) expect(pkg.workspaces).toEqual(expect.arrayContaining(['platform', 'services/*']));
  });
});

describe.each(ready.map((p) => p.manifest.id))('template %s', (id) => {
  it('is run by the harness: test/templates/harness/<id>.test.ts calls describeTemplate with its id', () => {
    const file = join(defaultTemplatesRoot(), '..', 'test', 'templates', 'harness', `${id}.test.ts`);
    expect(existsSync(file), file).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(`describeTemplate('${id}')`);
  });
});
