import { OUTPUT_FORMATS, type OutputFormat } from '../src/lib/image-types.js';
import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export interface Options {
  /** Width of the resized copy, in pixels. */
  resizeWidth: number;
  /** Edge of the square thumbnail, in pixels. */
  thumbnailSize: number;
  outputFormat: OutputFormat;
  /** Timeout of each consumer function; each queue's visibility timeout is 6 times this. */
  consumerTimeoutSeconds: number;
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

export function parseOptions(options: OptionReader): Options {
  return {
    resizeWidth: options.integer('resizeWidth', 16, 8192),
    thumbnailSize: options.integer('thumbnailSize', 16, 1024),
    outputFormat: options.oneOf('outputFormat', OUTPUT_FORMATS),
    // Lambda's maximum is 900 s; 6 × 900 s stays under SQS's 12-hour visibility timeout limit.
    consumerTimeoutSeconds: options.integer('consumerTimeoutSeconds', 1, 900),
  };
}

/** No HTTP endpoint here: a custom domain would have nothing to point at. */
function withoutDomain(config: Config): Config {
  return refuseDomain(config, 'pubsub-fanout', 'uploads to the input bucket trigger it');
}
