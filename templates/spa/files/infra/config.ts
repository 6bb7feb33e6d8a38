import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';
export type PriceClass = 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';

export interface Options {
  // The site (this pattern's options).
  priceClass: PriceClass;
  spaFallback: boolean;
  htmlCacheSeconds: number;
  bucketRemovalPolicy: 'retain' | 'destroy';
  // Progressive rollouts: the Lambda@Edge release router (infra/constructs/release-router.ts).
  releaseRouter: boolean;
  routerCacheSeconds: number;
  // The items API (backend-api's options, read by infra/constructs/items-service.ts).
  throttleRateLimit: number;
  throttleBurstLimit: number;
  pageSize: number;
  tableRemovalPolicy: TableRemovalPolicy;
}

/** The API's options when sprout.json leaves them out: backend-api's defaults. */
export const API_DEFAULTS = {
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  pageSize: 25,
  tableRemovalPolicy: 'retain',
} as const satisfies Partial<Options>;

/** The release router's options when sprout.json leaves them out (a project created before they existed). */
export const ROUTER_DEFAULTS = {
  releaseRouter: true,
  routerCacheSeconds: 10,
} as const satisfies Partial<Options>;

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

export function parseOptions(options: OptionReader, sprout: SproutFile): Options {
  // The API's and the router's options are optional here: when sprout.json omits one, its default applies.
  const given = (name: keyof typeof API_DEFAULTS | keyof typeof ROUTER_DEFAULTS) => (sprout.options as Record<string, unknown> | undefined)?.[name] !== undefined;
  return {
    priceClass: options.oneOf('priceClass', ['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
    spaFallback: options.boolean('spaFallback'),
    htmlCacheSeconds: options.integer('htmlCacheSeconds', 0, 31_536_000),
    bucketRemovalPolicy: options.oneOf('bucketRemovalPolicy', ['retain', 'destroy']),
    releaseRouter: given('releaseRouter') ? options.boolean('releaseRouter') : ROUTER_DEFAULTS.releaseRouter,
    routerCacheSeconds: given('routerCacheSeconds') ? options.integer('routerCacheSeconds', 1, 300) : ROUTER_DEFAULTS.routerCacheSeconds,
    throttleRateLimit: given('throttleRateLimit') ? options.integer('throttleRateLimit', 1, 10_000) : API_DEFAULTS.throttleRateLimit,
    throttleBurstLimit: given('throttleBurstLimit') ? options.integer('throttleBurstLimit', 1, 5_000) : API_DEFAULTS.throttleBurstLimit,
    pageSize: given('pageSize') ? options.integer('pageSize', 1, 100) : API_DEFAULTS.pageSize,
    tableRemovalPolicy: given('tableRemovalPolicy') ? options.oneOf('tableRemovalPolicy', ['retain', 'destroy']) : API_DEFAULTS.tableRemovalPolicy,
  };
}
