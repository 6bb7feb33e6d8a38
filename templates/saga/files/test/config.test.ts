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

  it('accepts both coordinations and the option bounds template.json offers', () => {
    expect(resolveConfig(withOptions({ coordination: 'choreography', compensationRetryAttempts: 0, dlqRetentionDays: 1 })).options).toEqual({
      coordination: 'choreography',
      compensationRetryAttempts: 0,
      dlqRetentionDays: 1,
    });
    expect(resolveConfig(withOptions({ compensationRetryAttempts: 10, dlqRetentionDays: 14 })).options.compensationRetryAttempts).toBe(10);
  });

  it.each([
    [{ coordination: 'chaos' }, /coordination must be "orchestration" or "choreography"/],
    [{ compensationRetryAttempts: 11 }, /compensationRetryAttempts must be an integer from 0 to 10/],
    [{ compensationRetryAttempts: 1.5 }, /compensationRetryAttempts must be an integer/],
    [{ dlqRetentionDays: 15 }, /dlqRetentionDays must be an integer from 1 to 14 \(got 15\)/],
    [{ dlqRetentionDays: '14' }, /dlqRetentionDays must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
