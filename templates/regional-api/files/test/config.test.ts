import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toEqual(sprout.options);
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it('uses the stage given with -c stage=, but only a stage the file declares', () => {
    const twoStages = { ...sprout, stages: { local: {}, prod: {} } };
    expect(resolveConfig(twoStages, 'prod').stackName).toMatch(/-prod$/);
    expect(() => resolveConfig(twoStages, 'staging')).toThrow(/stage "staging" is not one of the stages in sprout.json \(local, prod\)/);
  });

  it.each([
    ['my-service', 'my-service'],
    ['@acme/shop', 'acme-shop'],
    ['@acme/shop.api_v2', 'acme-shop-api-v2'],
    ['1st-app', 'app-1st-app'],
  ])('derives a stack-safe name from %s', (packageName, expected) => {
    expect(toResourceName(packageName)).toBe(expected);
    expect(resolveConfig({ ...sprout, name: packageName }).stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });

  it.each([
    [{ throttleRateLimit: 0 }, /throttleRateLimit must be an integer from 1 to 10000 \(got 0\)/],
    [{ throttleBurstLimit: 12.5 }, /throttleBurstLimit must be an integer/],
    [{ pageSize: 101 }, /pageSize must be an integer from 1 to 100/],
    [{ pageSize: '25' }, /pageSize must be an integer/],
    [{ tableRemovalPolicy: 'delete' }, /tableRemovalPolicy must be "retain" or "destroy"/],
    [{ cacheTtlSeconds: -1 }, /cacheTtlSeconds must be an integer from 0 to 31536000 \(got -1\)/],
    [{ cacheTtlSeconds: 1.5 }, /cacheTtlSeconds must be an integer/],
    [{ rotationDays: 0 }, /rotationDays must be an integer from 1 to 365/],
    [{ priceClass: 'PriceClass_50' }, /priceClass must be "PriceClass_100" or "PriceClass_200" or "PriceClass_All"/],
    [{ originVerifyHeader: 'X Origin' }, /originVerifyHeader must be a string of letters, digits and -/],
    [{ originVerifyHeader: '' }, /originVerifyHeader must be a string/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });

  it.each(['Host', 'content-type', 'Idempotency-Key', 'Authorization', 'X-Forwarded-For', 'X-Amz-Date', 'x-amzn-trace-id', 'X-Edge-Location', 'CloudFront-Viewer-Address'])(
    'refuses %s as the origin-verify header: CloudFront sets it itself, refuses it, or the API reads it',
    (name) => {
      expect(() => resolveConfig(withOptions({ originVerifyHeader: name }))).toThrow(/is a header CloudFront sets itself or this API reads/);
    },
  );

  it('takes any other header name, in any letter case', () => {
    expect(resolveConfig(withOptions({ originVerifyHeader: 'x-from-cloudfront' })).options.originVerifyHeader).toBe('x-from-cloudfront');
  });
});
