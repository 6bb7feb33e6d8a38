import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { TemplateManifest } from '../catalog/schema.js';
import { PreconditionError, SproutError } from '../core/errors.js';

/** A template ready to copy, wherever it came from. */
export interface ResolvedTemplate {
  manifest: TemplateManifest;
  filesDir: string;
  /** Set for templates from outside the catalog: the path or gh:owner/repo/subdir#ref given. */
  source?: string;
  /** Removes what fetching left on disk. */
  dispose: () => Promise<void>;
}

/** Downloads a remote template (giget) into a folder. */
export type TemplateFetcher = (source: string, into: string) => Promise<void>;

const REMOTE = /^(gh|github|gitlab|bitbucket|sourcehut|https?):/;

export function isRemoteTemplate(source: string): boolean {
  return REMOTE.test(source);
}

/**
 * Resolves --template: a local folder, or a remote one fetched with giget. Either way it must
 * look like a catalog entry: a template.json that passes the catalog's schema, and a files/ folder.
 */
export async function resolveOutsideTemplate(source: string, cwd: string, fetch: TemplateFetcher): Promise<ResolvedTemplate> {
  let root = resolve(cwd, source);
  let dispose = async () => {};
  if (isRemoteTemplate(source)) {
    const scratch = await mkdtemp(join(tmpdir(), 'sprout-template-'));
    dispose = () => rm(scratch, { recursive: true, force: true });
    root = join(scratch, 'template');
    try {
      await fetch(source, root);
    } catch (error) {
      await dispose();
      throw new PreconditionError('TEMPLATE_FETCH_FAILED', `Could not download the template ${source}: ${(error as Error).message}`, {
        cause: error,
        suggestions: [
          'Check the form gh:owner/repo/path/to/template#ref and that the repository is reachable.',
          'For a private repository set GIGET_AUTH to a token with read access.',
        ],
      });
    }
  } else if (!existsSync(root)) {
    throw new PreconditionError('TEMPLATE_NOT_FOUND', `There is no template folder at ${root}.`, {
      suggestions: ['Give --template a folder that holds template.json and files/, or gh:owner/repo/subdir#ref.'],
    });
  }
  try {
    const manifest = await readManifest(root, source);
    const filesDir = join(root, 'files');
    if (!existsSync(filesDir)) {
      throw new PreconditionError('TEMPLATE_INVALID', `The template ${source} has no files/ folder: there is nothing to copy.`, {
        suggestions: ['Put the project the template generates under files/, beside template.json.'],
      });
    }
    return { manifest, filesDir, source, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function readManifest(root: string, source: string): Promise<TemplateManifest> {
  const path = join(root, 'template.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new PreconditionError('TEMPLATE_INVALID', `The template ${source} has no readable template.json (${(error as Error).message}).`, {
      suggestions: ['See templates/README.md in sprout for the fields a template.json holds.'],
    });
  }
  // zod only loads here: the built-in catalog is validated by the test suite instead.
  const { templateManifestSchema } = await import('../catalog/schema.js');
  const parsed = templateManifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new SproutError('TEMPLATE_INVALID', `The template ${source} has an invalid template.json:\n  ${problems.join('\n  ')}`, {
    exitCode: 3,
    details: { problems },
    suggestions: ['Fix the fields listed; "sprout patterns show backend-api --json" shows a valid example.'],
  });
}

/** The default fetcher: giget, loaded only when a remote template is asked for. */
export const gigetFetcher: TemplateFetcher = async (source, into) => {
  const { downloadTemplate } = await import('giget');
  await downloadTemplate(source, { dir: into, force: true, auth: process.env.GIGET_AUTH });
};
