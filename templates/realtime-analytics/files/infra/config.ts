import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export interface Options {
  /** Length of each tumbling window (Lambda's TumblingWindowInSeconds: 1 to 900; 0 would turn windows off). */
  windowSeconds: number;
  /** How unusual a window's mean must be, in standard deviations of the key's baseline (see src/lib/baseline.ts). */
  zScoreThreshold: number;
  /** Previous windows of the key that form its baseline; none is judged before it has 3. */
  baselineWindows: number;
  /** Days before DynamoDB's time to live deletes a window's aggregates. */
  aggregateTtlDays: number;
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
    windowSeconds: options.integer('windowSeconds', 1, 900),
    zScoreThreshold: options.number('zScoreThreshold', 1, 10),
    // The baseline needs 3 windows to have a standard deviation worth the name (MIN_BASELINE_WINDOWS).
    baselineWindows: options.integer('baselineWindows', 3, 1000),
    aggregateTtlDays: options.integer('aggregateTtlDays', 1, 3650),
  };
}

/** The stream has producers and a consumer, but no HTTP endpoint that a custom domain could point at. */
function withoutDomain(config: Config): Config {
  return refuseDomain(config, 'realtime-analytics', 'producers put metrics on its Kinesis stream; anomalies go out through SNS');
}
