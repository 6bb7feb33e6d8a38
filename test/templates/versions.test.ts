import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { defaultTemplatesRoot, loadCatalog } from '../../src/catalog/catalog.js';
import { ownDependencyVersions } from '../../src/scaffold/versions.js';

const ready = loadCatalog().filter((pattern) => pattern.status === 'ready');
const own = ownDependencyVersions();

describe.each(ready.map((p) => p.manifest.id))('templates/%s/files/package.json', (id) => {
  const pkg = JSON.parse(readFileSync(join(defaultTemplatesRoot(), id, 'files', 'package.json'), 'utf8'));

  it('declares only dependencies that sprout itself installs and tests', () => {
    const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
    expect(declared.filter((name) => !own[name])).toEqual([]);
  });

  it('has the scripts every generated project promises', () => {
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['test', 'typecheck', 'synth', 'deploy']));
  });

  it('names itself with the name token, and ships a gitignore and a README', () => {
    expect(pkg.name).toBe('sprout-template');
    for (const file of ['gitignore', 'README.md', 'sprout.json', 'cdk.json']) expect(existsSync(join(defaultTemplatesRoot(), id, 'files', file)), file).toBe(true);
  });
});
