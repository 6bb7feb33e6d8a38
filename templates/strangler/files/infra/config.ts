import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';
import { parseRouteTable, planRoutes, type RoutePlan, type RouteTable } from './route-table.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';

export interface Options {
  /** The legacy backend's base URL, https, without a trailing slash. */
  legacyBaseUrl: string;
  /** Integration timeout of every legacy route, and of the new service's read-through calls. */
  legacyTimeoutMs: number;
  tableRemovalPolicy: TableRemovalPolicy;
  /** sprout.json's top-level `routes`, validated, in file order. */
  routes: RouteTable;
  /** The resources and methods the routes become (infra/route-table.ts). */
  plan: RoutePlan;
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

// Host, optional port, optional path: what API Gateway can put in front of a request path.
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/;

/** The template options from `options`, and the route table from the top-level `routes`. */
export function parseOptions(options: OptionReader, sprout: SproutFile): Options {
  const legacyBaseUrl = options
    .string('legacyBaseUrl', HTTPS_URL, 'to be an https:// URL with a host and an optional path, such as https://legacy.example.com/app')
    .replace(/\/+$/, '');
  const host = new URL(legacyBaseUrl).hostname;
  if (!host.includes('.') || host.startsWith('.') || host.endsWith('.')) {
    fail(`options.legacyBaseUrl must name a public host name such as legacy.example.com (got "${legacyBaseUrl}")`);
  }
  const routes = parseRouteTable(sprout.routes);
  return {
    legacyBaseUrl,
    legacyTimeoutMs: options.integer('legacyTimeoutMs', 50, 29_000),
    tableRemovalPolicy: options.oneOf('tableRemovalPolicy', ['retain', 'destroy']),
    routes,
    plan: planRoutes(routes),
  };
}
