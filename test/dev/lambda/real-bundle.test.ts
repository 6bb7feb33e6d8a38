import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLambdaRuntime, type LambdaRuntime } from '../../../src/dev/lambda/index.js';
import { localFunction, recordingDeliver, recordingLog } from './helpers.js';

/** A TypeScript handler like the project's: the AWS SDK left external (the Lambda runtime provides it), bundled by esbuild as CDK's NodejsFunction does. */
const HANDLER_TS = `
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

interface Order { id: string; total: number }

export const handler = async (event: Order) => {
  if (event.total < 0) throw new RangeError('total must not be negative');
  await client.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { pk: { S: event.id }, total: { N: String(event.total) } } }));
  const read = await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: event.id } }, ConsistentRead: true }));
  return { stored: read.Item };
};
`;

// Inside the repository so Node finds @aws-sdk/client-dynamodb in /work/main/node_modules.
const workDir = join(import.meta.dirname, '..', '..', '..', '.tmp-dev-tests', randomBytes(6).toString('hex'));
const codeDir = join(workDir, 'asset.orders');
let server: Server;
let endpoint: string;
let runtime: LambdaRuntime | undefined;

beforeAll(async () => {
  await mkdir(codeDir, { recursive: true });
  await writeFile(join(workDir, 'handler.ts'), HANDLER_TS);
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(workDir, 'handler.ts')],
    outfile: join(codeDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  const { default: dynalite } = await import('dynalite');
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // This machine's Node is older than the SDK's next floor; the warning is not about the test.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await admin.send(
    new CreateTableCommand({
      TableName: 'orders',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  admin.destroy();
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(workDir, { recursive: true, force: true });
  // The shared parent goes too once no other test uses it.
  await rmdir(join(workDir, '..')).catch(() => undefined);
});

describe('a real esbuild bundle', () => {
  it('reaches dynalite through AWS_ENDPOINT_URL_DYNAMODB and maps its stack to the TypeScript source', async () => {
    const log = recordingLog();
    runtime = createLambdaRuntime({
      functions: [localFunction('orders', codeDir, { environment: { TABLE_NAME: 'orders' }, timeoutSeconds: 20 })],
      baseEnv: { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      log: log.log,
      timing: { scale: 0.001 },
      deliver: recordingDeliver().deliver,
    });
    const result = await runtime.invoke('orders', { id: 'o-42', total: 99 });
    expect(result, JSON.stringify(log.events)).toEqual({ ok: true, payload: { stored: { pk: { S: 'o-42' }, total: { N: '99' } } } });

    const failed = await runtime.invoke('orders', { id: 'o-43', total: -1 });
    expect(failed).toMatchObject({ ok: false, error: { errorType: 'RangeError', errorMessage: 'total must not be negative' } });
    // --enable-source-maps: the trace points into handler.ts, not the bundle.
    if (!failed.ok) expect(failed.error.stackTrace?.some((line) => /handler\.ts:\d+/.test(line))).toBe(true);
  }, 30_000);
});
