import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';
export type PriceClass = 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
export type AuthorizerKind = 'cognito' | 'lambda';

export interface Options {
  // This pattern's options.
  authorizer: AuthorizerKind;
  originFailover: boolean;
  accessTokenMinutes: number;
  priceClass: PriceClass;
  // The site (the spa pattern's options; its defaults when sprout.json leaves them out).
  spaFallback: boolean;
  htmlCacheSeconds: number;
  bucketRemovalPolicy: 'retain' | 'destroy';
  // The items API (backend-api's options, read by infra/constructs/items-service.ts).
  throttleRateLimit: number;
  throttleBurstLimit: number;
  pageSize: number;
  tableRemovalPolicy: TableRemovalPolicy;
}

/** The site's options when sprout.json leaves them out: the spa pattern's defaults. */
export const SITE_DEFAULTS = {
  spaFallback: true,
  htmlCacheSeconds: 60,
  bucketRemovalPolicy: 'destroy',
} as const satisfies Partial<Options>;

/** The API's options when sprout.json leaves them out: backend-api's defaults. */
export const API_DEFAULTS = {
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  pageSize: 25,
  tableRemovalPolicy: 'retain',
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
  // Options of the base patterns are optional here: when sprout.json omits one, its default applies.
  const given = (name: string) => (sprout.options as Record<string, unknown> | undefined)?.[name] !== undefined;
  return {
    authorizer: options.oneOf('authorizer', ['cognito', 'lambda']),
    originFailover: options.boolean('originFailover'),
    // Cognito accepts 5 minutes to 1 day for access and ID tokens.
    accessTokenMinutes: options.integer('accessTokenMinutes', 5, 1440),
    priceClass: options.oneOf('priceClass', ['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
    spaFallback: given('spaFallback') ? options.boolean('spaFallback') : SITE_DEFAULTS.spaFallback,
    htmlCacheSeconds: given('htmlCacheSeconds') ? options.integer('htmlCacheSeconds', 0, 31_536_000) : SITE_DEFAULTS.htmlCacheSeconds,
    bucketRemovalPolicy: given('bucketRemovalPolicy') ? options.oneOf('bucketRemovalPolicy', ['retain', 'destroy']) : SITE_DEFAULTS.bucketRemovalPolicy,
    throttleRateLimit: given('throttleRateLimit') ? options.integer('throttleRateLimit', 1, 10_000) : API_DEFAULTS.throttleRateLimit,
    throttleBurstLimit: given('throttleBurstLimit') ? options.integer('throttleBurstLimit', 1, 5_000) : API_DEFAULTS.throttleBurstLimit,
    pageSize: given('pageSize') ? options.integer('pageSize', 1, 100) : API_DEFAULTS.pageSize,
    tableRemovalPolicy: given('tableRemovalPolicy') ? options.oneOf('tableRemovalPolicy', ['retain', 'destroy']) : API_DEFAULTS.tableRemovalPolicy,
  };
}
