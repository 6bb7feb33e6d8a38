import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPRESS_RETRY_BUDGET_SECONDS, loadConfig, resolveConfig, toResourceName, worstCaseRetryWaitSeconds } from '../infra/config.js';

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
    expect(loadConfig(undefined, undefined, { workflowType: 'express' }).options.workflowType).toBe('express');
    expect(() => loadConfig(undefined, undefined, { logLevel: 'DEBUG' as never })).toThrow(/logLevel must be "ALL" or "ERROR" or "FATAL"/);
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
    [{ workflowType: 'STANDARD' }, /workflowType must be "standard" or "express"/],
    [{ maxRetryAttempts: 11 }, /maxRetryAttempts must be an integer from 0 to 10/],
    [{ maxRetryAttempts: 2.5 }, /maxRetryAttempts must be an integer/],
    [{ retryIntervalSeconds: 0 }, /retryIntervalSeconds must be an integer from 1 to 300/],
    [{ logLevel: 'OFF' }, /logLevel must be "ALL" or "ERROR" or "FATAL"/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});

describe('retry waits against the Express 5-minute limit', () => {
  it('adds up interval × 2^n per retry, each wait capped at a minute (or the first interval, if longer)', () => {
    expect(worstCaseRetryWaitSeconds({ maxRetryAttempts: 3, retryIntervalSeconds: 2 })).toBe(2 + 4 + 8);
    expect(worstCaseRetryWaitSeconds({ maxRetryAttempts: 6, retryIntervalSeconds: 10 })).toBe(10 + 20 + 40 + 60 + 60 + 60);
    expect(worstCaseRetryWaitSeconds({ maxRetryAttempts: 2, retryIntervalSeconds: 120 })).toBe(240);
    expect(worstCaseRetryWaitSeconds({ maxRetryAttempts: 0, retryIntervalSeconds: 300 })).toBe(0);
  });

  it('refuses Express retries that could outlast the execution, and allows the same for Standard', () => {
    const long = { maxRetryAttempts: 6, retryIntervalSeconds: 30 }; // 30 + 60 × 5 = 330 s
    expect(worstCaseRetryWaitSeconds(long)).toBeGreaterThan(EXPRESS_RETRY_BUDGET_SECONDS);
    expect(() => resolveConfig(withOptions({ ...long, workflowType: 'express' }))).toThrow(
      /can wait 330 s between retries of one task, but an Express execution stops after 300 s: keep the retry waits under 240 s, or use "standard"/,
    );
    expect(resolveConfig(withOptions({ ...long, workflowType: 'standard' })).options.maxRetryAttempts).toBe(6);
    // 1 + 2 + 4 + 8 + 16 + 32 + 60 = 123 s
    expect(resolveConfig(withOptions({ maxRetryAttempts: 7, retryIntervalSeconds: 1, workflowType: 'express' })).options.maxRetryAttempts).toBe(7);
  });
});
