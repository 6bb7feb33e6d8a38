import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type BufferKind = 'sqs' | 'kinesis';

export interface Options {
  /** What the API writes into: an SQS standard queue or a Kinesis data stream. */
  buffer: BufferKind;
  /** Most records per consumer invocation. */
  batchSize: number;
  /** How long the event source mapping may gather records before invoking, in seconds. */
  maxBatchingWindowSeconds: number;
  /** The consumer's timeout, in seconds; the queue's visibility timeout derives from it. */
  consumerTimeoutSeconds: number;
  /** Deliveries before a message is set aside (SQS maxReceiveCount; Kinesis retries + 1). */
  maxReceiveCount: number;
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

/** Lambda's limits for event source mappings (CreateEventSourceMapping in the Lambda API reference). */
export const LIMITS = {
  /** Standard queues and Kinesis streams both allow batches of up to 10,000 records. */
  batchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  /** Lambda's maximum function timeout. */
  consumerTimeoutSeconds: 900,
  /** SQS accepts a maxReceiveCount of 1 to 1,000; Kinesis retry attempts go up to 10,000. */
  maxReceiveCount: 1_000,
} as const;

export function parseOptions(options: OptionReader): Options {
  const parsed: Options = {
    buffer: options.oneOf('buffer', ['sqs', 'kinesis']),
    batchSize: options.integer('batchSize', 1, LIMITS.batchSize),
    maxBatchingWindowSeconds: options.integer('maxBatchingWindowSeconds', 0, LIMITS.maxBatchingWindowSeconds),
    consumerTimeoutSeconds: options.integer('consumerTimeoutSeconds', 1, LIMITS.consumerTimeoutSeconds),
    maxReceiveCount: options.integer('maxReceiveCount', 1, LIMITS.maxReceiveCount),
  };
  // Lambda refuses an SQS mapping with BatchSize over 10 and no batching window.
  if (parsed.buffer === 'sqs' && parsed.batchSize > 10 && parsed.maxBatchingWindowSeconds < 1) {
    fail(`options.batchSize of ${parsed.batchSize} needs options.maxBatchingWindowSeconds of at least 1 with SQS (Lambda only takes more than 10 messages per batch with a batching window)`);
  }
  return parsed;
}

/**
 * The queue's visibility timeout: 6 × the consumer's timeout plus the batching window, as Lambda's
 * SQS documentation recommends, so a message is not handed out again while a batch that holds it
 * is still being gathered or processed (and throttled invocations get retries before it reappears).
 */
export function visibilityTimeoutSeconds(options: Pick<Options, 'consumerTimeoutSeconds' | 'maxBatchingWindowSeconds'>): number {
  return 6 * options.consumerTimeoutSeconds + options.maxBatchingWindowSeconds;
}
