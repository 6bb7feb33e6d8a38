import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

import type { FilesLayer } from '../catalog/catalog.js';
import type { OptionValue } from '../catalog/schema.js';
import { SproutError } from '../core/errors.js';
import { PROJECT_SCHEMA_URL } from '../project/ids.js';
import { pinDependencyVersions } from './versions.js';

/** The token that stands for the project's package name in template files. */
export const NAME_TOKEN = 'sprout-template';

/** One file of the project to write: a POSIX path relative to the project folder. */
export interface PlannedFile {
  path: string;
  content: Buffer;
  mode: number;
}

export interface PlanInput {
  filesDir: string;
  /** The layers under filesDir for a template that extends another (catalog filesLayers, without the last). */
  baseLayers?: FilesLayer[];
  /** What filesDir's template leaves out of its base layers. */
  omit?: string[];
  name: string;
  pattern: string;
  options: Record<string, OptionValue>;
  versions: Record<string, string>;
  /** Where an outside template came from (recorded in sprout.json). */
  templateSource?: string;
  /** Options that also configure sprout: option name → dot path in sprout.json (template.json configPath). */
  configPaths?: Record<string, string>;
  /** Services of a workspace, registered in its sprout.json (their files are planned separately). */
  services?: Record<string, { path: string; pattern: string }>;
}

export interface Plan {
  files: PlannedFile[];
  /** Dependencies the template declares that sprout has no tested version for (kept as the template wrote them). */
  unpinnedDependencies: string[];
}

/** Build output, installs and lock files of a template never belong in a new project. */
const SKIPPED = new Set(['node_modules', 'cdk.out', 'dist', 'coverage', '.git', '.DS_Store', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb']);

/** npm drops .gitignore files from published packages, so templates store them without the dot. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

/** Reads a template's files/ and turns it into the exact files of the new project, in memory. */
export async function planProject(input: PlanInput): Promise<Plan> {
  const files: PlannedFile[] = [];
  const unpinned: string[] = [];
  for (const source of await layeredSources(input)) {
    const raw = await readFile(join(source.root, ...source.path.split('/')));
    const path = renamed(source.path);
    let content: Buffer = isText(raw) ? Buffer.from(raw.toString('utf8').replaceAll(NAME_TOKEN, input.name)) : raw;
    if (path === 'package.json') content = rewritePackageJson(content, input, unpinned);
    if (path === 'sprout.json') content = rewriteProjectConfig(content, input);
    files.push({ path, content, mode: source.mode });
  }
  if (!files.some((file) => file.path === 'sprout.json')) {
    files.push({ path: 'sprout.json', content: rewriteProjectConfig(Buffer.from('{}'), input), mode: 0o644 });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)); // code-point order: the same on every machine
  return { files, unpinnedDependencies: unpinned };
}

interface SourceFile {
  path: string;
  mode: number;
}

/** Every file of the project, from the base layers up to filesDir; a later layer's file replaces an earlier one's. */
async function layeredSources(input: PlanInput): Promise<Array<SourceFile & { root: string }>> {
  const layers: FilesLayer[] = [...(input.baseLayers ?? []), { dir: input.filesDir, omit: input.omit ?? [] }];
  const byPath = new Map<string, SourceFile & { root: string }>();
  for (const layer of layers) {
    for (const path of byPath.keys()) {
      if (layer.omit.some((omitted) => (omitted.endsWith('/') ? path.startsWith(omitted) : path === omitted))) byPath.delete(path);
    }
    for (const file of await walk(layer.dir)) byPath.set(file.path, { ...file, root: layer.dir });
  }
  return [...byPath.values()];
}

async function walk(root: string, prefix = ''): Promise<SourceFile[]> {
  const found: SourceFile[] = [];
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  for (const entry of entries) {
    if (SKIPPED.has(entry.name)) continue;
    const path = prefix ? posix.join(prefix, entry.name) : entry.name;
    if (entry.isSymbolicLink()) {
      // A link could point anywhere on the machine; a template is plain files.
      throw new SproutError('TEMPLATE_INVALID', `The template contains a symbolic link (${path}); templates must be plain files.`, {
        exitCode: 3,
        suggestions: ['Replace the link with the file it points to.'],
      });
    }
    if (entry.isDirectory()) found.push(...(await walk(root, path)));
    else if (entry.isFile()) {
      const stat = await lstat(join(root, path));
      found.push({ path, mode: stat.mode & 0o111 ? 0o755 : 0o644 });
    }
  }
  return found;
}

function renamed(path: string): string {
  const parts = path.split('/');
  const base = parts.pop()!;
  return [...parts, RENAMED[base] ?? base].join('/');
}

/** Binary files (images, zips) are copied byte for byte; anything with a NUL byte is binary. */
function isText(content: Buffer): boolean {
  return !content.subarray(0, 8000).includes(0);
}

function rewritePackageJson(content: Buffer, input: PlanInput, unpinned: string[]): Buffer {
  const pkg = parseJson(content, 'package.json');
  pkg.name = input.name;
  unpinned.push(...pinDependencyVersions(pkg, input.versions));
  return toJson(pkg);
}

/** sprout.json holds what the CDK app reads at synth time: the name, the pattern, its options, the stages. */
function rewriteProjectConfig(content: Buffer, input: PlanInput): Buffer {
  const { $schema: _, ...config } = parseJson(content, 'sprout.json');
  const stages = (config.stages && typeof config.stages === 'object' ? config.stages : {}) as Record<string, unknown>;
  const rewritten: Record<string, unknown> = {
    $schema: PROJECT_SCHEMA_URL,
    ...config,
    name: input.name,
    pattern: input.pattern,
    ...(input.templateSource ? { template: input.templateSource } : {}),
    options: input.options,
    stages: { local: {}, ...stages },
    defaultStage: typeof config.defaultStage === 'string' ? config.defaultStage : 'local',
  };
  for (const [option, path] of Object.entries(input.configPaths ?? {})) {
    const value = input.options[option];
    if (value !== undefined) setPath(rewritten, path, value === '' ? undefined : value);
  }
  if (input.services) rewritten.services = { ...(rewritten.services as object), ...input.services };
  return toJson(rewritten);
}

/** Sets (or, for undefined, removes) a dot-path value, creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function parseJson(content: Buffer, file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SproutError('TEMPLATE_INVALID', `The template's ${file} is not a JSON object.`, { exitCode: 3 });
}

function toJson(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}
