import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_DEFAULTS, loadConfig, resolveConfig, ROUTER_DEFAULTS, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });
const SITE_OPTIONS = ['priceClass', 'spaFallback', 'htmlCacheSeconds', 'bucketRemovalPolicy'];

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toEqual({ ...API_DEFAULTS, ...ROUTER_DEFAULTS, ...sprout.options });
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it("takes the API's options from sprout.json when given, backend-api's defaults when not", () => {
    const siteOnly = { ...sprout, options: Object.fromEntries(SITE_OPTIONS.map((name) => [name, sprout.options[name]])) };
    expect(resolveConfig(siteOnly).options).toMatchObject(API_DEFAULTS);
    expect(resolveConfig(withOptions({ pageSize: 50, tableRemovalPolicy: 'destroy' })).options).toMatchObject({ pageSize: 50, tableRemovalPolicy: 'destroy' });
  });

  it("turns the release router on by default, reading the document every 10 s, and takes the router's options from sprout.json", () => {
    expect(ROUTER_DEFAULTS).toEqual({ releaseRouter: true, routerCacheSeconds: 10 });
    // A sprout.json from before the router existed gets its defaults.
    const { releaseRouter: _, routerCacheSeconds: __, ...older } = sprout.options;
    expect(resolveConfig({ ...sprout, options: older }).options).toMatchObject(ROUTER_DEFAULTS);
    expect(resolveConfig(withOptions({ releaseRouter: false, routerCacheSeconds: 300 })).options).toMatchObject({ releaseRouter: false, routerCacheSeconds: 300 });
    expect(resolveConfig(withOptions({ routerCacheSeconds: 1 })).options.routerCacheSeconds).toBe(1);
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

  it.each([
    [{ priceClass: 'PriceClass_300' }, /priceClass must be "PriceClass_100" or "PriceClass_200" or "PriceClass_All"/],
    [{ spaFallback: 'yes' }, /spaFallback must be true or false/],
    [{ htmlCacheSeconds: -1 }, /htmlCacheSeconds must be an integer from 0 to 31536000/],
    [{ htmlCacheSeconds: 1.5 }, /htmlCacheSeconds must be an integer/],
    [{ bucketRemovalPolicy: 'delete' }, /bucketRemovalPolicy must be "retain" or "destroy"/],
    [{ spaFallback: undefined }, /spaFallback must be true or false \(got undefined\)/],
    [{ throttleRateLimit: 0 }, /throttleRateLimit must be an integer from 1 to 10000 \(got 0\)/],
    [{ pageSize: 101 }, /pageSize must be an integer from 1 to 100/],
    [{ tableRemovalPolicy: 'delete' }, /tableRemovalPolicy must be "retain" or "destroy"/],
    [{ releaseRouter: 'yes' }, /releaseRouter must be true or false/],
    [{ routerCacheSeconds: 0 }, /routerCacheSeconds must be an integer from 1 to 300 \(got 0\)/],
    [{ routerCacheSeconds: 301 }, /routerCacheSeconds must be an integer from 1 to 300/],
    [{ routerCacheSeconds: 2.5 }, /routerCacheSeconds must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
