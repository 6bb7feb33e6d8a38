import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { initialFlags } from '../../src/lib/flags.js';
import { tables as schema } from '../../src/lib/table-schema.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

export interface LocalDynamoDb {
  endpoint: string;
  /** A document client wired to the emulator explicitly, independent of the handlers' configuration. */
  client: DynamoDBDocumentClient;
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
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client: DynamoDBDocumentClient.from(raw),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        raw.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export type TableNames = Record<keyof typeof schema, string>;

/** Creates the three services' tables with the key schemas the stack deploys (src/lib/table-schema.ts). */
export async function createTables(db: LocalDynamoDb, names: TableNames): Promise<void> {
  for (const service of Object.keys(schema) as Array<keyof typeof schema>) {
    const key = schema[service].partitionKey;
    await db.client.send(
      new CreateTableCommand({
        TableName: names[service],
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      }),
    );
  }
}

/**
 * Points every AWS SDK client created from now on at the emulator, with fake credentials, the way
 * the Lambda runtime configures them from the environment, and gives the functions their settings
 * (as the stack does) and their flags without AppConfig. Call it before importing a handler.
 */
export function useEmulatorEnvironment(endpoint: string, names: TableNames, env: Record<string, string> = {}): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'saga-test',
    POWERTOOLS_METRICS_NAMESPACE: 'saga-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    SPROUT_FLAGS: encodeEnv(initialFlags),
    [schema.inventory.env]: names.inventory,
    [schema.payments.env]: names.payments,
    [schema.shipments.env]: names.shipments,
    ...env,
  });
}

/** Stocks a SKU as `aws dynamodb put-item` would (see README.md). */
export async function stock(db: LocalDynamoDb, table: string, sku: string, available: number): Promise<void> {
  await db.client.send(new PutCommand({ TableName: table, Item: { pk: `sku#${sku}`, available } }));
}

export async function item(db: LocalDynamoDb, table: string, key: Record<string, string>): Promise<Record<string, any> | undefined> {
  return (await db.client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}
