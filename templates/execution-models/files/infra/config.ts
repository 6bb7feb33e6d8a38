import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export const STREAM_SOURCES = ['sqs', 'kinesis'] as const;
export type StreamSource = (typeof STREAM_SOURCES)[number];

export interface Options {
  /** What the polling (stream-based) consumer reads: an SQS queue or a Kinesis data stream. */
  streamSource: StreamSource;
  /** Timeout of the synchronous function; API Gateway still gives up after 29 s. */
  syncTimeoutSeconds: number;
  /** Lambda's retries of a failed asynchronous invocation (0 to 2) before the on-failure destination. */
  asyncRetryAttempts: number;
  /** How long an asynchronous event may wait in Lambda's queue before it goes to the on-failure destination. */
  asyncMaxEventAgeSeconds: number;
}

export type Config = ProjectConfig<Options>;

/** Lambda's own limits (Configure Lambda function timeout; Configuring error handling for asynchronous invocations). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
export const ASYNC_MAX_RETRY_ATTEMPTS = 2;
export const ASYNC_MIN_EVENT_AGE_SECONDS = 60;
export const ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 60 * 60;

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
    streamSource: options.oneOf('streamSource', STREAM_SOURCES),
    syncTimeoutSeconds: options.integer('syncTimeoutSeconds', 1, LAMBDA_MAX_TIMEOUT_SECONDS),
    asyncRetryAttempts: options.integer('asyncRetryAttempts', 0, ASYNC_MAX_RETRY_ATTEMPTS),
    asyncMaxEventAgeSeconds: options.integer('asyncMaxEventAgeSeconds', ASYNC_MIN_EVENT_AGE_SECONDS, ASYNC_MAX_EVENT_AGE_SECONDS),
  };
}
