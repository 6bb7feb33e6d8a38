import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { asyncConfigKey, asyncConfigsOf, functionsOf, splitHandler } from '../../../src/dev/lambda/index.js';
import { buildApp } from '../../../src/dev/model/index.js';
import type { ResolvedApp } from '../../../src/dev/types.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const endpoints = { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2', kinesis: 'http://127.0.0.1:3', aws: 'http://127.0.0.1:4' };

function appOf(stack: string, file: string, assets: Record<string, string> = {}): ResolvedApp {
  const template = JSON.parse(readFileSync(join(fixtures, file), 'utf8'));
  return buildApp(
    {
      dir: '/assembly',
      stacks: [{ name: stack, artifactId: stack, assemblyDir: '/assembly', template }],
      assets: new Map(Object.entries(assets).map(([key, path]) => [key, { path, packaging: 'zip' }])),
    },
    endpoints,
  );
}

describe('functionsOf', () => {
  it('reads a served function: name, ARN, code folder, resolved environment, limits, log group', () => {
    const app = appOf('secured-spa-local', 'secured-spa-trimmed.template.json', {
      '30850af78e9c4235f176fea7358ef9976dd56cb17438e4726f9ac5c1baa8034b.zip': '/assembly/asset.30850af7',
    });
    const getItem = functionsOf(app).find((fn) => fn.logicalId === 'GetItemFunction8A87186F')!;
    expect(getItem).toMatchObject({
      name: 'secured-spa-local-GetItemFunction8A87186F',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:secured-spa-local-GetItemFunction8A87186F',
      handler: 'index.handler',
      handlerModule: 'index',
      handlerExport: 'handler',
      runtime: 'nodejs24.x',
      codeDir: '/assembly/asset.30850af7',
      timeoutSeconds: 10,
      memoryMB: 512,
      edge: false,
      internal: false,
    });
    expect(getItem.environment.TABLE_NAME).toBe('secured-spa-local-StoreItemsAD47348C');
    expect(getItem.environment.POWERTOOLS_SERVICE_NAME).toBe('secured-spa');
    // LoggingConfig.LogGroup is where Lambda writes (and what AWS_LAMBDA_LOG_GROUP_NAME says).
    expect(getItem.logGroupName).toBe('secured-spa-local-GetItemLogsE9DE9F43');
    expect(getItem.unsupported).toBeUndefined();
  });

  it('flags Lambda@Edge functions through the versions a distribution associates, with their event types', () => {
    const fns = functionsOf(appOf('secured-spa-local', 'secured-spa-trimmed.template.json'));
    const byId = Object.fromEntries(fns.map((fn) => [fn.logicalId, fn]));
    expect(byId.ViewerAuthFn9E9A246E).toMatchObject({ edge: true, edgeEventTypes: ['viewer-request'], runtime: 'nodejs22.x', timeoutSeconds: 5 });
    expect(byId.SecurityHeadersFnB9D689D3).toMatchObject({ edge: true, edgeEventTypes: ['origin-response'] });
    expect(byId.GetItemFunction8A87186F!.edge).toBe(false);
  });

  it('marks CDK helpers internal: auto-delete provider, bucket notifications handler, custom resource service tokens', () => {
    const spa = functionsOf(appOf('secured-spa-local', 'secured-spa-trimmed.template.json'));
    expect(spa.find((fn) => fn.logicalId.startsWith('CustomS3AutoDeleteObjects'))).toMatchObject({ internal: true, internalReason: 'CDK custom resource provider' });
    const lake = functionsOf(appOf('data-lake-local', 'data-lake-trimmed.template.json'));
    const byId = Object.fromEntries(lake.map((fn) => [fn.logicalId, fn]));
    expect(byId.BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691).toMatchObject({ internal: true, runtime: 'python3.13' });
    // The project's own provider (a custom resource's ServiceToken) runs at deployment only.
    expect(byId.FlagsInitialVersionFunction1DD63A4A).toMatchObject({ internal: true, internalReason: 'custom resource provider (runs at deployment only)' });
    expect(byId.TransformFunction58095C87).toMatchObject({ internal: false, memoryMB: 1024, timeoutSeconds: 60 });
  });

  it('leaves out environment values that have no local equivalent and names them', () => {
    const lake = functionsOf(appOf('data-lake-local', 'data-lake-trimmed.template.json'));
    const transform = lake.find((fn) => fn.logicalId === 'TransformFunction58095C87')!;
    expect(transform.environment.CURATED_BUCKET).toBe('data-lake-local-curatedf137945a');
    expect(transform.environment.CURATED_FORMAT).toBe('parquet');
    // The AppConfig resources are not in the trimmed fixture: their ids cannot be resolved.
    expect(transform.unresolvedEnvironment).toEqual(expect.arrayContaining(['SPROUT_FLAGS_APPLICATION']));
    expect(transform.environment).not.toHaveProperty('SPROUT_FLAGS_APPLICATION');
  });

  it('reads inline code, dead-letter target, reserved concurrency, nested handlers and what cannot run', () => {
    const fns = functionsOf(appOf('extras', 'extras.template.json', { 'nested.zip': '/assembly/asset.nested' }));
    const byId = Object.fromEntries(fns.map((fn) => [fn.logicalId, fn]));
    expect(byId.InlineFn).toMatchObject({
      name: 'inline-fn',
      inlineCode: 'exports.handler = async (event) => ({ inline: true, event });',
      codeDir: undefined,
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      reservedConcurrency: 2,
      environment: { QUEUE_URL: 'http://127.0.0.1:4/000000000000/failures', LIMIT: '5' },
      timeoutSeconds: 3,
      memoryMB: 128,
      logGroupName: '/aws/lambda/inline-fn',
    });
    expect(byId.InlineFn!.unsupported).toBeUndefined();
    expect(byId.NestedFn).toMatchObject({ handlerModule: 'dist/app', handlerExport: 'main', codeDir: '/assembly/asset.nested' });
    expect(byId.ImageFn!.unsupported).toMatch(/container image/);
  });
});

describe('splitHandler', () => {
  it('splits like the Node.js runtime: the first dot of the last path segment', () => {
    expect(splitHandler('index.handler')).toEqual({ handlerModule: 'index', handlerExport: 'handler' });
    expect(splitHandler('dist/app.main')).toEqual({ handlerModule: 'dist/app', handlerExport: 'main' });
    expect(splitHandler('src/v1.2/app.handlers.get')).toEqual({ handlerModule: 'src/v1.2/app', handlerExport: 'handlers.get' });
  });
});

describe('asyncConfigsOf', () => {
  it('reads EventInvokeConfig retries, event age and destinations per function and qualifier', () => {
    const configs = asyncConfigsOf(appOf('data-lake-local', 'data-lake-trimmed.template.json'));
    expect(configs.get(asyncConfigKey('data-lake-local-TransformFunction58095C87'))).toEqual({
      maximumRetryAttempts: 2,
      maximumEventAgeSeconds: 21600,
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:data-lake-local-FailedTransformsD957EBA5',
    });
  });
});
