import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { readAssembly } from '../../../src/dev/model/assembly.js';
import { loadApp } from '../../../src/dev/model/index.js';
import { endpoints } from './helpers.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

describe('readAssembly', () => {
  it('follows nested stage assemblies and orders stacks by their dependencies', async () => {
    const assembly = await readAssembly(join(fixtures, 'nested'));
    // the manifest lists the consumer first; it depends on the producer
    expect(assembly.stacks.map((stack) => stack.name)).toEqual(['Prod-Producer', 'Prod-Consumer']);
    expect(assembly.stacks[0]!.assemblyDir).toBe(join(fixtures, 'nested', 'assembly-Prod'));
  });

  it('maps asset object keys to their source in the manifest\'s folder', async () => {
    const assembly = await readAssembly(join(fixtures, 'nested'));
    expect(assembly.assets.get('1111111111111111111111111111111111111111111111111111111111111111.zip')).toEqual({
      path: join(fixtures, 'nested', 'assembly-Prod', 'asset.1111111111111111111111111111111111111111111111111111111111111111'),
      packaging: 'zip',
    });
  });

  it('rejects a folder that is not a cloud assembly', async () => {
    await expect(readAssembly(join(fixtures, 'does-not-exist'))).rejects.toThrow(/manifest\.json/);
  });
});

describe('loadApp on a nested assembly', () => {
  it('resolves Fn::ImportValue against the other stack\'s export', async () => {
    const app = await loadApp(join(fixtures, 'nested'), endpoints);
    const worker = app.ofType('AWS::Lambda::Function')[0]!;
    expect(worker.stack).toBe('Prod-Consumer');
    expect(worker.properties.Environment.Variables.ORDERS_QUEUE_ARN).toBe('arn:aws:sqs:us-east-1:000000000000:Prod-Producer-Orders0A1B2C3D.fifo');
    expect(app.find(worker.properties.Environment.Variables.ORDERS_QUEUE_ARN)?.type).toBe('AWS::SQS::Queue');
  });

  it('assetDir gives folder assets only', async () => {
    const app = await loadApp(join(fixtures, 'nested'), endpoints);
    const worker = app.ofType('AWS::Lambda::Function')[0]!;
    expect(worker.properties.Code.S3Bucket).toBe('cdk-hnb659fds-assets-000000000000-us-east-1');
    expect(app.assetDir(worker.properties.Code.S3Key)).toBe(
      join(fixtures, 'nested', 'assembly-Prod', 'asset.1111111111111111111111111111111111111111111111111111111111111111'),
    );
    expect(app.assetDir('2222222222222222222222222222222222222222222222222222222222222222.zip')).toBeUndefined();
    expect(app.assetDir('unknown.zip')).toBeUndefined();
  });
});
