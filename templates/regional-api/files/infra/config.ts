import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';
export type PriceClass = 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';

/** The items service's options (read by backend-api's addItemsService) and this pattern's own. */
export interface Options {
  throttleRateLimit: number;
  throttleBurstLimit: number;
  pageSize: number;
  tableRemovalPolicy: TableRemovalPolicy;
  /** CloudFront's default TTL for GET responses (the API sends no Cache-Control); 0: no caching at all. */
  cacheTtlSeconds: number;
  /** The header CloudFront adds to every origin request and the authorizer checks. */
  originVerifyHeader: string;
  /** Days between automatic rotations of the origin-verify secret. */
  rotationDays: number;
  priceClass: PriceClass;
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

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/**
 * Headers CloudFront refuses as custom origin headers (it owns them or they are hop-by-hop), and
 * the ones this API reads itself, which the secret must not overwrite.
 */
const RESERVED_HEADERS = [
  'accept-encoding', 'authorization', 'cache-control', 'connection', 'content-length', 'content-type', 'cookie', 'expect',
  'host', 'idempotency-key', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'keep-alive', 'max-forwards', 'origin', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'range', 'request-range', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'x-forwarded-for', 'x-forwarded-proto',
  'x-real-ip',
];
const RESERVED_PREFIXES = ['x-amz-', 'x-amzn-', 'x-edge-', 'cloudfront-'];

export function parseOptions(options: OptionReader): Options {
  const originVerifyHeader = options.string('originVerifyHeader', HEADER_NAME, 'of letters, digits and - (at most 128), starting with a letter or digit');
  const lower = originVerifyHeader.toLowerCase();
  if (RESERVED_HEADERS.includes(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    fail(`options.originVerifyHeader "${originVerifyHeader}" is a header CloudFront sets itself or this API reads; pick a name of your own such as X-Origin-Verify`);
  }
  return {
    throttleRateLimit: options.integer('throttleRateLimit', 1, 10_000),
    throttleBurstLimit: options.integer('throttleBurstLimit', 1, 5_000),
    pageSize: options.integer('pageSize', 1, 100),
    tableRemovalPolicy: options.oneOf('tableRemovalPolicy', ['retain', 'destroy']),
    cacheTtlSeconds: options.integer('cacheTtlSeconds', 0, 31_536_000),
    originVerifyHeader,
    rotationDays: options.integer('rotationDays', 1, 365),
    priceClass: options.oneOf('priceClass', ['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
  };
}
