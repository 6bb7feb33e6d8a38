import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });
const deployment = { stage: 'prod', project: 'shop', service: 'metrics', stackName: 'shop-metrics-prod', account: '111111111111', region: 'eu-west-1' };

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toEqual({ windowSeconds: 60, zScoreThreshold: 3, baselineWindows: 30, aggregateTtlDays: 30 });
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it('accepts the bounds Lambda and the template accept', () => {
    for (const options of [
      { windowSeconds: 1, zScoreThreshold: 1, baselineWindows: 3, aggregateTtlDays: 1 },
      { windowSeconds: 900, zScoreThreshold: 10, baselineWindows: 1000, aggregateTtlDays: 3650 },
      { windowSeconds: 300, zScoreThreshold: 2.5, baselineWindows: 48, aggregateTtlDays: 7 },
    ]) {
      expect(resolveConfig(withOptions(options)).options).toEqual(options);
    }
  });

  it.each([
    [{ windowSeconds: 0 }, /windowSeconds must be an integer from 1 to 900 \(got 0\)/],
    [{ windowSeconds: 901 }, /windowSeconds must be an integer from 1 to 900 \(got 901\)/],
    [{ windowSeconds: 1.5 }, /windowSeconds must be an integer/],
    [{ zScoreThreshold: 0.5 }, /zScoreThreshold must be a number from 1 to 10 \(got 0.5\)/],
    [{ zScoreThreshold: '3' }, /zScoreThreshold must be a number from 1 to 10 \(got "3"\)/],
    [{ baselineWindows: 2 }, /baselineWindows must be an integer from 3 to 1000 \(got 2\)/],
    [{ aggregateTtlDays: 0 }, /aggregateTtlDays must be an integer from 1 to 3650 \(got 0\)/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });

  it('refuses a custom domain: the pattern has no HTTP endpoint', () => {
    const domain = { mode: 'subdomain', hostName: 'metrics.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC' } as const;
    expect(() => resolveConfig(sprout, undefined, { ...deployment, domain })).toThrow(
      /the realtime-analytics pattern has no HTTP endpoint \(producers put metrics on its Kinesis stream; anomalies go out through SNS\), so it cannot take a custom domain: remove the "domain" section from sprout.json/,
    );
  });
});
