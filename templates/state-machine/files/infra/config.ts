import { readFileSync } from 'node:fs';
import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type WorkflowType = 'standard' | 'express';
export type ExecutionLogLevel = 'ALL' | 'ERROR' | 'FATAL';

export interface Options {
  /** Standard: up to a year, exactly-once steps, 90 days of history. Express: up to 5 minutes, at-least-once (asynchronous start). */
  workflowType: WorkflowType;
  /** Retries of a task that failed with a transient error, before its Catch takes over (0 to 10). */
  maxRetryAttempts: number;
  /** Wait before the first retry (1 to 300 s); each further retry waits twice as long, with full jitter. */
  retryIntervalSeconds: number;
  /** Which execution events go to CloudWatch Logs. */
  logLevel: ExecutionLogLevel;
}

export type Config = ProjectConfig<Options>;

/** The longest one retry waits (Retry.MaxDelaySeconds): a minute, unless the first wait is longer. */
export function retryMaxDelaySeconds(options: Pick<Options, 'retryIntervalSeconds'>): number {
  return Math.max(options.retryIntervalSeconds, 60);
}

/**
 * The longest one task can spend waiting between retries: interval × 2^n per retry, each capped
 * at retryMaxDelaySeconds (full jitter only ever shortens a wait).
 */
export function worstCaseRetryWaitSeconds(options: Pick<Options, 'maxRetryAttempts' | 'retryIntervalSeconds'>): number {
  let total = 0;
  for (let attempt = 0; attempt < options.maxRetryAttempts; attempt++) {
    total += Math.min(options.retryIntervalSeconds * 2 ** attempt, retryMaxDelaySeconds(options));
  }
  return total;
}

/**
 * An Express execution is stopped after 5 minutes (States.Timeout), retries included. One task's
 * retry waits must leave a minute of those five for the work itself.
 */
export const EXPRESS_RETRY_BUDGET_SECONDS = 240;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both. `overrides` replace options of the file (the
 * tests build the Express variant with it); they are checked like the file's own.
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
  return refuseDomain(config, 'state-machine', 'executions start with aws stepfunctions start-execution or start-sync-execution');
}

export function parseOptions(options: OptionReader): Options {
  const parsed: Options = {
    workflowType: options.oneOf('workflowType', ['standard', 'express']),
    maxRetryAttempts: options.integer('maxRetryAttempts', 0, 10),
    retryIntervalSeconds: options.integer('retryIntervalSeconds', 1, 300),
    logLevel: options.oneOf('logLevel', ['ALL', 'ERROR', 'FATAL']),
  };
  const waits = worstCaseRetryWaitSeconds(parsed);
  if (parsed.workflowType === 'express' && waits > EXPRESS_RETRY_BUDGET_SECONDS) {
    fail(
      `options.maxRetryAttempts ${parsed.maxRetryAttempts} with options.retryIntervalSeconds ${parsed.retryIntervalSeconds} can wait ${waits} s ` +
        `between retries of one task, but an Express execution stops after 300 s: keep the retry waits under ${EXPRESS_RETRY_BUDGET_SECONDS} s, or use "standard"`,
    );
  }
  return parsed;
}
