/**
 * The facade's route table: sprout.json's top-level `routes`, such as
 * `{ "/orders/*": "new", "/*": "legacy" }`, and the API Gateway resources and methods it becomes.
 * Pure functions, no CDK: the stack builds exactly what planRoutes returns, and the tests check
 * the plan against resolveRoute, the table's meaning, path by path.
 *
 * Keys:
 * - `/a/b`  one exact path (and nothing below it);
 * - `/a/*`  `/a` itself and every path below it (`/a/x`, `/a/x/y`, ...);
 * - `/*`    every path, the root `/` included: the catch-all;
 * - `/`     the root path only.
 * Segments are literal ([A-Za-z0-9._-]); `*` only as a whole last segment.
 *
 * Precedence, for a request path: an exact entry for that path wins; otherwise the prefix entry
 * with the longest base that contains the path; otherwise no route (the facade answers 404).
 * That is the order API Gateway itself applies (a literal resource beats a greedy `{proxy+}`
 * sibling), and the plan does not rely on anything more: every resource the table creates gets
 * its own ANY method and, where a prefix covers what lies below it, its own `{proxy+}` child.
 */

export type RouteTarget = 'new' | 'legacy';
export const ROUTE_TARGETS: readonly RouteTarget[] = ['new', 'legacy'];

/** A validated table, in file order. */
export type RouteTable = ReadonlyArray<{ key: string; target: RouteTarget }>;

/** Where a request path goes, and the table entry that decided it. */
export interface Resolution {
  target: RouteTarget;
  decidedBy: string;
}

/** One ANY method of the facade. */
export interface PlannedMethod {
  /** The API Gateway resource it sits on: `/`, `/orders`, `/orders/{proxy+}`. */
  resourcePath: string;
  /** A `{proxy+}` resource, whose `proxy` path parameter is passed on. */
  greedy: boolean;
  target: RouteTarget;
  decidedBy: string;
  /**
   * The path appended to the legacy base URL for this method: `/orders`, or `/orders/{proxy}`
   * for a greedy resource (the path parameter filled in by API Gateway).
   */
  backendPath: string;
}

export interface RoutePlan {
  /** Sorted by resource path. */
  methods: PlannedMethod[];
  /** Every API Gateway resource the plan needs below the root, sorted (parents before children). */
  resources: string[];
}

/** API Gateway's default quota of resources per REST API (adjustable through Service Quotas). */
export const MAX_API_RESOURCES = 300;
/**
 * CloudFormation deploys at most 500 resources per stack; each planned resource and method is one,
 * and the rest of the stack (function, table, flags, stage, logs) needs about 40. 400 keeps a margin.
 */
export const MAX_ROUTE_CFN_RESOURCES = 400;

const SEGMENT = /^[A-Za-z0-9._-]+$/;

export class RouteTableError extends Error {
  constructor(message: string) {
    super(`sprout.json: ${message}`);
    this.name = 'RouteTableError';
  }
}

const example = '{ "/orders/*": "new", "/*": "legacy" }';

/** Checks sprout.json's `routes` value; every error names the key it is about. */
export function parseRouteTable(value: unknown): RouteTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RouteTableError(`"routes" must be an object mapping paths to "new" or "legacy", such as ${example} (got ${JSON.stringify(value) ?? 'nothing'})`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new RouteTableError(`"routes" must have at least one entry, such as ${example}`);
  return entries.map(([key, target]) => {
    const problem = keyProblem(key);
    if (problem) throw new RouteTableError(`routes key "${key}" ${problem}`);
    if (!(ROUTE_TARGETS as readonly unknown[]).includes(target)) {
      throw new RouteTableError(`routes["${key}"] must be "new" or "legacy" (got ${JSON.stringify(target) ?? 'nothing'})`);
    }
    return { key, target: target as RouteTarget };
  });
}

function keyProblem(key: string): string | undefined {
  const shapes = 'a route is "/path", "/path/*", "/*" or "/"';
  if (key === '/' || key === '/*') return undefined;
  if (!key.startsWith('/')) return `must start with "/" (${shapes})`;
  if (key.endsWith('/')) return `must not end with "/" (${shapes}; "${key}*" covers ${key.slice(0, -1) || '/'} and everything below it)`;
  const segments = key.slice(1).split('/');
  const last = segments.length - 1;
  for (const [index, segment] of segments.entries()) {
    if (segment === '') return `has an empty segment ("//")`;
    if (segment === '*') {
      if (index !== last) return `may use "*" only as its last segment (${shapes})`;
      continue;
    }
    if (/[{}]/.test(segment)) return `has a path parameter; routes are literal paths: use "/${segments.slice(0, index).join('/')}${index ? '/' : ''}*" to route everything below`;
    if (segment.includes('*')) return `may use "*" only as a whole last segment, as in "/orders/*" (${shapes})`;
    if (!SEGMENT.test(segment)) return `has the segment "${segment}": segments may use only letters, digits, ".", "_" and "-" (API Gateway's resource path characters)`;
  }
  return undefined;
}

interface ParsedKey {
  key: string;
  target: RouteTarget;
  /** The path an exact key names, or the base of a prefix key (`/a` for `/a/*`, `/` for `/*`). */
  base: string;
  prefix: boolean;
}

function parseKeys(table: RouteTable): ParsedKey[] {
  return table.map(({ key, target }) => {
    const prefix = key === '/*' || key.endsWith('/*');
    const base = prefix ? key.slice(0, -2) || '/' : key;
    return { key, target, base, prefix };
  });
}

/** `/a/b` → [`/`, `/a`, `/a/b`]. */
function selfAndAncestors(path: string): string[] {
  const segments = path === '/' ? [] : path.slice(1).split('/');
  return ['/', ...segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`)];
}

/** The prefix entry with the longest base that is `path` or one of its ancestors. */
function coveringPrefix(keys: ParsedKey[], path: string): ParsedKey | undefined {
  const candidates = new Set(selfAndAncestors(path));
  return keys
    .filter((k) => k.prefix && candidates.has(k.base))
    .sort((a, b) => b.base.length - a.base.length)[0];
}

function normalizePath(path: string): string {
  if (!path.startsWith('/')) throw new Error(`a request path starts with "/" (got "${path}")`);
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/**
 * What the table means: where a request for `path` goes. An exact entry for the path wins, then
 * the longest prefix that covers it; undefined when no entry does (the facade answers 404).
 */
export function resolveRoute(table: RouteTable, path: string): Resolution | undefined {
  const keys = parseKeys(table);
  const normalized = normalizePath(path);
  const decided = keys.find((k) => !k.prefix && k.base === normalized) ?? coveringPrefix(keys, normalized);
  return decided && { target: decided.target, decidedBy: decided.key };
}

const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);

/**
 * The API Gateway resources and ANY methods that make the facade follow the table. For every path
 * the table names (and each of its ancestors): an ANY method on the resource itself when some entry
 * covers that exact path, and a `{proxy+}` child when a prefix covers the paths below it that no
 * other resource takes.
 */
export function planRoutes(table: RouteTable): RoutePlan {
  const keys = parseKeys(table);
  const nodes = [...new Set(keys.flatMap((k) => selfAndAncestors(k.base)))].sort(byPath);
  const methods: PlannedMethod[] = [];
  const resources = new Set<string>();
  for (const node of nodes) {
    if (node !== '/') resources.add(node);
    const self = keys.find((k) => !k.prefix && k.base === node) ?? coveringPrefix(keys, node);
    if (self) methods.push({ resourcePath: node, greedy: false, target: self.target, decidedBy: self.key, backendPath: node });
    const below = coveringPrefix(keys, node);
    if (below) {
      const greedy = join(node, '{proxy+}');
      resources.add(greedy);
      methods.push({ resourcePath: greedy, greedy: true, target: below.target, decidedBy: below.key, backendPath: join(node, '{proxy}') });
    }
  }
  const plan = { methods: methods.sort((a, b) => byPath(a.resourcePath, b.resourcePath)), resources: [...resources].sort(byPath) };
  checkQuotas(plan);
  return plan;
}

function checkQuotas(plan: RoutePlan): void {
  // The root resource counts towards API Gateway's quota too.
  const apiResources = plan.resources.length + 1;
  if (apiResources > MAX_API_RESOURCES) {
    throw new RouteTableError(
      `"routes" need ${apiResources} API Gateway resources, more than the ${MAX_API_RESOURCES} a REST API may have by default: merge entries under shared prefixes (a "/a/*" entry instead of many "/a/..." ones), or raise the quota first`,
    );
  }
  const cfnResources = plan.resources.length + plan.methods.length;
  if (cfnResources > MAX_ROUTE_CFN_RESOURCES) {
    throw new RouteTableError(
      `"routes" need ${cfnResources} CloudFormation resources (one per API resource and per method), more than the ${MAX_ROUTE_CFN_RESOURCES} this stack leaves them of CloudFormation's 500: merge entries under shared prefixes`,
    );
  }
}

/** Sorts paths segment by segment, so a parent comes before its children and `{proxy+}` after its literal siblings. */
function byPath(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] !== bs[i]) {
      const rank = (s: string) => (s === '{proxy+}' ? 1 : 0);
      return rank(as[i]!) - rank(bs[i]!) || (as[i]! < bs[i]! ? -1 : 1);
    }
  }
  return as.length - bs.length;
}
