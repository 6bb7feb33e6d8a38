import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { initialFlags } from '../../src/lib/flags.js';
import { type OrderItem, ordersTable } from '../../src/lib/orders-table.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

export interface Emulators {
  /** A Kinesis client for kinesalite; it needs the HTTP/1.1 handler (the SDK's default HTTP/2 one fails against it). */
  kinesis: KinesisClient;
  /** A document client wired to dynalite explicitly, independent of the handler's configuration. */
  db: DynamoDBDocumentClient;
  dynamo: DynamoDBClient;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** Starts kinesalite and dynalite in this process, in memory, on free ports. */
export async function startEmulators(): Promise<Emulators> {
  const kinesisServer = kinesalite({ createStreamMs: 0, shardLimit: 50 });
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [kinesisEndpoint, dynamoEndpoint] = await Promise.all([listen(kinesisServer), listen(dynamoServer)]);
  const kinesis = new KinesisClient({ region, credentials, endpoint: kinesisEndpoint, requestHandler: new NodeHttpHandler() });
  const dynamo = new DynamoDBClient({ region, credentials, endpoint: dynamoEndpoint });
  const db = DynamoDBDocumentClient.from(dynamo);
  return {
    kinesis,
    db,
    dynamo,
    dynamoEndpoint,
    stop: async () => {
      kinesis.destroy();
      dynamo.destroy();
      await Promise.all([close(kinesisServer), close(dynamoServer)]);
    },
  };
}

/**
 * Points every AWS SDK client created from now on at dynalite, with fake credentials, the way the
 * Lambda runtime configures them from the environment, and gives the consumer its table and its
 * flags (the lambda-env store) without AppConfig. Call it before importing the handler.
 */
export function useEmulatorEnvironment(dynamoEndpoint: string, env: Record<string, string>): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'orders-test',
    POWERTOOLS_METRICS_NAMESPACE: 'orders-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}

/** Creates the orders table with the key schema the stack deploys. */
export async function createOrdersTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: ordersTable.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: ordersTable.partitionKey, KeyType: 'HASH' }],
    }),
  );
}

export async function readOrder(db: DynamoDBDocumentClient, tableName: string, orderId: string): Promise<OrderItem | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }));
  return Item as OrderItem | undefined;
}

export interface LocalStream {
  name: string;
  arn: string;
  shardIds: string[];
}

export async function createStream(kinesis: KinesisClient, name: string, shardCount: number): Promise<LocalStream> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
  return { name, arn: StreamDescriptionSummary?.StreamARN as string, shardIds: Shards.map((shard) => shard.ShardId as string) };
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

/** A record as the Lambda event source mapping delivers it (base64 data, arrival time in epoch seconds). */
export function toEventRecord(stream: LocalStream, shardId: string, record: _Record): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber as string;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey as string,
      sequenceNumber,
      data: Buffer.from(record.Data as Uint8Array).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp as Date).getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/orders-consumer',
    awsRegion: region,
    eventSourceARN: stream.arn,
  };
}
