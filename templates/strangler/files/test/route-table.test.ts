import { describe, expect, it } from 'vitest';
import {
  MAX_API_RESOURCES,
  type PlannedMethod,
  parseRouteTable,
  planRoutes,
  type RouteTable,
  resolveRoute,
} from '../infra/route-table.js';
import { matchResource } from './helpers/api-gateway.js';

const table = (routes: Record<string, string>): RouteTable => parseRouteTable(routes);
/** The plan as `resource → target (decided by)`, the way a reader checks it. */
const summary = (methods: PlannedMethod[]) => Object.fromEntries(methods.map((m) => [m.resourcePath, `${m.target} (${m.decidedBy}) → ${m.backendPath}`]));

describe('parseRouteTable', () => {
  it('keeps the entries in file order', () => {
    expect(table({ '/orders/*': 'new', '/*': 'legacy' })).toEqual([
      { key: '/orders/*', target: 'new' },
      { key: '/*', target: 'legacy' },
    ]);
  });

  it.each(['/', '/*', '/orders', '/orders/*', '/api/v2/orders/export.csv', '/a_b/c-d/*'])('accepts the key %s', (key) => {
    expect(table({ [key]: 'legacy' })).toEqual([{ key, target: 'legacy' }]);
  });

  it.each<[string, unknown, RegExp]>([
    ['no table', undefined, /"routes" must be an object mapping paths to "new" or "legacy".*\(got nothing\)/],
    ['an array', ['/orders/*'], /"routes" must be an object/],
    ['an empty table', {}, /"routes" must have at least one entry/],
    ['a key without a leading slash', { 'orders/*': 'new' }, /routes key "orders\/\*" must start with "\/"/],
    ['a trailing slash', { '/orders/': 'new' }, /routes key "\/orders\/" must not end with "\/".*"\/orders\/\*" covers \/orders/],
    ['a star inside a segment', { '/orders*': 'new' }, /routes key "\/orders\*" may use "\*" only as a whole last segment/],
    ['a star before the end', { '/*/orders': 'new' }, /routes key "\/\*\/orders" may use "\*" only as its last segment/],
    ['an empty segment', { '/orders//items': 'new' }, /routes key "\/orders\/\/items" has an empty segment/],
    ['a path parameter', { '/orders/{id}': 'new' }, /routes key "\/orders\/\{id\}" has a path parameter.*use "\/orders\/\*"/],
    ['a character API Gateway refuses', { '/orders/ä': 'new' }, /routes key "\/orders\/ä" has the segment "ä"/],
    ['an unknown target', { '/orders/*': 'lambda' }, /routes\["\/orders\/\*"\] must be "new" or "legacy" \(got "lambda"\)/],
    ['a target in the wrong case', { '/*': 'Legacy' }, /routes\["\/\*"\] must be "new" or "legacy" \(got "Legacy"\)/],
  ])('refuses %s, naming the key', (_, routes, message) => {
    expect(() => parseRouteTable(routes)).toThrow(message);
  });

  it('prefixes every error with sprout.json', () => {
    expect(() => parseRouteTable({ '/x/': 'new' })).toThrow(/^sprout\.json: /);
  });
});

describe('resolveRoute: what a table means', () => {
  const mixed = table({ '/orders/*': 'new', '/orders/reports/*': 'legacy', '/orders/reports/daily': 'new', '/*': 'legacy' });

  it.each([
    ['/', 'legacy', '/*'],
    ['/customers/7', 'legacy', '/*'],
    ['/orders', 'new', '/orders/*'],
    ['/orders/42', 'new', '/orders/*'],
    ['/orders/42/lines/1', 'new', '/orders/*'],
    ['/ordersX', 'legacy', '/*'],
    ['/orders/reports', 'legacy', '/orders/reports/*'],
    ['/orders/reports/monthly', 'legacy', '/orders/reports/*'],
    ['/orders/reports/daily', 'new', '/orders/reports/daily'],
    ['/orders/reports/daily/2026-11-26', 'legacy', '/orders/reports/*'],
    ['/orders/42/', 'new', '/orders/*'],
  ])('%s goes to %s, decided by %s (most specific entry wins)', (path, target, decidedBy) => {
    expect(resolveRoute(mixed, path)).toEqual({ target, decidedBy });
  });

  it('has no route for a path no entry covers', () => {
    const noCatchAll = table({ '/orders/*': 'new', '/health': 'new' });
    expect(resolveRoute(noCatchAll, '/')).toBeUndefined();
    expect(resolveRoute(noCatchAll, '/customers')).toBeUndefined();
    expect(resolveRoute(noCatchAll, '/health/deep')).toBeUndefined();
    expect(resolveRoute(noCatchAll, '/health')).toEqual({ target: 'new', decidedBy: '/health' });
  });

  it('lets an exact root entry override the catch-all for / only', () => {
    const rootNew = table({ '/': 'new', '/*': 'legacy' });
    expect(resolveRoute(rootNew, '/')).toEqual({ target: 'new', decidedBy: '/' });
    expect(resolveRoute(rootNew, '/anything')).toEqual({ target: 'legacy', decidedBy: '/*' });
  });

  it('does not depend on the order of the entries', () => {
    const reversed = table(Object.fromEntries(Object.entries({ '/orders/*': 'new', '/*': 'legacy' }).reverse()));
    expect(resolveRoute(reversed, '/orders/1')).toEqual({ target: 'new', decidedBy: '/orders/*' });
    expect(resolveRoute(reversed, '/other')).toEqual({ target: 'legacy', decidedBy: '/*' });
  });
});

describe('planRoutes: the resources and methods a table becomes', () => {
  it('all legacy: ANY on the root and on /{proxy+}, since {proxy+} does not match /', () => {
    expect(summary(planRoutes(table({ '/*': 'legacy' })).methods)).toEqual({
      '/': 'legacy (/*) → /',
      '/{proxy+}': 'legacy (/*) → /{proxy}',
    });
  });

  it('all new: the same two methods, to the new service', () => {
    const { methods, resources } = planRoutes(table({ '/*': 'new' }));
    expect(summary(methods)).toEqual({ '/': 'new (/*) → /', '/{proxy+}': 'new (/*) → /{proxy}' });
    expect(resources).toEqual(['/{proxy+}']);
  });

  it('the default table: /orders and everything below it to new, the rest to legacy', () => {
    expect(summary(planRoutes(table({ '/orders/*': 'new', '/*': 'legacy' })).methods)).toEqual({
      '/': 'legacy (/*) → /',
      '/orders': 'new (/orders/*) → /orders',
      '/orders/{proxy+}': 'new (/orders/*) → /orders/{proxy}',
      '/{proxy+}': 'legacy (/*) → /{proxy}',
    });
  });

  it('nested prefixes: every level in between gets its own methods, so nothing relies on API Gateway falling back', () => {
    const plan = planRoutes(table({ '/api/v2/orders/*': 'new', '/api/v2/orders/reports/*': 'legacy', '/*': 'legacy' }));
    expect(summary(plan.methods)).toEqual({
      '/': 'legacy (/*) → /',
      '/api': 'legacy (/*) → /api',
      '/api/v2': 'legacy (/*) → /api/v2',
      '/api/v2/orders': 'new (/api/v2/orders/*) → /api/v2/orders',
      '/api/v2/orders/reports': 'legacy (/api/v2/orders/reports/*) → /api/v2/orders/reports',
      '/api/v2/orders/reports/{proxy+}': 'legacy (/api/v2/orders/reports/*) → /api/v2/orders/reports/{proxy}',
      '/api/v2/orders/{proxy+}': 'new (/api/v2/orders/*) → /api/v2/orders/{proxy}',
      '/api/v2/{proxy+}': 'legacy (/*) → /api/v2/{proxy}',
      '/api/{proxy+}': 'legacy (/*) → /api/{proxy}',
      '/{proxy+}': 'legacy (/*) → /{proxy}',
    });
    // Parents before children, each {proxy+} after its literal siblings.
    expect(plan.resources).toEqual([
      '/api',
      '/api/v2',
      '/api/v2/orders',
      '/api/v2/orders/reports',
      '/api/v2/orders/reports/{proxy+}',
      '/api/v2/orders/{proxy+}',
      '/api/v2/{proxy+}',
      '/api/{proxy+}',
      '/{proxy+}',
    ]);
  });

  it('an exact path with no catch-all: the parents get no method, and nothing else is routed', () => {
    expect(summary(planRoutes(table({ '/orders/export': 'new' })).methods)).toEqual({ '/orders/export': 'new (/orders/export) → /orders/export' });
    expect(planRoutes(table({ '/orders/export': 'new' })).resources).toEqual(['/orders', '/orders/export']);
  });

  it('an exact path inside a prefix: only that path moves; what lies below it still follows the prefix', () => {
    expect(summary(planRoutes(table({ '/orders/*': 'legacy', '/orders/export': 'new' })).methods)).toEqual({
      '/orders': 'legacy (/orders/*) → /orders',
      '/orders/export': 'new (/orders/export) → /orders/export',
      '/orders/export/{proxy+}': 'legacy (/orders/*) → /orders/export/{proxy}',
      '/orders/{proxy+}': 'legacy (/orders/*) → /orders/{proxy}',
    });
  });

  it('moving a route is a change of one method\'s target, nothing else', () => {
    const before = planRoutes(table({ '/orders/*': 'legacy', '/*': 'legacy' }));
    const after = planRoutes(table({ '/orders/*': 'new', '/*': 'legacy' }));
    expect(after.resources).toEqual(before.resources);
    const changed = after.methods.filter((m, i) => m.target !== before.methods[i]!.target).map((m) => m.resourcePath);
    expect(changed).toEqual(['/orders', '/orders/{proxy+}']);
  });

  it('refuses a table that needs more resources than a REST API may have', () => {
    const huge = Object.fromEntries(Array.from({ length: MAX_API_RESOURCES }, (_, i) => [`/r${i}/*`, 'legacy']));
    expect(() => planRoutes(table(huge))).toThrow(/"routes" need \d+ API Gateway resources, more than the 300/);
  });

  it('refuses a table whose resources and methods would crowd CloudFormation\'s 500 per stack', () => {
    const wide = Object.fromEntries(Array.from({ length: 140 }, (_, i) => [`/r${i}/*`, 'legacy']));
    expect(() => planRoutes(table(wide))).toThrow(/"routes" need \d+ CloudFormation resources/);
  });
});

/**
 * The plan, routed the way API Gateway routes (test/helpers/api-gateway.ts), agrees with what the
 * table means for every path: for hand-picked tables and for random ones.
 */
describe('the planned API routes every path as the table says', () => {
  function routedByPlan(routes: RouteTable, path: string, backtrack: boolean) {
    const plan = planRoutes(routes);
    const methods = new Map(plan.methods.map((m) => [m.resourcePath, m]));
    const match = matchResource(new Set(plan.resources), new Set(methods.keys()), path, { backtrack });
    const method = match && methods.get(match.resourcePath);
    return method && { target: method.target, decidedBy: method.decidedBy, legacyPath: method.backendPath.replace('{proxy}', match.proxy ?? '') };
  }

  function expectAgreement(routes: RouteTable, path: string) {
    const expected = resolveRoute(routes, path);
    for (const backtrack of [false, true]) {
      const routed = routedByPlan(routes, path, backtrack);
      const label = `${path} with ${JSON.stringify(routes)} (backtrack: ${backtrack})`;
      expect(routed && { target: routed.target, decidedBy: routed.decidedBy }, label).toEqual(expected);
      // A legacy request keeps its path: the proxy appends exactly what the client asked for.
      if (routed) expect(routed.legacyPath, label).toBe(path.replace(/\/+$/, '') || '/');
    }
  }

  const tables: Record<string, string>[] = [
    { '/*': 'legacy' },
    { '/*': 'new' },
    { '/orders/*': 'new', '/*': 'legacy' },
    { '/orders/*': 'new', '/orders/reports/*': 'legacy', '/orders/reports/daily': 'new', '/*': 'legacy' },
    { '/orders/*': 'legacy', '/orders/export': 'new' },
    { '/': 'new', '/*': 'legacy', '/a/b/c/*': 'new' },
  ];
  const paths = ['/', '/a', '/a/b', '/a/b/c', '/a/b/c/d', '/a/x', '/orders', '/orders/1', '/orders/export', '/orders/export/2026', '/orders/reports', '/orders/reports/daily', '/orders/reports/daily/x', '/ordersX', '/customers/7/orders'];

  it.each(tables.map((t) => [JSON.stringify(t), t]))('%s', (_, routes) => {
    for (const path of paths) expectAgreement(table(routes), path);
  });

  it('for 300 random tables over a small alphabet of segments', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const segments = ['a', 'b', 'c'];
    const randomPath = () => `/${Array.from({ length: random(4) }, () => segments[random(3)]).join('/')}`;
    for (let i = 0; i < 300; i++) {
      const routes: Record<string, string> = {};
      for (let j = 0; j <= random(5); j++) {
        const base = randomPath();
        const key = random(2) ? (base === '/' ? '/*' : `${base}/*`) : base;
        routes[key] = random(2) ? 'new' : 'legacy';
      }
      const parsed = table(routes);
      for (let k = 0; k < 20; k++) expectAgreement(parsed, randomPath());
    }
  });
});
