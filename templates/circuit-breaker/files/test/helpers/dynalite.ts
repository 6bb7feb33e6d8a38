import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { initialFlags } from '../../src/lib/flags.js';
import { circuitTable } from '../../src/lib/table-schema.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

export interface LocalDynamoDb {
  endpoint: string;
  /** A client wired to the emulator explicitly, independent of the handler's configuration. */
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
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
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
 * the Lambda runtime configures them from the environment, and gives the function its settings and
 * its flags without AppConfig. Call it before importing the handler: it reads them at load time.
 */
export function useEmulatorEnvironment(endpoint: string, env: Record<string, string>): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'circuit-test',
    POWERTOOLS_METRICS_NAMESPACE: 'circuit-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // No AppConfig here: the function reads its flags from SPROUT_FLAGS, as the stack first writes them.
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}

/** Creates a circuit state table with the key schema the stack deploys (src/lib/table-schema.ts). */
export async function createCircuitTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: circuitTable.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: circuitTable.partitionKey, KeyType: 'HASH' }],
    }),
  );
}
