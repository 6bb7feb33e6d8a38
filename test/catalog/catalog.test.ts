import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseMermaid } from 'beautiful-mermaid';
import { describe, expect, it } from 'vitest';

import { assertReady, defaultTemplatesRoot, filesLayers, filterCatalog, findPattern, loadCatalog, type Pattern } from '../../src/catalog/catalog.js';
import { PATTERN_IDS, type TemplateManifest, templateManifestSchema } from '../../src/catalog/schema.js';
import { PreconditionError } from '../../src/core/errors.js';

const root = defaultTemplatesRoot();

describe('the catalog on disk', () => {
  it('has a folder for exactly the 19 fixed ids', () => {
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual([...PATTERN_IDS].sort());
    expect(PATTERN_IDS).toHaveLength(19);
  });

  describe.each(PATTERN_IDS)('templates/%s/template.json', (id) => {
    const manifest = JSON.parse(readFileSync(join(root, id, 'template.json'), 'utf8'));

    it('passes the schema, and its id is its folder', () => {
      const parsed = templateManifestSchema.safeParse(manifest);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(manifest.id).toBe(id);
    });

    it('has a Mermaid diagram with real nodes and edges between them', () => {
      const graph = parseMermaid(manifest.diagram);
      expect(graph.nodes.size).toBeGreaterThanOrEqual(3);
      expect(graph.edges.length).toBeGreaterThanOrEqual(2);
      for (const edge of graph.edges) {
        expect(graph.nodes.has(edge.source), `edge from unknown node ${edge.source}`).toBe(true);
        expect(graph.nodes.has(edge.target), `edge to unknown node ${edge.target}`).toBe(true);
      }
    });
  });
});

describe('the schema', () => {
  const valid = JSON.parse(readFileSync(join(root, 'backend-api', 'template.json'), 'utf8'));

  it('refuses unknown fields, unknown tags and a default outside the choices', () => {
    expect(templateManifestSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(templateManifestSchema.safeParse({ ...valid, tags: ['kubernetes'] }).success).toBe(false);
    const badEnum = { ...valid, options: [{ name: 'mode', type: 'enum', description: 'the mode to use', prompt: 'Mode?', choices: ['a', 'b'], default: 'c' }] };
    const result = templateManifestSchema.safeParse(badEnum);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('options.0.default');
  });

  it('refuses a number default out of range and duplicate option names', () => {
    const option = { name: 'size', type: 'number', description: 'the size of it', prompt: 'Size?', default: 50, max: 10 };
    expect(templateManifestSchema.safeParse({ ...valid, options: [option] }).success).toBe(false);
    const ok = { ...option, default: 5 };
    expect(templateManifestSchema.safeParse({ ...valid, options: [ok] }).success).toBe(true);
    expect(templateManifestSchema.safeParse({ ...valid, options: [ok, ok] }).success).toBe(false);
  });

  it('requires the diagram to be a flowchart', () => {
    expect(templateManifestSchema.safeParse({ ...valid, diagram: 'sequenceDiagram\n a->>b: hi' }).success).toBe(false);
  });
});

describe('loadCatalog', () => {
  const catalog = loadCatalog();

  it('lists the 19 patterns in the fixed order', () => {
    expect(catalog.map((p) => p.manifest.id)).toEqual([...PATTERN_IDS]);
  });

  it("marks a pattern ready exactly when its files/ folder exists, and its base's for one that extends another", () => {
    const hasFiles = (id: string) => existsSync(join(root, id, 'files'));
    for (const pattern of catalog) {
      const base = pattern.manifest.extends?.pattern;
      expect(pattern.status, pattern.manifest.id).toBe(hasFiles(pattern.manifest.id) && (!base || hasFiles(base)) ? 'ready' : 'planned');
    }
    expect(findPattern(catalog, 'backend-api').status).toBe('ready');
  });
});

describe('a template that extends another', () => {
  const catalog = loadCatalog();
  const spa = findPattern(catalog, 'spa');
  const ownOptions = (id: string) => (JSON.parse(readFileSync(join(root, id, 'template.json'), 'utf8')) as TemplateManifest).options;

  it("offers its own options first, then its base's (create writes them all into sprout.json)", () => {
    expect(spa.manifest.extends?.pattern).toBe('backend-api');
    const own = ownOptions('spa').map((o) => o.name);
    const base = ownOptions('backend-api').map((o) => o.name).filter((name) => !own.includes(name));
    expect(spa.manifest.options.map((o) => o.name)).toEqual([...own, ...base]);
    expect(spa.manifest.options.find((o) => o.name === 'pageSize')).toMatchObject({ type: 'number', default: 25 });
  });

  it('has an HTTP endpoint unless template.json says otherwise (the schema default, applied without zod)', () => {
    expect(findPattern(catalog, 'backend-api').manifest.httpEndpoint).toBe(true);
    expect(findPattern(catalog, 'saga').manifest.httpEndpoint).toBe(false);
    for (const { manifest } of catalog) expect(manifest.httpEndpoint, manifest.id).toBe(templateManifestSchema.parse(JSON.parse(readFileSync(join(root, manifest.id, 'template.json'), 'utf8'))).httpEndpoint);
  });

  it('leaves out the base options it lists in extends.omitOptions, and keeps the rest of the chain', () => {
    const secured = findPattern(catalog, 'secured-spa');
    expect(secured.manifest.extends?.omitOptions).toEqual(['releaseRouter', 'routerCacheSeconds']);
    const names = secured.manifest.options.map((o) => o.name);
    expect(names).not.toContain('releaseRouter');
    expect(names).not.toContain('routerCacheSeconds');
    expect(names).toEqual(expect.arrayContaining(['spaFallback', 'pageSize']));
    expect(spa.manifest.options.map((o) => o.name)).toEqual(expect.arrayContaining(['releaseRouter', 'routerCacheSeconds']));
  });
});

describe('findPattern', () => {
  const catalog = loadCatalog();

  it('throws a precondition error (exit 3) that suggests the nearest ids', () => {
    let error: PreconditionError | undefined;
    try {
      findPattern(catalog, 'backend');
    } catch (caught) {
      error = caught as PreconditionError;
    }
    expect(error).toBeInstanceOf(PreconditionError);
    expect(error!.exitCode).toBe(3);
    expect(error!.code).toBe('PATTERN_NOT_FOUND');
    expect(error!.suggestions[0]).toContain('"backend-api"');
  });
});

describe('assertReady', () => {
  const catalog = loadCatalog();

  it('refuses a planned pattern with exit 3 and names the ready ones', () => {
    const saga = { ...findPattern(catalog, 'saga'), status: 'planned' as const };
    const api = { ...findPattern(catalog, 'backend-api'), status: 'ready' as const };
    let error: PreconditionError | undefined;
    try {
      assertReady(saga, [api, saga]);
    } catch (caught) {
      error = caught as PreconditionError;
    }
    expect(error).toMatchObject({ code: 'PATTERN_PLANNED', exitCode: 3 });
    expect(error!.message).toContain('"saga" pattern is planned');
    expect(error!.suggestions).toContain('Pick a ready pattern: backend-api.');
  });

  it('accepts a ready pattern', () => {
    expect(() => assertReady(findPattern(catalog, 'backend-api'), catalog)).not.toThrow();
  });
});

describe('filterCatalog', () => {
  const catalog = loadCatalog();

  it('filters by exact tag', () => {
    const tagged = filterCatalog(catalog, { tag: 'workflow' });
    expect(tagged.length).toBeGreaterThan(0);
    for (const pattern of tagged) expect(pattern.manifest.tags).toContain('workflow');
    expect(tagged.map((p) => p.manifest.id)).toEqual(expect.arrayContaining(['saga', 'state-machine']));
  });

  it('searches every word across id, title, summary, description and services', () => {
    expect(filterCatalog(catalog, { search: 'DynamoDB api' }).map((p) => p.manifest.id)).toContain('backend-api');
    expect(filterCatalog(catalog, { search: 'no-such-word-anywhere' })).toEqual([]);
  });
});

describe('filesLayers', () => {
  const catalog = loadCatalog();
  const api = findPattern(catalog, 'backend-api');
  const pattern = (id: string, base?: string, omit: string[] = []): Pattern => ({
    ...api,
    manifest: { ...api.manifest, id, ...(base ? { extends: { pattern: base, omit } } : {}) } as TemplateManifest,
    dir: `/t/${id}`,
    filesDir: `/t/${id}/files`,
    status: 'ready',
  });

  it("is the template's own files for a template that extends nothing", () => {
    expect(filesLayers(api.manifest, api.filesDir, catalog)).toEqual([{ dir: api.filesDir, omit: [] }]);
  });

  it('lists the bases first, each with what the layer above it omits', () => {
    const chain = [pattern('backend-api'), pattern('spa', 'backend-api', ['README.md']), pattern('secured-spa', 'spa', ['frontend/'])];
    expect(filesLayers(chain[2]!.manifest, chain[2]!.filesDir, chain)).toEqual([
      { dir: '/t/backend-api/files', omit: [] },
      { dir: '/t/spa/files', omit: ['README.md'] },
      { dir: '/t/secured-spa/files', omit: ['frontend/'] },
    ]);
  });

  it('refuses a base that is not ready, and templates that extend each other in a circle', () => {
    const planned = { ...pattern('backend-api'), status: 'planned' as const };
    const spa = pattern('spa', 'backend-api');
    expect(() => filesLayers(spa.manifest, spa.filesDir, [planned, spa])).toThrow(/"backend-api" pattern is planned/);
    const circle = [pattern('spa', 'secured-spa'), pattern('secured-spa', 'spa')];
    expect(() => filesLayers(circle[0]!.manifest, circle[0]!.filesDir, circle)).toThrow(/in a circle: spa → secured-spa → spa/);
  });
});
