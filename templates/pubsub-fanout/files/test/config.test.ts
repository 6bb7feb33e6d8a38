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

  it.each([
    ['my-service', 'my-service'],
    ['@acme/images', 'acme-images'],
  ])('derives a stack-safe name from %s', (packageName, expected) => {
    expect(toResourceName(packageName)).toBe(expected);
    expect(resolveConfig({ ...sprout, name: packageName }).stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });

  it('accepts the limits of every option', () => {
    expect(resolveConfig(withOptions({ resizeWidth: 16, thumbnailSize: 1024, outputFormat: 'png', consumerTimeoutSeconds: 900 })).options).toEqual({
      resizeWidth: 16,
      thumbnailSize: 1024,
      outputFormat: 'png',
      consumerTimeoutSeconds: 900,
    });
  });

  it.each([
    [{ resizeWidth: 15 }, /resizeWidth must be an integer from 16 to 8192 \(got 15\)/],
    [{ resizeWidth: 640.5 }, /resizeWidth must be an integer/],
    [{ thumbnailSize: 2048 }, /thumbnailSize must be an integer from 16 to 1024/],
    [{ outputFormat: 'webp' }, /outputFormat must be "jpeg" or "png" \(got "webp"\)/],
    [{ consumerTimeoutSeconds: 901 }, /consumerTimeoutSeconds must be an integer from 1 to 900/],
    [{ consumerTimeoutSeconds: '30' }, /consumerTimeoutSeconds must be an integer/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});
