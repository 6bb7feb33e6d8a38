import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });

describe('config from sprout.json', () => {
  it('reads the project file, its options and its route table, and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
    expect(config.options).toMatchObject({
      legacyBaseUrl: sprout.options.legacyBaseUrl,
      legacyTimeoutMs: sprout.options.legacyTimeoutMs,
      tableRemovalPolicy: sprout.options.tableRemovalPolicy,
      routes: Object.entries(sprout.routes).map(([key, target]) => ({ key, target })),
    });
    expect(config.options.plan.methods.map((m) => `${m.resourcePath} ${m.target}`)).toEqual([
      '/ legacy',
      '/orders new',
      '/orders/{proxy+} new',
      '/{proxy+} legacy',
    ]);
  });

  it('uses the stage given with -c stage=, but only a stage the file declares', () => {
    const twoStages = { ...sprout, stages: { local: {}, prod: {} } };
    expect(resolveConfig(twoStages, 'prod').stackName).toMatch(/-prod$/);
    expect(() => resolveConfig(twoStages, 'staging')).toThrow(/stage "staging" is not one of the stages in sprout.json \(local, prod\)/);
  });

  it.each([
    ['my-service', 'my-service'],
    ['@acme/shop', 'acme-shop'],
    ['1st-app', 'app-1st-app'],
  ])('derives a stack-safe name from %s', (packageName, expected) => {
    expect(toResourceName(packageName)).toBe(expected);
    expect(resolveConfig({ ...sprout, name: packageName }).stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });

  it('drops trailing slashes from the legacy base URL, so paths append cleanly', () => {
    expect(resolveConfig(withOptions({ legacyBaseUrl: 'https://old.example.com:8443/app//' })).options.legacyBaseUrl).toBe('https://old.example.com:8443/app');
  });

  it.each([
    [{ legacyBaseUrl: 'http://legacy.example.com' }, /options\.legacyBaseUrl must be a string to be an https:\/\/ URL/],
    [{ legacyBaseUrl: 'https://legacy.example.com/?a=1' }, /options\.legacyBaseUrl must be a string to be an https:\/\/ URL/],
    [{ legacyBaseUrl: 'https://user:pw@legacy.example.com' }, /options\.legacyBaseUrl must be a string to be an https:\/\/ URL/],
    [{ legacyBaseUrl: 'https://localhost:8080' }, /options\.legacyBaseUrl must name a public host name/],
    [{ legacyTimeoutMs: 49 }, /legacyTimeoutMs must be an integer from 50 to 29000 \(got 49\)/],
    [{ legacyTimeoutMs: 30_000 }, /legacyTimeoutMs must be an integer from 50 to 29000/],
    [{ tableRemovalPolicy: 'delete' }, /tableRemovalPolicy must be "retain" or "destroy"/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });

  it.each<[string, unknown, RegExp]>([
    ['no route table', undefined, /sprout\.json: "routes" must be an object mapping paths to "new" or "legacy"/],
    ['a string instead of a table', '/orders/* new', /"routes" must be an object/],
    ['a key it cannot route', { '/orders/{id}': 'new' }, /sprout\.json: routes key "\/orders\/\{id\}" has a path parameter/],
    ['a target it does not know', { '/orders/*': 'lambda', '/*': 'legacy' }, /sprout\.json: routes\["\/orders\/\*"\] must be "new" or "legacy" \(got "lambda"\)/],
  ])('rejects a sprout.json with %s, naming the key', (_, routes, message) => {
    expect(() => resolveConfig({ ...sprout, routes })).toThrow(message);
  });
});
