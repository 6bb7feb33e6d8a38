import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, type _Record } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { type AggregateItem, aggregatesTable } from '../../src/lib/aggregates.js';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

export const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:analytics-anomalies';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const close = (server: Server) => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

export interface Dynamo {
  db: DynamoDBDocumentClient;
  dynamo: DynamoDBClient;
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite in this process, in memory, on a free port. */
export async function startDynamo(): Promise<Dynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const dynamo = new DynamoDBClient({ region, credentials, endpoint });
  return {
    db: DynamoDBDocumentClient.from(dynamo),
    dynamo,
    endpoint,
    stop: async () => {
      dynamo.destroy();
      await close(server);
    },
  };
}

export interface Kinesis {
  /** Needs the HTTP/1.1 handler: the SDK's default HTTP/2 one fails against kinesalite. */
  kinesis: KinesisClient;
  stop(): Promise<void>;
}

export async function startKinesis(): Promise<Kinesis> {
  const server = kinesalite({ createStreamMs: 0, shardLimit: 50 });
  const endpoint = await listen(server);
  const kinesis = new KinesisClient({ region, credentials, endpoint, requestHandler: new NodeHttpHandler() });
  return {
    kinesis,
    stop: async () => {
      kinesis.destroy();
      await close(server);
    },
  };
}

/**
 * Gives the aggregator its environment the way the stack does (table, topic, options) and points
 * every AWS SDK client created from now on at dynalite, with fake credentials, the way the Lambda
 * runtime configures them. SNS is not an emulator: tests mock it with aws-sdk-client-mock. Flags
 * come from SPROUT_FLAGS (the lambda-env store). Call it before importing the handler.
 */
export function useAggregatorEnvironment(dynamoEndpoint: string, env: Record<string, string> = {}): void {
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'analytics-test',
    POWERTOOLS_METRICS_NAMESPACE: 'analytics-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ANOMALY_TOPIC_ARN: TOPIC_ARN,
    Z_SCORE_THRESHOLD: '3',
    BASELINE_WINDOWS: '30',
    AGGREGATE_TTL_DAYS: '30',
    ...env,
  });
}

/** Creates the aggregates table with the key schema the stack deploys. */
export async function createAggregatesTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: aggregatesTable.partitionKey, AttributeType: 'S' },
        { AttributeName: aggregatesTable.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: aggregatesTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: aggregatesTable.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
}

/** Every window of one key, oldest first. */
export async function windowsOf(db: DynamoDBDocumentClient, tableName: string, metricKey: string): Promise<AggregateItem[]> {
  const items: AggregateItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'metricKey = :k', ExpressionAttributeValues: { ':k': metricKey }, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((page.Items ?? []) as AggregateItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function createStream(kinesis: KinesisClient, name: string, shardCount: number): Promise<string[]> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
  return Shards.map((shard) => shard.ShardId as string);
}

/** Every record of one shard, oldest first, as GetRecords returns them. */
export async function readShard(kinesis: KinesisClient, streamName: string, shardId: string): Promise<_Record[]> {
  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const records: _Record[] = [];
  let iterator = ShardIterator;
  while (iterator) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    records.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}
