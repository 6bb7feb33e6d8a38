import type { LambdaClient } from '@aws-sdk/client-lambda';

import { ConflictError, PreconditionError, UsageError } from '../core/errors.js';
import { decodeEnv, encodeEnv, SPROUT_FLAGS_VARIABLE } from '../runtime/flags/codec.js';
import { emptyDocument, type FlagDocument, validateDocument } from '../runtime/flags/model.js';
import type { FlagStore, HistoryEntry, StoredDocument, WriteRequest } from './store.js';

export interface LambdaEnvTarget {
  /** The functions whose environment carries the flags (names or ARNs). */
  functions: string[];
  /** Publish a version after the change and point this alias at it (production traffic follows aliases). */
  alias?: string;
}

/** Lambda's limit on all of a function's environment variables together (keys and values). */
export const ENVIRONMENT_LIMIT_BYTES = 4 * 1024;

/**
 * The `lambda-env` store, for simple projects: the flag document in one environment variable of
 * each function. A write is GetFunctionConfiguration → merge → size check → UpdateFunctionConfiguration
 * with the RevisionId read (a lost race is exit 4) → wait until updated → optionally publish a
 * version and move the alias to it.
 */
export function lambdaEnvFlagStore(target: LambdaEnvTarget, client: LambdaClient, options: { maxWaitSeconds?: number } = {}): FlagStore {
  if (target.functions.length === 0) {
    throw new UsageError('NO_FUNCTIONS', 'The lambda-env store needs the functions that carry the flags.', {
      suggestions: ['Set stages.<stage>.flags.functions in sprout.json, or pass --function <name> (repeatable).'],
    });
  }
  const location = `the ${SPROUT_FLAGS_VARIABLE} variable of ${target.functions.join(', ')}${target.alias ? ` (alias ${target.alias})` : ''}`;

  async function configuration(name: string) {
    const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
    return client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  }

  function parse(text: string | undefined, name: string): FlagDocument {
    if (!text) return emptyDocument();
    const document = decodeEnv(text);
    const problems = validateDocument(document);
    if (problems.length) throw new PreconditionError('FLAGS_INVALID', `${SPROUT_FLAGS_VARIABLE} of ${name} is not a valid flag document:\n  ${problems.join('\n  ')}`);
    return document;
  }

  return {
    kind: 'lambda-env',
    location,

    /** The version token is every function's RevisionId, so a change to any of them is caught. */
    async read(): Promise<StoredDocument> {
      const configs = await Promise.all(target.functions.map(configuration));
      const documents = configs.map((c, i) => parse(c.Environment?.Variables?.[SPROUT_FLAGS_VARIABLE], target.functions[i]!));
      const differing = documents.findIndex((d) => JSON.stringify(d) !== JSON.stringify(documents[0]));
      if (differing > 0) {
        throw new PreconditionError('FLAGS_DIVERGED', `${target.functions[0]} and ${target.functions[differing]} carry different flags.`, {
          suggestions: ['Set the flag again to bring them in line; sprout writes the same document to every function.'],
        });
      }
      return { document: documents[0]!, version: configs.map((c) => c.RevisionId ?? '').join(',') };
    },

    async write(document, request: WriteRequest) {
      const { PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand, GetAliasCommand, waitUntilFunctionUpdatedV2 } = await import('@aws-sdk/client-lambda');
      const expected = request.expected.split(',');
      const value = encodeEnv(document);
      // Check every function before changing any, so a refusal leaves all of them as they were.
      const planned = await Promise.all(
        target.functions.map(async (name, index) => {
          const current = await configuration(name);
          if (current.RevisionId !== expected[index]) throw lostRace(name);
          const variables = { ...current.Environment?.Variables, [SPROUT_FLAGS_VARIABLE]: value };
          const size = Object.entries(variables).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
          if (size > ENVIRONMENT_LIMIT_BYTES) {
            throw new PreconditionError('ENVIRONMENT_TOO_LARGE', `${name}'s environment would be ${size} bytes with the flags, over Lambda's 4 KB limit; nothing was written.`, {
              details: { bytes: size, limit: ENVIRONMENT_LIMIT_BYTES },
              suggestions: ['Move the flags to the appconfig store (stages.<stage>.flags.store), which has no such limit, or trim targeting lists.'],
            });
          }
          return { name, variables, revision: current.RevisionId };
        }),
      );
      const revisions: string[] = [];
      for (const { name, variables, revision } of planned) {
        let updated;
        try {
          updated = await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: variables }, RevisionId: revision }));
        } catch (error) {
          if ((error as Error).name === 'PreconditionFailedException') throw lostRace(name);
          throw error;
        }
        await waitUntilFunctionUpdatedV2({ client, maxWaitTime: options.maxWaitSeconds ?? 300 }, { FunctionName: name });
        revisions.push(updated.RevisionId ?? '');
        if (target.alias) {
          const published = await client.send(new PublishVersionCommand({ FunctionName: name, Description: request.description.slice(0, 256) }));
          const alias = await client.send(new GetAliasCommand({ FunctionName: name, Name: target.alias }));
          await client.send(new UpdateAliasCommand({ FunctionName: name, Name: target.alias, FunctionVersion: published.Version, RevisionId: alias.RevisionId }));
        }
      }
      return { version: revisions.join(',') };
    },

    async history(): Promise<HistoryEntry[]> {
      if (!target.alias) return [];
      const { ListVersionsByFunctionCommand } = await import('@aws-sdk/client-lambda');
      const listed = await client.send(new ListVersionsByFunctionCommand({ FunctionName: target.functions[0]! }));
      return (listed.Versions ?? [])
        .filter((v) => v.Version !== '$LATEST')
        .reverse()
        .map((v) => ({ version: v.Version ?? '', ...(v.Description ? { description: v.Description } : {}), ...(v.LastModified ? { at: v.LastModified } : {}) }));
    },

    /** With an alias, each function's alias goes back to the version before the current one. */
    async rollback() {
      if (!target.alias) {
        throw new PreconditionError('NOTHING_TO_ROLL_BACK', 'The lambda-env store keeps no earlier versions without an alias.', {
          suggestions: ['Set the flag back by hand (sprout flags set …), or configure stages.<stage>.flags.alias to keep published versions.'],
        });
      }
      const { GetAliasCommand, ListVersionsByFunctionCommand, UpdateAliasCommand } = await import('@aws-sdk/client-lambda');
      let restored = '';
      for (const name of target.functions) {
        const alias = await client.send(new GetAliasCommand({ FunctionName: name, Name: target.alias }));
        const listed = await client.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
        const numbers = (listed.Versions ?? []).map((v) => v.Version).filter((v): v is string => !!v && v !== '$LATEST').map(Number).sort((a, b) => a - b);
        const previous = numbers.filter((n) => n < Number(alias.FunctionVersion)).at(-1);
        if (previous === undefined) throw new PreconditionError('NOTHING_TO_ROLL_BACK', `${name} has no version before ${alias.FunctionVersion}.`);
        await client.send(new UpdateAliasCommand({ FunctionName: name, Name: target.alias, FunctionVersion: String(previous), RevisionId: alias.RevisionId }));
        restored = String(previous);
      }
      return { action: 'restored-previous', version: restored };
    },

    async deployed() {
      if (!target.alias) return 'applied on write';
      const { GetAliasCommand } = await import('@aws-sdk/client-lambda');
      const alias = await client.send(new GetAliasCommand({ FunctionName: target.functions[0]!, Name: target.alias }));
      return `alias ${target.alias} → version ${alias.FunctionVersion}`;
    },
  };
}

function lostRace(name: string): ConflictError {
  return new ConflictError('FLAGS_CHANGED', `${name} changed since the flags were read (its RevisionId moved on); nothing more was written.`, {
    suggestions: ['Run the command again: it will start from the function as it is now.'],
  });
}
