import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PreconditionError, SproutError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import { PATTERN_IDS, type PatternId } from './ids.js';
import type { TemplateManifest } from './schema.js';

export type PatternStatus = 'ready' | 'planned';

export interface Pattern {
  manifest: TemplateManifest;
  /** templates/<id> */
  dir: string;
  /** templates/<id>/files: the project that `create` copies. */
  filesDir: string;
  /** ready when files/ exists (and its base's, for a template that extends one); planned patterns are listed but cannot be created yet. */
  status: PatternStatus;
}

/** One folder of files `create` copies; later layers win over earlier ones. */
export interface FilesLayer {
  dir: string;
  /** Paths of the earlier layers this one leaves out: exact files, or folders ending in /. */
  omit: string[];
}

/** templates/ sits two levels above this module, in src/ (tests) and in dist/ (the package). */
export function defaultTemplatesRoot(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

/**
 * Reads the catalog that ships with sprout. Every template.json is validated against the
 * zod schema by the test suite, so at run time they are only parsed: importing zod would
 * cost ~100 ms on every `patterns list`. Templates from outside the catalog are validated
 * (see scaffold/template-source.ts).
 */
export function loadCatalog(templatesRoot = defaultTemplatesRoot()): Pattern[] {
  const onDisk = PATTERN_IDS.map((id): Pattern => {
    const dir = join(templatesRoot, id);
    const manifestPath = join(dir, 'template.json');
    let manifest: TemplateManifest;
    try {
      const parsed = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<TemplateManifest>;
      // The schema's defaults, which parsing without zod does not apply.
      manifest = { ...parsed, httpEndpoint: parsed.httpEndpoint ?? true } as TemplateManifest;
    } catch (error) {
      throw new SproutError('CATALOG_BROKEN', `The pattern catalog is damaged: cannot read ${manifestPath}.`, {
        cause: error,
        suggestions: ['Reinstall sprout (npm install -g create-sprout@latest).'],
      });
    }
    const filesDir = join(dir, 'files');
    return { manifest, dir, filesDir, status: existsSync(filesDir) ? 'ready' : 'planned' };
  });
  return onDisk.map((pattern): Pattern => {
    if (!pattern.manifest.extends) return pattern;
    const status = pattern.status === 'ready' && basesReady(pattern.manifest, onDisk) ? 'ready' : 'planned';
    return { ...pattern, status, manifest: { ...pattern.manifest, options: inheritedOptions(pattern.manifest, onDisk) } };
  });
}

/**
 * A template that extends another also takes its base's options (the base's code reads them
 * from sprout.json), so `create --option`, the prompts and `patterns show` offer them; an option
 * the template declares itself replaces the base's option of the same name, and one it lists in
 * `extends.omitOptions` is left out (base code the template does not use).
 */
function inheritedOptions(manifest: TemplateManifest, catalog: Pattern[], seen = new Set<string>()): TemplateManifest['options'] {
  const base = catalog.find((p) => p.manifest.id === manifest.extends?.pattern);
  if (!base || seen.has(base.manifest.id)) return manifest.options;
  const own = new Set([...manifest.options.map((option) => option.name), ...(manifest.extends?.omitOptions ?? [])]);
  const inherited = inheritedOptions(base.manifest, catalog, seen.add(manifest.id)).filter((option) => !own.has(option.name));
  return [...manifest.options, ...inherited];
}

function basesReady(manifest: TemplateManifest, catalog: Pattern[], seen = new Set<string>()): boolean {
  const base = manifest.extends?.pattern;
  if (!base) return true;
  const found = catalog.find((p) => p.manifest.id === base);
  if (!found || seen.has(base) || !existsSync(found.filesDir)) return false;
  return basesReady(found.manifest, catalog, seen.add(manifest.id));
}

/**
 * The folders a template's project is made of, base first: for `extends`, the base pattern's
 * layers (recursively), then the template's own files/. Each layer's omit applies to all below it.
 */
export function filesLayers(manifest: TemplateManifest, filesDir: string, catalog: Pattern[], seen: string[] = []): FilesLayer[] {
  const own: FilesLayer = { dir: filesDir, omit: manifest.extends?.omit ?? [] };
  if (!manifest.extends) return [own];
  const chain = [...seen, manifest.id];
  if (chain.includes(manifest.extends.pattern)) {
    throw new SproutError('CATALOG_BROKEN', `Templates extend each other in a circle: ${[...chain, manifest.extends.pattern].join(' → ')}.`);
  }
  const base = findPattern(catalog, manifest.extends.pattern);
  assertReady(base, catalog);
  return [...filesLayers(base.manifest, base.filesDir, catalog, chain), own];
}

export function findPattern(catalog: Pattern[], id: string): Pattern {
  const found = catalog.find((pattern) => pattern.manifest.id === id);
  if (found) return found;
  const ids = catalog.map((pattern) => pattern.manifest.id);
  const close = nearest(id, ids);
  throw new PreconditionError('PATTERN_NOT_FOUND', `There is no pattern "${id}".`, {
    suggestions: [
      ...(close.length ? [`Did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`] : []),
      'Run "sprout patterns list" to see every pattern id.',
    ],
    details: { id, nearest: close },
  });
}

/** A planned pattern is in the catalog but has no project to copy yet. */
export function assertReady(pattern: Pattern, catalog: Pattern[]): void {
  if (pattern.status === 'ready') return;
  const ready = catalog.filter((p) => p.status === 'ready').map((p) => p.manifest.id);
  throw new PreconditionError(
    'PATTERN_PLANNED',
    `The "${pattern.manifest.id}" pattern is planned but not available yet: its template is still being built.`,
    {
      suggestions: [
        `Run "sprout patterns show ${pattern.manifest.id}" to read what it will contain.`,
        `Pick a ready pattern: ${ready.join(', ')}.`,
      ],
      details: { id: pattern.manifest.id, status: pattern.status },
    },
  );
}

export interface CatalogFilter {
  tag?: string;
  search?: string;
}

/** --tag matches a tag exactly; --search matches any word of the text in id, title, summary, services or tags. */
export function filterCatalog(catalog: Pattern[], filter: CatalogFilter): Pattern[] {
  const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return catalog.filter(({ manifest }) => {
    if (filter.tag && !(manifest.tags as string[]).includes(filter.tag)) return false;
    if (words.length === 0) return true;
    const haystack = [manifest.id, manifest.title, manifest.summary, manifest.description, ...manifest.services, ...manifest.tags]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export function isPatternId(id: string): id is PatternId {
  return (PATTERN_IDS as readonly string[]).includes(id);
}
