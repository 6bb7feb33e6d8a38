import { readFileSync } from 'node:fs';
import type { SproutDeployment } from './sprout/deployment.js';
import type { CuratedFormat } from '../src/lib/layout.js';
import { toResourceName } from './sprout/context-values.js';
import { type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };
export type { CuratedFormat };
export type Encryption = 'sse-s3' | 'sse-kms';

export interface Options {
  /** File format of the curated zone: Parquet, or gzip-compressed JSON Lines. */
  curatedFormat: CuratedFormat;
  /** S3-managed keys, or one customer-managed KMS key (with rotation) for the zones and Athena's results. */
  encryption: Encryption;
  /** Days after which raw objects are deleted (0 keeps them). */
  rawRetentionDays: number;
  /** Athena's per-query scan limit, in MiB (Athena's minimum is 10 MB). */
  queryScanLimitMb: number;
}

export type Config = ProjectConfig<Options>;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both. `overrides` replace options of the file (the
 * tests build variants with them), and are checked like the file's.
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
  return refuseDomain(config, 'data-lake', 'producers invoke the ingestion function and analysts query Athena');
}

/** 10 TiB: a larger limit is no limit worth having. */
export const MAX_QUERY_SCAN_LIMIT_MB = 10 * 1024 * 1024;

export function parseOptions(options: OptionReader): Options {
  return {
    curatedFormat: options.oneOf('curatedFormat', ['parquet', 'jsonl-gzip'] as const),
    encryption: options.oneOf('encryption', ['sse-s3', 'sse-kms'] as const),
    rawRetentionDays: options.integer('rawRetentionDays', 0, 36_500),
    queryScanLimitMb: options.integer('queryScanLimitMb', 10, MAX_QUERY_SCAN_LIMIT_MB),
  };
}

/** The workgroup's BytesScannedCutoffPerQuery: the option in bytes (1 MiB = 1,048,576 bytes; Athena's floor is 10,000,000). */
export function bytesScannedCutoff(options: Pick<Options, 'queryScanLimitMb'>): number {
  return options.queryScanLimitMb * 1024 * 1024;
}

/**
 * A Glue database name from the stack name: lowercase letters, digits and underscores, which Athena
 * accepts without quoting (`my-shop-local` → `my_shop_local`). Unique per account
 * and region because the stack name is.
 */
export function glueName(stackName: string): string {
  return stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 255);
}
