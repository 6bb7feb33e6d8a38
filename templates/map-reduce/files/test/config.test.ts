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

  it('takes overrides, checked like the file\'s own options', () => {
    expect(loadConfig(undefined, undefined, { childExecutionType: 'standard' }).options.childExecutionType).toBe('standard');
    expect(() => loadConfig(undefined, undefined, { maxConcurrency: 0 })).toThrow(/maxConcurrency must be an integer from 1 to 10000/);
  });

  it('uses the stage given with -c stage=, but only a stage the file declares', () => {
    const twoStages = { ...sprout, stages: { local: {}, prod: {} } };
    expect(resolveConfig(twoStages, 'prod').stackName).toMatch(/-prod$/);
    expect(() => resolveConfig(twoStages, 'staging')).toThrow(/stage "staging" is not one of the stages in sprout.json \(local, prod\)/);
  });

  it.each([
    [{ inputPrefix: '' }],
    [{ inputPrefix: 'corpus/2026/' }],
    [{ toleratedFailurePercentage: 2.5 }],
    [{ maxConcurrency: 10_000, childExecutionType: 'standard' }],
  ])('accepts %j', (options) => {
    expect(resolveConfig(withOptions(options)).options).toMatchObject(options);
  });

  it.each([
    [{ inputPrefix: 'input' }, /inputPrefix must be a string to be empty or folders ending in "\/"/],
    [{ inputPrefix: '/input/' }, /inputPrefix must be a string/],
    [{ inputPrefix: 'in put/' }, /inputPrefix must be a string/],
    [{ maxConcurrency: 10_001 }, /maxConcurrency must be an integer from 1 to 10000/],
    [{ maxConcurrency: 2.5 }, /maxConcurrency must be an integer/],
    [{ toleratedFailurePercentage: 101 }, /toleratedFailurePercentage must be a number from 0 to 100/],
    [{ toleratedFailurePercentage: -1 }, /toleratedFailurePercentage must be a number from 0 to 100/],
    [{ childExecutionType: 'EXPRESS' }, /childExecutionType must be "express" or "standard"/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
