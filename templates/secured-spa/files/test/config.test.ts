import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_DEFAULTS, loadConfig, resolveConfig, SITE_DEFAULTS, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });
const OWN_OPTIONS = ['authorizer', 'originFailover', 'accessTokenMinutes', 'priceClass'];

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toEqual({ ...SITE_DEFAULTS, ...API_DEFAULTS, ...sprout.options });
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it("takes the site's and the API's options from sprout.json when given, the base patterns' defaults when not", () => {
    const ownOnly = { ...sprout, options: Object.fromEntries(OWN_OPTIONS.map((name) => [name, sprout.options[name]])) };
    expect(resolveConfig(ownOnly).options).toMatchObject({ ...SITE_DEFAULTS, ...API_DEFAULTS });
    expect(resolveConfig(withOptions({ pageSize: 50, tableRemovalPolicy: 'destroy' })).options).toMatchObject({ pageSize: 50, tableRemovalPolicy: 'destroy' });
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
    [{ authorizer: 'iam' }, /authorizer must be "cognito" or "lambda"/],
    [{ originFailover: 'yes' }, /originFailover must be true or false/],
    [{ accessTokenMinutes: 4 }, /accessTokenMinutes must be an integer from 5 to 1440 \(got 4\)/],
    [{ accessTokenMinutes: 1441 }, /accessTokenMinutes must be an integer from 5 to 1440/],
    [{ spaFallback: 'yes' }, /spaFallback must be true or false/],
    [{ htmlCacheSeconds: -1 }, /htmlCacheSeconds must be an integer from 0 to 31536000/],
    [{ htmlCacheSeconds: 1.5 }, /htmlCacheSeconds must be an integer/],
    [{ bucketRemovalPolicy: 'delete' }, /bucketRemovalPolicy must be "retain" or "destroy"/],
    [{ authorizer: undefined }, /authorizer must be "cognito" or "lambda" \(got undefined\)/],
    [{ throttleRateLimit: 0 }, /throttleRateLimit must be an integer from 1 to 10000 \(got 0\)/],
    [{ pageSize: 101 }, /pageSize must be an integer from 1 to 100/],
    [{ tableRemovalPolicy: 'delete' }, /tableRemovalPolicy must be "retain" or "destroy"/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
