import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS, MAX_OBJECT_BYTES } from '../src/lib/settings.js';

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
    [{ inputPrefix: '', inputSuffix: '' }],
    [{ inputPrefix: 'devices/eu-west/', inputSuffix: '.ndjson' }],
    [{ inputPrefix: "a_b.c!(d)'*-/", inputSuffix: '-batch.json' }],
    [{ retryAttempts: 0, maxEventAgeSeconds: 60 }],
    [{ retryAttempts: 2, maxEventAgeSeconds: 21_600 }],
  ])('accepts %j', (options) => {
    expect(resolveConfig(withOptions(options)).options).toMatchObject(options);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ inputPrefix: 'incoming' }, /options.inputPrefix must be a string to be empty or folders ending in "\/"/],
    [{ inputPrefix: '/incoming/' }, /options.inputPrefix must be a string/],
    [{ inputPrefix: 'in coming/' }, /options.inputPrefix must be a string/],
    [{ inputPrefix: undefined }, /options.inputPrefix must be a string/],
    [{ inputPrefix: `${'a/'.repeat(257)}` }, /options.inputPrefix must be at most 512 characters/],
    [{ inputSuffix: '.json l' }, /options.inputSuffix must be a string of letters, digits/],
    [{ inputSuffix: 'x/y' }, /options.inputSuffix must be a string/],
    [{ retryAttempts: 3 }, /options.retryAttempts must be an integer from 0 to 2 \(got 3\)/],
    [{ retryAttempts: 1.5 }, /options.retryAttempts must be an integer/],
    [{ maxEventAgeSeconds: 59 }, /options.maxEventAgeSeconds must be an integer from 60 to 21600 \(got 59\)/],
    [{ maxEventAgeSeconds: 21_601 }, /options.maxEventAgeSeconds must be an integer from 60 to 21600/],
    [{ maxEventAgeSeconds: '3600' }, /options.maxEventAgeSeconds must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});

describe('sizes and times', () => {
  it('leave room: the largest object fits the memory twice (input streamed, output buffered) and Lambda\'s limits', () => {
    expect(MAX_OBJECT_BYTES * 2).toBeLessThan(FUNCTION_MEMORY_MB * 1024 * 1024 * 0.5);
    expect(FUNCTION_TIMEOUT_SECONDS).toBeLessThanOrEqual(900);
    expect(FUNCTION_MEMORY_MB).toBeLessThanOrEqual(10_240);
  });
});
