import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, refuseDomain, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type Coordination = 'orchestration' | 'choreography';

export interface Options {
  /** orchestration: a Step Functions workflow; choreography: the services react to each other's events on EventBridge. */
  coordination: Coordination;
  /** Retries of a failing compensation before it goes to the repair queue (choreography: at most 2, Lambda's limit for asynchronous invocations). */
  compensationRetryAttempts: number;
  /** How long the repair queue keeps a failed compensation (SQS: at most 14 days). */
  dlqRetentionDays: number;
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
  return refuseDomain(config, 'saga', 'orders start with aws stepfunctions start-execution or aws events put-events');
}

export function parseOptions(options: OptionReader): Options {
  return {
    coordination: options.oneOf('coordination', ['orchestration', 'choreography']),
    compensationRetryAttempts: options.integer('compensationRetryAttempts', 0, 10),
    dlqRetentionDays: options.integer('dlqRetentionDays', 1, 14),
  };
}
