import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type CapacityMode = 'on-demand' | 'provisioned';

export interface Options {
  /** On-demand: Kinesis adds and removes shards with traffic. Provisioned: `shardCount` shards, fixed. */
  capacityMode: CapacityMode;
  /** Provisioned mode only (ignored on demand). */
  shardCount: number;
  /** Concurrent batches per shard (1 to 10); records of one partition key stay in order. */
  parallelizationFactor: number;
  /** Most records per invocation. */
  batchSize: number;
  /** Retries of a failing batch before its range goes to the on-failure queue and the shard moves on. */
  maxRetryAttempts: number;
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
    capacityMode: options.oneOf('capacityMode', ['on-demand', 'provisioned']),
    // The template caps it at 500; the account's shard quota is far higher (see the README).
    shardCount: options.integer('shardCount', 1, 500),
    // Lambda's own bounds for a Kinesis event source mapping.
    parallelizationFactor: options.integer('parallelizationFactor', 1, 10),
    batchSize: options.integer('batchSize', 1, 10_000),
    maxRetryAttempts: options.integer('maxRetryAttempts', 0, 10_000),
  };
}

/** The stream has producers and a consumer, but no HTTP endpoint that a custom domain could point at. */
function withoutDomain(config: Config): Config {
  return refuseDomain(config, 'pubsub-streams', 'producers put records on its Kinesis stream');
}
