import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { initialFlags } from '../../src/lib/flags.js';
import { idempotencyTable, ordersTable } from '../../src/lib/table-schema.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

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
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
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
 * Points every AWS SDK client created from now on at the emulator, with fake credentials, the way
 * the Lambda runtime configures them from the environment, and gives the consumer its flags
 * without AppConfig. Call it before importing a handler: handlers read their settings at load time.
 */
export function useEmulatorEnvironment(endpoint: string, tables: { orders: string; idempotency: string }, env: Record<string, string> = {}): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'orders-test',
    POWERTOOLS_METRICS_NAMESPACE: 'orders-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ORDERS_TABLE_NAME: tables.orders,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    // No AppConfig here: the consumer reads its flags from SPROUT_FLAGS, as the stack first writes them.
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}

/** Creates the two tables with the key schema the stack deploys (src/lib/table-schema.ts). */
export async function createTables(client: DynamoDBClient, names: { orders: string; idempotency: string }): Promise<void> {
  const table = (TableName: string, key: string) =>
    client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      }),
    );
  await table(names.orders, ordersTable.partitionKey);
  await table(names.idempotency, idempotencyTable.partitionKey);
}

/** Every item of a table, plain JavaScript objects. */
export async function scanAll(client: DynamoDBClient, TableName: string): Promise<Record<string, any>[]> {
  const { Items = [] } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName }));
  return Items;
}
