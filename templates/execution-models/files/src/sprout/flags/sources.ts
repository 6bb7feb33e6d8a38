// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * Where a Lambda function reads its flags from: AppConfig (through Powertools for AWS Lambda's
 * parameters utility) or its own SPROUT_FLAGS environment variable. The provider caches what a
 * source returns; a source only fetches.
 */

import type { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { readFile } from 'node:fs/promises';

import { decodeEnv, readAppConfigFlags, SPROUT_FLAGS_VARIABLE } from './codec.js';
import { emptyDocument, type FlagDocument } from './model.js';

/** The environment variables a function's stack sets to say where its flags are. */
export const FLAG_SOURCE_VARIABLES = {
  /** AppConfig application, environment and feature-flag profile (names or ids), set by the CDK stack. */
  application: 'SPROUT_FLAGS_APPLICATION',
  environment: 'SPROUT_FLAGS_ENVIRONMENT',
  profile: 'SPROUT_FLAGS_PROFILE',
  /** The lambda-env store: the whole document. */
  document: SPROUT_FLAGS_VARIABLE,
  /** The local store's file (.sprout/local/flags.json), set by `sprout dev`: it wins over the others. */
  file: 'SPROUT_FLAGS_FILE',
} as const;

export interface FlagSnapshot {
  document: FlagDocument;
  /** Flags known to be off whose spec the source could not deliver (AppConfig drops a disabled flag's attributes). */
  switchedOff?: readonly string[];
}

export interface FlagSource {
  /** Shown in flagMetadata.source and in error messages. */
  name: string;
  /** The provider never refreshes more often than this, whatever its maxAge. */
  minimumMaxAgeSeconds?: number;
  /** The provider never keeps a copy longer than this, whatever its maxAge (a cheap local read). */
  maximumMaxAgeSeconds?: number;
  fetch(maxAgeSeconds: number): Promise<FlagSnapshot>;
}

type Environment = Record<string, string | undefined>;

/** AppConfig refuses a session poll interval under 15 s, and answers a poll made sooner than the interval with "Request too early". */
export const APPCONFIG_MINIMUM_POLL_SECONDS = 15;

export interface AppConfigSourceOptions {
  application: string;
  environment: string;
  profile: string;
  /** A Powertools AppConfigProvider to use (tests, a custom client); by default one of this source's own. */
  powertools?: AppConfigProvider;
}

/**
 * Flags from an AppConfig feature-flag profile, through Powertools' AppConfigProvider (which keeps
 * the AppConfigData session token and the last configuration when nothing changed).
 *
 * Not the getAppConfig() shortcut: it shares one provider per process, bound to the application
 * and environment of its FIRST call, and that shared session would also break the poll interval
 * this source negotiates. The session asks for a minimum poll interval equal to the provider's
 * maxAge (at least 15 s): without it AppConfig defaults to 60 s, and a refresh after 45 s would be
 * refused as too early.
 */
export function appConfigSource(options: AppConfigSourceOptions): FlagSource {
  let powertools = options.powertools;
  const where = `AppConfig ${options.application}/${options.environment}/${options.profile}`;
  return {
    name: 'appconfig',
    minimumMaxAgeSeconds: APPCONFIG_MINIMUM_POLL_SECONDS,
    async fetch(maxAgeSeconds) {
      if (!powertools) {
        // Loaded on first use: a function on the lambda-env store never loads the AppConfig SDK.
        const { AppConfigProvider } = await import('@aws-lambda-powertools/parameters/appconfig');
        powertools = new AppConfigProvider({ application: options.application, environment: options.environment });
      }
      const content = await powertools.get(options.profile, {
        maxAge: maxAgeSeconds,
        // The provider owns the cache; Powertools' own would hide a failed refresh from it.
        forceFetch: true,
        sdkOptions: { RequiredMinimumPollIntervalInSeconds: Math.max(APPCONFIG_MINIMUM_POLL_SECONDS, Math.ceil(maxAgeSeconds)) },
      });
      if (content === undefined) throw new Error(`${where} returned no configuration`);
      return readAppConfigFlags(content as Uint8Array | string | object);
    },
  };
}

/** Flags from the SPROUT_FLAGS environment variable (the lambda-env store). */
export function environmentSource(env: Environment = process.env): FlagSource {
  return {
    name: 'lambda-env',
    async fetch() {
      const text = env[SPROUT_FLAGS_VARIABLE];
      if (text === undefined) throw new Error(`the ${SPROUT_FLAGS_VARIABLE} environment variable is not set: write the flags with sprout flags … --stage <stage>`);
      return { document: decodeEnv(text) };
    },
  };
}

/** A local file is read at most this often: `sprout flags set` in another terminal shows within a second. */
export const LOCAL_FILE_MAX_AGE_SECONDS = 1;

/**
 * Flags from the local store's file (`{ version, document, history }`), what `sprout dev` gives its
 * handlers. A missing file is an empty document, as the local store reads it: every flag at its default.
 */
export function fileSource(path: string): FlagSource {
  return {
    name: 'local',
    maximumMaxAgeSeconds: LOCAL_FILE_MAX_AGE_SECONDS,
    async fetch() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { document: emptyDocument() };
        throw error;
      }
      const { document } = JSON.parse(text) as { document?: FlagDocument };
      if (typeof document !== 'object' || document === null) throw new Error(`${path} holds no flag document`);
      return { document };
    },
  };
}

/** The local file when SPROUT_FLAGS_FILE is set (sprout dev); AppConfig when the stack set SPROUT_FLAGS_APPLICATION, _ENVIRONMENT and _PROFILE; SPROUT_FLAGS otherwise. */
export function sourceFromEnvironment(env: Environment = process.env): FlagSource {
  const file = env[FLAG_SOURCE_VARIABLES.file];
  if (file) return fileSource(file);
  const application = env[FLAG_SOURCE_VARIABLES.application];
  const environment = env[FLAG_SOURCE_VARIABLES.environment];
  const profile = env[FLAG_SOURCE_VARIABLES.profile];
  if (application && environment && profile) return appConfigSource({ application, environment, profile });
  const names = [FLAG_SOURCE_VARIABLES.application, FLAG_SOURCE_VARIABLES.environment, FLAG_SOURCE_VARIABLES.profile];
  const missing = names.filter((name) => !env[name]);
  if (missing.length < names.length) {
    // Half an AppConfig setup is a broken stack, not a reason to read SPROUT_FLAGS instead.
    return {
      name: 'appconfig',
      fetch: () => Promise.reject(new Error(`${missing.join(', ')} not set, while ${names.filter((name) => env[name]).join(', ')} is: the stack must set all three`)),
    };
  }
  return environmentSource(env);
}
