import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';

export interface Options {
  throttleRateLimit: number;
  throttleBurstLimit: number;
  pageSize: number;
  tableRemovalPolicy: TableRemovalPolicy;
}

export type Config = ProjectConfig<Options>;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both.
 */
export function loadConfig(stage?: string, deployment?: SproutDeployment): Config {
  return loadProjectConfig(sproutJsonUrl, parseOptions, stage, deployment);
}

export function resolveConfig(sprout: SproutFile, stage?: string, deployment?: SproutDeployment): Config {
  return resolveProjectConfig(sprout, parseOptions, stage, deployment);
}

export function parseOptions(options: OptionReader): Options {
  return {
    throttleRateLimit: options.integer('throttleRateLimit', 1, 10_000),
    throttleBurstLimit: options.integer('throttleBurstLimit', 1, 5_000),
    pageSize: options.integer('pageSize', 1, 100),
    tableRemovalPolicy: options.oneOf('tableRemovalPolicy', ['retain', 'destroy']),
  };
}
