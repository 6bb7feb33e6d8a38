import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { initialFlags } from '../../src/lib/flags.js';
import { idempotencyTable } from '../../src/lib/idempotency.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface LocalDynamoDb {
  endpoint: string;
  /** A client wired to the emulator explicitly, independent of the handlers' configuration. */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite in this process on a free port (in memory, tables ACTIVE at once). */
export async function startDynalite(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  return {
    endpoint,
    client,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Points every AWS SDK client created from now on at dynalite, with fake credentials, the way the
 * Lambda runtime configures them from the environment, and gives the functions their flags without
 * AppConfig. Call it before importing a handler: handlers read their settings at load time.
 */
export function useEmulatorEnvironment(endpoint: string, env: Record<string, string> = {}): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'execution-models-test',
    POWERTOOLS_SERVICE_NAME: 'execution-models-test',
    POWERTOOLS_METRICS_NAMESPACE: 'execution-models-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // No AppConfig here: the functions read their flags from SPROUT_FLAGS, as the stack first writes them.
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}

/** The idempotency table with the key schema the stack deploys. */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: idempotencyTable.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: idempotencyTable.partitionKey, KeyType: 'HASH' }],
    }),
  );
}

/** Every idempotency record, as Powertools stored it (status and, once completed, the result). */
export async function idempotencyRecords(client: DynamoDBClient, tableName: string) {
  const { Items = [] } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: tableName }));
  return Items.map((item) => ({ status: item.status as string, data: item.data as Record<string, unknown> | undefined }));
}
