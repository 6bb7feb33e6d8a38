import { functionTimeoutSeconds } from '../src/lib/settings.js';
import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export interface Options {
  /** Consecutive failed or timed-out downstream calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call may go through. */
  coolDownSeconds: number;
  /** The downstream call is abandoned, and counted as a failure, after this long. */
  callTimeoutMs: number;
  /** The downstream service the breaker protects (GET). */
  downstreamUrl: string;
  /** The circuit's name, its key in the state table: the downstream URL's host. */
  circuitName: string;
}

export type Config = ProjectConfig<Options>;

/** API Gateway's integration timeout; the function must answer before it. */
export const API_GATEWAY_TIMEOUT_SECONDS = 29;

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

const HTTP_URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%/?=&-]*)?$/;

export function parseOptions(options: OptionReader): Options {
  const downstreamUrl = options.string('downstreamUrl', HTTP_URL, 'to be an http:// or https:// URL with a host, an optional port and an optional path and query, such as https://api.example.com/health');
  const callTimeoutMs = options.integer('callTimeoutMs', 100, 28_000);
  if (functionTimeoutSeconds(callTimeoutMs) > API_GATEWAY_TIMEOUT_SECONDS) {
    fail(
      `options.callTimeoutMs (${callTimeoutMs}) leaves the function ${functionTimeoutSeconds(callTimeoutMs)} s, more than API Gateway's ${API_GATEWAY_TIMEOUT_SECONDS} s integration timeout: ` +
        `use at most ${API_GATEWAY_TIMEOUT_SECONDS * 1000 - 3_000} ms`,
    );
  }
  return {
    failureThreshold: options.integer('failureThreshold', 1, 1000),
    coolDownSeconds: options.integer('coolDownSeconds', 1, 3600),
    callTimeoutMs,
    downstreamUrl,
    circuitName: new URL(downstreamUrl).host,
  };
}
