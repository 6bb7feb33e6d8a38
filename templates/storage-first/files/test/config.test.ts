import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, toResourceName, visibilityTimeoutSeconds } from '../infra/config.js';
import { sprout } from './helpers/stack.js';

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

  it('accepts both buffers and the limits Lambda allows', () => {
    expect(resolveConfig(withOptions({ buffer: 'kinesis', batchSize: 10_000 })).options.buffer).toBe('kinesis');
    expect(resolveConfig(withOptions({ batchSize: 10_000, maxBatchingWindowSeconds: 300, consumerTimeoutSeconds: 900, maxReceiveCount: 1000 })).options.batchSize).toBe(10_000);
  });

  it.each([
    [{ buffer: 'sns' }, /buffer must be "sqs" or "kinesis" \(got "sns"\)/],
    [{ batchSize: 0 }, /batchSize must be an integer from 1 to 10000/],
    [{ batchSize: 10_001 }, /batchSize must be an integer from 1 to 10000/],
    [{ maxBatchingWindowSeconds: 301 }, /maxBatchingWindowSeconds must be an integer from 0 to 300/],
    [{ consumerTimeoutSeconds: 901 }, /consumerTimeoutSeconds must be an integer from 1 to 900/],
    [{ consumerTimeoutSeconds: 2.5 }, /consumerTimeoutSeconds must be an integer/],
    [{ maxReceiveCount: 0 }, /maxReceiveCount must be an integer from 1 to 1000/],
    [{ batchSize: 11, maxBatchingWindowSeconds: 0 }, /batchSize of 11 needs options.maxBatchingWindowSeconds of at least 1 with SQS/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });

  it('lets Kinesis take big batches without a batching window', () => {
    expect(resolveConfig(withOptions({ buffer: 'kinesis', batchSize: 500, maxBatchingWindowSeconds: 0 })).options.batchSize).toBe(500);
  });

  it('derives the visibility timeout as 6 × the consumer timeout + the batching window', () => {
    expect(visibilityTimeoutSeconds({ consumerTimeoutSeconds: 30, maxBatchingWindowSeconds: 0 })).toBe(180);
    // The largest: still under SQS's 12-hour maximum visibility timeout.
    expect(visibilityTimeoutSeconds({ consumerTimeoutSeconds: 900, maxBatchingWindowSeconds: 300 })).toBe(5700);
    expect(5700).toBeLessThanOrEqual(12 * 3600);
  });
});
