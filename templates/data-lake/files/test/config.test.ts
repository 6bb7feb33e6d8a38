import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesScannedCutoff, glueName, loadConfig, MAX_QUERY_SCAN_LIMIT_MB, resolveConfig, toResourceName } from '../infra/config.js';
import { INGEST_TIMEOUT_SECONDS, MAX_EVENTS_PER_BATCH, MAX_RAW_OBJECT_BYTES, TRANSFORM_MEMORY_MB, TRANSFORM_TIMEOUT_SECONDS } from '../src/lib/settings.js';

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

  it('checks overrides like the file (the tests build variants with them)', () => {
    expect(loadConfig(undefined, undefined, { encryption: 'sse-kms' }).options.encryption).toBe('sse-kms');
    expect(() => loadConfig(undefined, undefined, { rawRetentionDays: -1 })).toThrow(/options.rawRetentionDays must be an integer from 0 to 36500 \(got -1\)/);
  });

  it.each([
    [{ curatedFormat: 'parquet', encryption: 'sse-s3', rawRetentionDays: 365, queryScanLimitMb: 10_240 }],
    [{ curatedFormat: 'jsonl-gzip', encryption: 'sse-kms', rawRetentionDays: 0, queryScanLimitMb: 10 }],
    [{ rawRetentionDays: 36_500, queryScanLimitMb: MAX_QUERY_SCAN_LIMIT_MB }],
  ])('accepts %j', (options) => {
    expect(resolveConfig(withOptions(options)).options).toMatchObject(options);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ curatedFormat: 'orc' }, /options.curatedFormat must be "parquet" or "jsonl-gzip" \(got "orc"\)/],
    [{ curatedFormat: undefined }, /options.curatedFormat must be "parquet" or "jsonl-gzip"/],
    [{ encryption: 'aws:kms' }, /options.encryption must be "sse-s3" or "sse-kms" \(got "aws:kms"\)/],
    [{ rawRetentionDays: -1 }, /options.rawRetentionDays must be an integer from 0 to 36500 \(got -1\)/],
    [{ rawRetentionDays: 1.5 }, /options.rawRetentionDays must be an integer/],
    [{ rawRetentionDays: '30' }, /options.rawRetentionDays must be an integer/],
    [{ queryScanLimitMb: 9 }, /options.queryScanLimitMb must be an integer from 10 to 10485760 \(got 9\)/],
    [{ queryScanLimitMb: MAX_QUERY_SCAN_LIMIT_MB + 1 }, /options.queryScanLimitMb must be an integer from 10 to 10485760/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});

describe('names and limits', () => {
  it("gives Athena's scan limit in bytes, never under Athena's minimum of 10,000,000", () => {
    expect(bytesScannedCutoff({ queryScanLimitMb: 10 })).toBe(10_485_760);
    expect(bytesScannedCutoff({ queryScanLimitMb: 10 })).toBeGreaterThanOrEqual(10_000_000);
    expect(bytesScannedCutoff({ queryScanLimitMb: 10_240 })).toBe(10 * 1024 ** 3);
  });

  it('makes Glue database names Athena reads without quotes: lowercase letters, digits and _', () => {
    expect(glueName('my-shop-local')).toBe('my_shop_local');
    expect(glueName('Shop-Orders-Prod_EU')).toBe('shop_orders_prod_eu');
    expect(glueName('a'.repeat(300))).toHaveLength(255);
  });

  it('leave room: a full batch fits the ingestion timeout and the largest raw object fits the transform', () => {
    // Lambda's synchronous payload limit (6 MB) bounds a batch; 1,000 events is far below it.
    expect(MAX_EVENTS_PER_BATCH).toBeLessThanOrEqual(1_000);
    expect(INGEST_TIMEOUT_SECONDS).toBeLessThanOrEqual(900);
    // The object as text, its records and the encoded output: about four times its size in memory.
    expect(MAX_RAW_OBJECT_BYTES * 4).toBeLessThan(TRANSFORM_MEMORY_MB * 1024 * 1024 * 0.5);
    expect(TRANSFORM_TIMEOUT_SECONDS).toBeLessThanOrEqual(900);
  });
});
