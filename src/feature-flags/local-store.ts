import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ConflictError, PreconditionError } from '../core/errors.js';
import { writeAtomically } from '../project/config-file.js';
import { emptyDocument, type FlagDocument, validateDocument } from '../runtime/flags/model.js';
import type { FlagStore, HistoryEntry, StoredDocument, WriteRequest } from './store.js';

/** How many earlier documents the local file keeps for history and rollback. */
const KEPT = 50;

interface LocalFile {
  version: number;
  document: FlagDocument;
  history: Array<{ version: number; at: string; description: string; document: FlagDocument }>;
}

export function localFlagsFile(root: string): string {
  return join(root, '.sprout', 'local', 'flags.json');
}

/**
 * The `local` store: .sprout/local/flags.json, what `sprout dev` serves. It works with no AWS
 * account, keeps history, and writes atomically and conditionally like the AWS stores.
 */
export function localFlagStore(root: string, now: () => Date = () => new Date()): FlagStore {
  const file = localFlagsFile(root);

  async function load(): Promise<LocalFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 0, document: emptyDocument(), history: [] };
      throw error;
    }
    const parsed = JSON.parse(text) as LocalFile;
    const problems = validateDocument(parsed.document);
    if (problems.length) {
      throw new PreconditionError('FLAGS_INVALID', `${file} holds an invalid flag document:\n  ${problems.join('\n  ')}`, {
        suggestions: [`Fix the file, or roll back: sprout flags rollback --stage local`],
      });
    }
    return parsed;
  }

  async function save(next: LocalFile, expected: number): Promise<void> {
    const current = await load();
    if (current.version !== expected) {
      throw new ConflictError('FLAGS_CHANGED', `The local flags changed (now version ${current.version}, you read ${expected}); nothing was written.`, {
        suggestions: ['Run the command again: it will start from the flags as they are now.'],
      });
    }
    await mkdir(dirname(file), { recursive: true });
    await writeAtomically(file, `${JSON.stringify(next, null, 2)}\n`);
  }

  return {
    kind: 'local',
    location: `local file ${file}`,
    async read(): Promise<StoredDocument> {
      const current = await load();
      return { document: current.document, version: String(current.version) };
    },
    async write(document: FlagDocument, request: WriteRequest) {
      const current = await load();
      const version = current.version + 1;
      const history = [{ version, at: now().toISOString(), description: request.description, document }, ...current.history].slice(0, KEPT);
      await save({ version, document, history }, Number(request.expected));
      return { version: String(version) };
    },
    async history(): Promise<HistoryEntry[]> {
      const current = await load();
      return current.history.map((h) => ({ version: String(h.version), at: h.at, description: h.description, ...(h.version === current.version ? { deployed: 'local' } : {}) }));
    },
    async rollback({ description }) {
      const current = await load();
      const previous = current.history.find((h) => h.version < current.version);
      if (!previous) {
        throw new PreconditionError('NOTHING_TO_ROLL_BACK', 'There is no earlier version of the local flags to go back to.');
      }
      const version = current.version + 1;
      const history = [{ version, at: now().toISOString(), description, document: previous.document }, ...current.history].slice(0, KEPT);
      await save({ version, document: previous.document, history }, current.version);
      return { action: 'restored-previous', version: String(version) };
    },
    async deployed() {
      const current = await load();
      return current.version ? `version ${current.version}` : undefined;
    },
  };
}
