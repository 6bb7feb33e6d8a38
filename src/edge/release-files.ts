import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';

import { PreconditionError } from '../core/errors.js';
import { RELEASES_PREFIX } from '../runtime/edge-router/release-document.js';
import { localEdgeDir } from './release-store.js';

/** One file of a built frontend. `path` uses forward slashes, relative to the build folder. */
export interface ReleaseFile {
  path: string;
  absolutePath: string;
  size: number;
  sha256: string;
}

export interface BuiltRelease {
  /** `r-` and the first 12 hex digits of the hash of every path and content: same files, same id. */
  id: string;
  files: ReleaseFile[];
  bytes: number;
}

/** The default build folder of the web templates (`npm run build:frontend`). */
export function defaultBuildDir(root: string): string {
  return join(root, 'dist', 'site');
}

/** Written last under releases/<id>/: its presence means the upload finished. */
export const RELEASE_MANIFEST = '.sprout-release.json';

/** Reads a build folder and derives the release's id from its content (dotfiles are not part of a site). */
export async function readBuild(dir: string): Promise<BuiltRelease> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new PreconditionError('BUILD_NOT_FOUND', `There is no build folder ${dir}.`, {
      suggestions: ['Build the frontend first (npm run build:frontend), or point --dir at the built site.'],
    });
  }
  const files: ReleaseFile[] = [];
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const absolutePath = join(folder, entry.name);
      if (entry.isDirectory()) await walk(absolutePath);
      else if (entry.isFile()) {
        const content = await readFile(absolutePath);
        files.push({ path: relative(dir, absolutePath).split(sep).join('/'), absolutePath, size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
      }
    }
  };
  await walk(dir);
  if (files.length === 0) throw new PreconditionError('BUILD_EMPTY', `The build folder ${dir} has no files.`, { suggestions: ['Build the frontend first: npm run build:frontend.'] });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const digest = createHash('sha256');
  for (const file of files) digest.update(`${file.path}\0${file.sha256}\n`);
  return { id: `r-${digest.digest('hex').slice(0, 12)}`, files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Hashed files under assets/ never change: a year, immutable. Everything else (index.html) keeps
 * the template's short HTML lifetime, because its URL serves another release after a promote.
 */
export function cacheControlOf(path: string): string {
  return path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=60';
}

export function releaseKey(id: string, path: string): string {
  return `${RELEASES_PREFIX}${id}/${path}`;
}

/** Where a release's files go: the site bucket, or the local stage's folder. */
export interface ReleaseUploader {
  readonly location: string;
  /** True when the release's manifest is there: an earlier upload of the same content finished. */
  uploaded(id: string): Promise<boolean>;
  upload(release: BuiltRelease, progress?: (done: number, total: number) => void): Promise<void>;
}

/**
 * The local stage: .sprout/local/site/releases/<id>/, what `sprout dev` serves. Files go to a
 * temporary folder first and are renamed into place, so a release is whole or absent.
 */
export function localReleaseUploader(root: string): ReleaseUploader {
  const site = join(localEdgeDir(root), 'site');
  return {
    location: `local folder ${join(site, RELEASES_PREFIX)}`,
    async uploaded(id) {
      return stat(join(site, releaseKey(id, RELEASE_MANIFEST))).then(() => true, () => false);
    },
    async upload(release, progress) {
      const target = join(site, RELEASES_PREFIX, release.id);
      const temporary = `${target}.sprout-tmp-${process.pid}`;
      await rm(temporary, { recursive: true, force: true });
      try {
        for (const [index, file] of release.files.entries()) {
          const destination = join(temporary, ...file.path.split('/'));
          await mkdir(dirname(destination), { recursive: true });
          await copyFile(file.absolutePath, destination);
          progress?.(index + 1, release.files.length);
        }
        await writeFile(join(temporary, RELEASE_MANIFEST), manifestOf(release));
        await rm(target, { recursive: true, force: true });
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

export function manifestOf(release: BuiltRelease): string {
  return `${JSON.stringify({ id: release.id, files: release.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })) }, null, 2)}\n`;
}
