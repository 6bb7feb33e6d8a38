// Builds the frontend with esbuild's JS API: src/main.ts (and the CSS it imports) into content-hashed
// files under assets/, and index.html pointing at them. The stack calls buildFrontend at synth time
// (infra/constructs/static-site.ts, as the local bundler of the site asset: no Docker); `npm run
// build:frontend` and the dev server (frontend/dev.ts) call it too.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The frontend's own folder (sources, index.html template). */
export const FRONTEND_DIR = fileURLToPath(new URL('.', import.meta.url));
/** Where every hashed file goes, relative to the site root: cached for a year. */
export const ASSETS_DIR = 'assets';

export interface FrontendBuildOptions {
  /** The path the site is served under, with leading and trailing slashes. Default '/'. */
  basePath?: string;
  /** Entry module, relative to the frontend folder. Default 'src/main.ts'. */
  entry?: string;
  /** The HTML template (%BASE%, %STYLES%, %SCRIPTS% are replaced), relative to the frontend folder. Default 'index.html'. */
  html?: string;
  /** Default true. The dev server turns it off. */
  minify?: boolean;
  /** Values baked into the bundle as `process.env.<NAME>` (only what is not secret, and fixed per build). */
  define?: Record<string, string>;
}

export interface FrontendBuild {
  /** The folder the site was written to. */
  outDir: string;
  /** The hashed script and stylesheet, relative to outDir (for example assets/main-4KXNQ2DA.js). */
  script: string;
  stylesheet?: string;
  /** Every file written, relative to outDir, index.html included. */
  files: string[];
}

/** The esbuild options shared by the one-off build and the dev server's watch mode. */
export function esbuildOptions(outDir: string, options: FrontendBuildOptions = {}): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: FRONTEND_DIR,
    entryPoints: [options.entry ?? 'src/main.ts'],
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    // Content hashes in the names: a changed file gets a new name, so assets can be cached forever.
    entryNames: `${ASSETS_DIR}/[name]-[hash]`,
    assetNames: `${ASSETS_DIR}/[name]-[hash]`,
    chunkNames: `${ASSETS_DIR}/[name]-[hash]`,
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    define: Object.fromEntries(Object.entries(options.define ?? {}).map(([name, value]) => [`process.env.${name}`, JSON.stringify(value)])),
  };
}

/**
 * Writes index.html for a finished esbuild build: the template with the base path and the hashed
 * entry script and stylesheet filled in. Returns what it linked.
 */
export function writeIndexHtml(outDir: string, metafile: Metafile, options: FrontendBuildOptions = {}): Omit<FrontendBuild, 'files'> {
  const basePath = normalizeBasePath(options.basePath);
  const entry = options.entry ?? 'src/main.ts';
  const output = Object.entries(metafile.outputs).find(([, meta]) => meta.entryPoint === entry);
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  const [scriptPath, meta] = output;
  // metafile paths are relative to absWorkingDir (the frontend folder).
  const toSite = (path: string) => relative(outDir, join(FRONTEND_DIR, path)).split('\\').join('/');
  const script = toSite(scriptPath);
  const stylesheet = meta.cssBundle ? toSite(meta.cssBundle) : undefined;
  const template = readFileSync(join(FRONTEND_DIR, options.html ?? 'index.html'), 'utf8');
  const html = template
    .replace('%BASE%', basePath)
    .replace('%STYLES%', stylesheet ? `<link rel="stylesheet" href="${basePath}${stylesheet}" />` : '')
    .replace('%SCRIPTS%', `<script type="module" src="${basePath}${script}"></script>`);
  writeFileSync(join(outDir, 'index.html'), html);
  return { outDir, script, ...(stylesheet ? { stylesheet } : {}) };
}

/**
 * Builds the site into `outDir` (emptied first): index.html plus hashed files under assets/.
 * Synchronous, because CDK's local bundling hook is.
 */
export function buildFrontend(outDir: string, options: FrontendBuildOptions = {}): FrontendBuild {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = buildSync(esbuildOptions(outDir, options));
  const linked = writeIndexHtml(outDir, result.metafile, options);
  const files = [...Object.keys(result.metafile.outputs).map((path) => relative(outDir, join(FRONTEND_DIR, path)).split('\\').join('/')), 'index.html'].sort();
  return { ...linked, files };
}

function normalizeBasePath(basePath = '/'): string {
  const trimmed = basePath.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

// `npm run build:frontend [outDir]`: the same build the stack uploads, to look at or serve by hand.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const build = buildFrontend(process.argv[2] ?? join(FRONTEND_DIR, '..', 'dist', 'site'));
  console.log(`Built ${build.files.length} files into ${build.outDir}:\n  ${build.files.join('\n  ')}`);
}
