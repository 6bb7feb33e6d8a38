import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });
const deployment = { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1' };

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

  it('accepts the bounds Lambda and Kinesis accept', () => {
    const options = { capacityMode: 'provisioned', shardCount: 500, parallelizationFactor: 10, batchSize: 10_000, maxRetryAttempts: 0 };
    expect(resolveConfig(withOptions(options)).options).toEqual(options);
  });

  it.each([
    [{ capacityMode: 'ON_DEMAND' }, /capacityMode must be "on-demand" or "provisioned" \(got "ON_DEMAND"\)/],
    [{ shardCount: 0 }, /shardCount must be an integer from 1 to 500 \(got 0\)/],
    [{ parallelizationFactor: 11 }, /parallelizationFactor must be an integer from 1 to 10 \(got 11\)/],
    [{ batchSize: 10_001 }, /batchSize must be an integer from 1 to 10000/],
    [{ batchSize: '100' }, /batchSize must be an integer/],
    [{ maxRetryAttempts: -1 }, /maxRetryAttempts must be an integer from 0 to 10000 \(got -1\)/],
    [{ maxRetryAttempts: 2.5 }, /maxRetryAttempts must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });

  it('refuses a custom domain: the pattern has no HTTP endpoint', () => {
    const domain = { mode: 'subdomain', hostName: 'orders.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC' } as const;
    expect(() => resolveConfig(sprout, undefined, { ...deployment, domain })).toThrow(
      /the pubsub-streams pattern has no HTTP endpoint \(producers put records on its Kinesis stream\), so it cannot take a custom domain: remove the "domain" section from sprout.json/,
    );
  });
});
