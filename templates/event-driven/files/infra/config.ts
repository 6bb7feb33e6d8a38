import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export interface Options {
  /** Only keys starting with this trigger processing ('' for the whole bucket). */
  inputPrefix: string;
  /** Only keys ending with this trigger processing ('' for any key). */
  inputSuffix: string;
  /** Lambda's retries of a failed asynchronous invocation (0 to 2). */
  retryAttempts: number;
  /** How long an event may wait in Lambda's asynchronous queue (60 to 21,600 seconds). */
  maxEventAgeSeconds: number;
}

export type Config = ProjectConfig<Options>;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both.
 */
export function loadConfig(stage?: string, deployment?: SproutDeployment): Config {
  return withoutDomain(loadProjectConfig(sproutJsonUrl, parseOptions, stage, deployment));
}

export function resolveConfig(sprout: SproutFile, stage?: string, deployment?: SproutDeployment): Config {
  return withoutDomain(resolveProjectConfig(sprout, parseOptions, stage, deployment));
}

/** No HTTP endpoint here: a custom domain would have nothing to point at. */
function withoutDomain(config: Config): Config {
  return refuseDomain(config, 'event-driven', 'S3 uploads trigger it');
}

// Folders of characters S3 calls safe in key names, each ending in "/".
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;
const SUFFIX = /^[A-Za-z0-9!_.*'()-]*$/;

export function parseOptions(options: OptionReader): Options {
  const inputPrefix = options.string('inputPrefix', PREFIX, "to be empty or folders ending in \"/\" (letters, digits and !_.*'()-), such as incoming/ or devices/eu/");
  const inputSuffix = options.string('inputSuffix', SUFFIX, "of letters, digits and !_.*'()-, such as .jsonl, or empty");
  if (inputPrefix.length > 512) fail('options.inputPrefix must be at most 512 characters');
  return {
    inputPrefix,
    inputSuffix,
    retryAttempts: options.integer('retryAttempts', 0, 2),
    maxEventAgeSeconds: options.integer('maxEventAgeSeconds', 60, 21_600),
  };
}
