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

  it('accepts the edges of every range: 900 s functions, no retries, one minute to six hours of event age', () => {
    const edges = resolveConfig(withOptions({ streamSource: 'kinesis', syncTimeoutSeconds: 900, asyncRetryAttempts: 0, asyncMaxEventAgeSeconds: 60 })).options;
    expect(edges).toEqual({ streamSource: 'kinesis', syncTimeoutSeconds: 900, asyncRetryAttempts: 0, asyncMaxEventAgeSeconds: 60 });
    expect(resolveConfig(withOptions({ asyncMaxEventAgeSeconds: 21_600 })).options.asyncMaxEventAgeSeconds).toBe(21_600);
  });

  it.each([
    [{ streamSource: 'kafka' }, /streamSource must be "sqs" or "kinesis"/],
    [{ syncTimeoutSeconds: 901 }, /syncTimeoutSeconds must be an integer from 1 to 900 \(got 901\)/],
    [{ syncTimeoutSeconds: 0 }, /syncTimeoutSeconds must be an integer from 1 to 900/],
    [{ asyncRetryAttempts: 3 }, /asyncRetryAttempts must be an integer from 0 to 2 \(got 3\)/],
    [{ asyncMaxEventAgeSeconds: 59 }, /asyncMaxEventAgeSeconds must be an integer from 60 to 21600/],
    [{ asyncMaxEventAgeSeconds: 21_601 }, /asyncMaxEventAgeSeconds must be an integer from 60 to 21600/],
    [{ asyncRetryAttempts: '2' }, /asyncRetryAttempts must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
