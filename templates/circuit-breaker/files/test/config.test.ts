import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName } from '../infra/config.js';
import { functionTimeoutSeconds, trialLeaseMs } from '../src/lib/settings.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toMatchObject(sprout.options);
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it('names the circuit after the downstream URL\'s host (and port)', () => {
    expect(resolveConfig(withOptions({ downstreamUrl: 'https://payments.example.com/v1/status?deep=1' })).options.circuitName).toBe('payments.example.com');
    expect(resolveConfig(withOptions({ downstreamUrl: 'http://10.0.0.12:8080/health' })).options.circuitName).toBe('10.0.0.12:8080');
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

  it.each<[Record<string, unknown>, RegExp]>([
    [{ failureThreshold: 0 }, /options.failureThreshold must be an integer from 1 to 1000 \(got 0\)/],
    [{ failureThreshold: 2.5 }, /options.failureThreshold must be an integer/],
    [{ coolDownSeconds: 0 }, /options.coolDownSeconds must be an integer from 1 to 3600/],
    [{ coolDownSeconds: '30' }, /options.coolDownSeconds must be an integer/],
    [{ callTimeoutMs: 50 }, /options.callTimeoutMs must be an integer from 100 to 28000 \(got 50\)/],
    [{ callTimeoutMs: 27_000 }, /options.callTimeoutMs \(27000\) leaves the function 30 s, more than API Gateway's 29 s integration timeout: use at most 26000 ms/],
    [{ downstreamUrl: 'api.example.com/health' }, /options.downstreamUrl must be a string to be an http:\/\/ or https:\/\/ URL/],
    [{ downstreamUrl: 'ftp://api.example.com/health' }, /options.downstreamUrl must be a string to be an http/],
    [{ downstreamUrl: 'https://user:secret@api.example.com/' }, /options.downstreamUrl must be a string to be an http/],
    [{ downstreamUrl: undefined }, /options.downstreamUrl must be a string/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});

describe('timeouts', () => {
  it('gives the function the call timeout plus time for the state writes, and makes that the trial lease', () => {
    expect(trialLeaseMs(2_000)).toBe(5_000);
    expect(functionTimeoutSeconds(2_000)).toBe(5);
    expect(functionTimeoutSeconds(2_001)).toBe(6);
    // The largest call timeout the config accepts still ends before API Gateway gives up.
    expect(functionTimeoutSeconds(26_000)).toBe(29);
  });
});
