import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { parseRouteTable, resolveRoute } from '../infra/route-table.js';
import { StranglerStack } from '../infra/stacks/strangler-stack.js';
import { matchResource } from './helpers/api-gateway.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';
import { readFacade, type SynthesizedFacade } from './helpers/facade.js';

// The synthesized facade follows the route table in sprout.json, for several tables: each
// resource's ANY method goes to the legacy URL or to the new service's function, as the table says.

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const LEGACY = 'https://legacy.example.com';
const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function synth(routes: Record<string, string>, options: Record<string, unknown> = {}) {
  const test = testApp({ bundle: false });
  apps.push(test);
  const config = resolveConfig({ ...sprout, routes, options: { ...sprout.options, legacyBaseUrl: LEGACY, ...options } });
  const template = Template.fromStack(new StranglerStack(test.app, config.stackName, { config }));
  const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('OrdersServiceFunction'));
  return { template, facade: readFacade(template), functionId: functionId! };
}

/** Each method as `legacy <url>` or `new`, after checking that every "new" one invokes the orders service. */
function destinations(facade: SynthesizedFacade, functionId: string): Record<string, string> {
  return Object.fromEntries(
    [...facade.methods].map(([path, integration]) => {
      if (integration.to === 'new') {
        expect(integration.functionLogicalId, path).toBe(functionId);
        return [path, 'new'];
      }
      return [path, `legacy ${integration.url}`];
    }),
  );
}

/** Routes sample paths through the synthesized resources (API Gateway's matching) and compares with the table's meaning. */
function expectPathsFollowTable(facade: SynthesizedFacade, routes: Record<string, string>, paths: string[]) {
  const table = parseRouteTable(routes);
  for (const path of paths) {
    const expected = resolveRoute(table, path);
    const match = matchResource(facade.resources, new Set(facade.methods.keys()), path, { backtrack: false });
    const integration = match && facade.methods.get(match.resourcePath);
    expect(integration?.to, path).toBe(expected?.target);
    if (integration?.to === 'legacy') {
      // What the legacy backend receives: its base URL plus exactly the path the client asked for.
      expect(integration.url.replace('{proxy}', match?.proxy ?? ''), path).toBe(`${LEGACY}${path === '/' ? '/' : path}`);
    }
  }
}

const samplePaths = ['/', '/orders', '/orders/42', '/orders/42/lines', '/orders/reports', '/orders/reports/monthly', '/orders/export', '/customers/7', '/ordersX'];

describe('all legacy (the day the facade goes live)', () => {
  const routes = { '/*': 'legacy' };
  const { facade, functionId, template } = synth(routes);

  it('proxies the root and every path below it to the legacy backend, and nothing to the new service', () => {
    expect(destinations(facade, functionId)).toEqual({
      '/': `legacy ${LEGACY}/`,
      '/{proxy+}': `legacy ${LEGACY}/{proxy}`,
    });
    expect([...facade.resources]).toEqual(['/{proxy+}']);
    expectPathsFollowTable(facade, routes, samplePaths);
  });

  it('passes the greedy path through as the proxy parameter, any method, with the legacyTimeoutMs timeout', () => {
    expect(facade.methods.get('/{proxy+}')).toEqual({
      to: 'legacy',
      url: `${LEGACY}/{proxy}`,
      httpMethod: 'ANY',
      timeoutMs: sprout.options.legacyTimeoutMs,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      methodParameters: { 'method.request.path.proxy': true },
    });
    expect(facade.methods.get('/')).toEqual({ to: 'legacy', url: `${LEGACY}/`, httpMethod: 'ANY', timeoutMs: sprout.options.legacyTimeoutMs });
    expect(facade.httpMethods.every((method) => method === 'ANY')).toBe(true);
  });

  it('gives API Gateway no permission to invoke the new service while no route goes there', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });
});

describe('all new (the legacy backend retired)', () => {
  const routes = { '/*': 'new' };
  const { facade, functionId, template } = synth(routes);

  it('sends the root and every path to the new service and none to the legacy URL', () => {
    expect(destinations(facade, functionId)).toEqual({ '/': 'new', '/{proxy+}': 'new' });
    expectPathsFollowTable(facade, routes, samplePaths);
  });

  it('lets API Gateway invoke the new service with one permission scoped to this API, not one per method', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] } });
    expect(JSON.stringify(permissions[0]?.Properties.SourceArn)).toMatch(/:execute-api:.*\{"Ref":"FacadeRestApi[0-9A-F]{8}"\},"\/\*\/\*\/\*"/);
  });
});

describe('the default table: /orders/* new, the catch-all legacy', () => {
  const routes = sprout.routes as Record<string, string>;
  const { facade, functionId } = synth(routes);

  it('is what sprout.json ships', () => {
    expect(routes).toEqual({ '/orders/*': 'new', '/*': 'legacy' });
  });

  it('sends /orders and everything below it to the new service, every other path to legacy', () => {
    expect(destinations(facade, functionId)).toEqual({
      '/': `legacy ${LEGACY}/`,
      '/{proxy+}': `legacy ${LEGACY}/{proxy}`,
      '/orders': 'new',
      '/orders/{proxy+}': 'new',
    });
    expectPathsFollowTable(facade, routes, samplePaths);
  });
});

describe('nested prefixes: legacy reports inside the migrated orders, one daily report already moved', () => {
  const routes = { '/orders/*': 'new', '/orders/reports/*': 'legacy', '/orders/reports/daily': 'new', '/*': 'legacy' };
  const { facade, functionId } = synth(routes);

  it('gives every level its own method, each to the integration of the most specific entry', () => {
    expect(destinations(facade, functionId)).toEqual({
      '/': `legacy ${LEGACY}/`,
      '/{proxy+}': `legacy ${LEGACY}/{proxy}`,
      '/orders': 'new',
      '/orders/{proxy+}': 'new',
      '/orders/reports': `legacy ${LEGACY}/orders/reports`,
      '/orders/reports/{proxy+}': `legacy ${LEGACY}/orders/reports/{proxy}`,
      '/orders/reports/daily': 'new',
      '/orders/reports/daily/{proxy+}': `legacy ${LEGACY}/orders/reports/daily/{proxy}`,
    });
    expectPathsFollowTable(facade, routes, [...samplePaths, '/orders/reports/daily', '/orders/reports/daily/2026-11-26']);
  });
});

describe('an exact path and no catch-all', () => {
  const routes = { '/orders/*': 'legacy', '/orders/export': 'new' };
  const { facade, functionId } = synth(routes);

  it('moves only /orders/export, and routes nothing outside /orders', () => {
    expect(destinations(facade, functionId)).toEqual({
      '/orders': `legacy ${LEGACY}/orders`,
      '/orders/{proxy+}': `legacy ${LEGACY}/orders/{proxy}`,
      '/orders/export': 'new',
      '/orders/export/{proxy+}': `legacy ${LEGACY}/orders/export/{proxy}`,
    });
    expect(facade.methods.has('/')).toBe(false);
    expect(facade.resources.has('/{proxy+}')).toBe(false);
    expectPathsFollowTable(facade, routes, [...samplePaths, '/orders/export/2026']);
  });
});

describe('the legacy base URL and timeout options', () => {
  it('appends the path to a base URL that has a path of its own (trailing slash dropped)', () => {
    const { facade } = synth({ '/*': 'legacy' }, { legacyBaseUrl: 'https://old.example.com/app/' });
    expect(facade.methods.get('/')).toMatchObject({ url: 'https://old.example.com/app/' });
    expect(facade.methods.get('/{proxy+}')).toMatchObject({ url: 'https://old.example.com/app/{proxy}' });
  });

  it('gives every legacy route the configured timeout', () => {
    const { facade } = synth({ '/orders/*': 'legacy', '/*': 'legacy' }, { legacyTimeoutMs: 2500 });
    const legacy = [...facade.methods.values()].filter((m) => m.to === 'legacy');
    expect(legacy).toHaveLength(4);
    expect(legacy.every((m) => m.to === 'legacy' && m.timeoutMs === 2500)).toBe(true);
  });
});

describe('moving a route is a one-line change', () => {
  it('changes the integration of the moved resources and nothing else in the template', () => {
    const before = synth({ '/orders/*': 'new', '/customers/*': 'legacy', '/*': 'legacy' }).template.toJSON().Resources as Record<string, { Type: string }>;
    const after = synth({ '/orders/*': 'new', '/customers/*': 'new', '/*': 'legacy' }).template.toJSON().Resources as Record<string, { Type: string }>;
    const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    // The two methods now pointing at the new service, and the deployment (and the stage naming it) that publishes them.
    expect(changed.map((id) => `${after[id]!.Type} ${id.replace(/[0-9A-Fa-f]{8,}$/, '')}`).sort()).toEqual([
      'AWS::ApiGateway::Deployment FacadeRestApiDeployment',
      'AWS::ApiGateway::Method FacadeRestApicustomersANY',
      'AWS::ApiGateway::Method FacadeRestApicustomersproxyANY',
      'AWS::ApiGateway::Stage FacadeRestApiDeploymentStagelocal',
    ]);
    // The same resources otherwise: only the deployment gets a new logical id (its hash covers the API's content).
    const ids = (resources: Record<string, { Type: string }>) =>
      Object.keys(resources).map((id) => (resources[id]!.Type === 'AWS::ApiGateway::Deployment' ? 'the deployment' : id)).sort();
    expect(ids(after)).toEqual(ids(before));
  });
});
