import { readFileSync } from 'node:fs';
import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type ChildExecutionType = 'express' | 'standard';

export interface Options {
  /** Key prefix under which the Distributed Map lists the input objects ('' for the whole input bucket). */
  inputPrefix: string;
  /** Most child workflows (mapper invocations) running at once: 1 to 10,000. */
  maxConcurrency: number;
  /** Percentage of items that may fail before the map run fails: 0 to 100. */
  toleratedFailurePercentage: number;
  /** Express: up to 5 minutes per item, at least once, cheaper. Standard: exactly once, up to a year, billed per transition. */
  childExecutionType: ChildExecutionType;
}

export type Config = ProjectConfig<Options>;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both. `overrides` replace options of the file (the
 * tests build variants with it); they are checked like the file's own.
 */
export function loadConfig(stage?: string, deployment?: SproutDeployment, overrides: Partial<Options> = {}): Config {
  const sprout = JSON.parse(readFileSync(sproutJsonUrl, 'utf8')) as SproutFile;
  return resolveConfig({ ...sprout, options: { ...sprout.options, ...overrides } }, stage, deployment);
}

export function resolveConfig(sprout: SproutFile, stage?: string, deployment?: SproutDeployment): Config {
  return withoutDomain(resolveProjectConfig(sprout, parseOptions, stage, deployment));
}

/** No HTTP endpoint here: a custom domain would have nothing to point at. */
function withoutDomain(config: Config): Config {
  return refuseDomain(config, 'map-reduce', 'jobs start with aws stepfunctions start-execution');
}

// Folders of characters S3 calls safe in key names, each ending in "/" (or nothing: the whole bucket).
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

export function parseOptions(options: OptionReader): Options {
  const inputPrefix = options.string('inputPrefix', PREFIX, "to be empty or folders ending in \"/\" (letters, digits and !_.*'()-), such as input/ or corpus/2026/");
  if (inputPrefix.length > 512) fail('options.inputPrefix must be at most 512 characters');
  return {
    inputPrefix,
    maxConcurrency: options.integer('maxConcurrency', 1, 10_000),
    toleratedFailurePercentage: options.number('toleratedFailurePercentage', 0, 100),
    childExecutionType: options.oneOf('childExecutionType', ['express', 'standard']),
  };
}
