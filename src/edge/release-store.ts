import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ConflictError, PreconditionError } from '../core/errors.js';
import { writeAtomically } from '../project/config-file.js';
import { parseReleaseDocument, type ReleaseDocument, validateReleaseDocument } from '../runtime/edge-router/release-document.js';

/** A release document as stored, with the token that makes the next write conditional. */
export interface StoredRelease {
  document: ReleaseDocument;
  /** S3's ETag, or the local file's content hash. */
  etag: string;
}

/**
 * Where a stage's release document lives: an S3 object in us-east-1, or a local file. Writes are
 * conditional: `expected` is the ETag read (or null for "there must be none yet"); when the
 * document changed in between, the write fails with a ConflictError (exit 4) and writes nothing.
 */
export interface ReleaseStore {
  /** For people: "s3://bucket/release.json", "local file .sprout/local/release.json". */
  readonly location: string;
  read(): Promise<StoredRelease | undefined>;
  write(document: ReleaseDocument, expected: string | null): Promise<{ etag: string }>;
}

export function conflict(location: string): ConflictError {
  return new ConflictError('RELEASE_DOCUMENT_CHANGED', `Someone changed the release document (${location}) since it was read; nothing was written.`, {
    suggestions: ['Run the command again: it starts from the document as it is now. sprout rollout status shows what changed.'],
  });
}

export function invalidDocument(location: string, error: unknown): PreconditionError {
  return new PreconditionError('RELEASE_DOCUMENT_INVALID', `${location} is not a valid release document: ${(error as Error).message}`, {
    suggestions: ['Restore an earlier version of it (the S3 bucket is versioned), or fix the file by hand.'],
    cause: error,
  });
}

/** Refuses to write what the router would reject: the check lives in the module both share. */
export function serialize(document: ReleaseDocument): string {
  const problems = validateReleaseDocument(document);
  if (problems.length) throw new Error(`refusing to write an invalid release document:\n  ${problems.join('\n  ')}`);
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The local stage's folder: the release document, the uploaded releases and the router's local metrics. */
export function localEdgeDir(root: string): string {
  return join(root, '.sprout', 'local');
}

/** How long a lock may be held before another writer considers its holder dead. */
const STALE_LOCK_MS = 30_000;

/**
 * The local stage's document: .sprout/local/release.json. A lock file (created exclusively) makes
 * the compare-and-write atomic between processes, so two writers behave as they do against S3.
 */
export function localReleaseStore(root: string): ReleaseStore {
  const file = join(localEdgeDir(root), 'release.json');
  const lock = `${file}.lock`;
  const location = `local file ${file}`;

  async function current(): Promise<{ text: string; etag: string } | undefined> {
    try {
      const text = await readFile(file, 'utf8');
      return { text, etag: hash(text) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  return {
    location,
    async read() {
      const found = await current();
      if (!found) return undefined;
      try {
        return { document: parseReleaseDocument(found.text), etag: found.etag };
      } catch (error) {
        throw invalidDocument(location, error);
      }
    },
    async write(document, expected) {
      const text = serialize(document);
      await mkdir(dirname(file), { recursive: true });
      await withLock(lock, async () => {
        const now = await current();
        if ((now?.etag ?? null) !== expected) throw conflict(location);
        await writeAtomically(file, text);
      });
      return { etag: hash(text) };
    },
  };
}

async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (attempt > 200) throw new ConflictError('RELEASE_DOCUMENT_LOCKED', `${lock} is held by another sprout command.`, { suggestions: ['Wait for it to finish; delete the file if no sprout command is running.'] });
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
