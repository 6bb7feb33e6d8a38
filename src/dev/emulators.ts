import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ResolvedApp, ResolvedResource } from './types.js';
import { LOCAL_REGION } from './types.js';

/** s3rver refuses every request not signed with these. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface DataEmulators {
  dynamodb: string;
  s3: string;
  /** kinesalite itself (HTTP/1.1): sprout's own clients and API Gateway integrations. */
  kinesis: string;
  /** The front of kinesalite that also speaks HTTP/2, as SDK v3's KinesisClient does: what handlers and people are given. */
  kinesisFront: string;
  /** The s3rver instance: it emits an 'event' per object written or deleted (bucket notifications). */
  s3rver: import('node:events').EventEmitter;
  close(): Promise<void>;
}

/**
 * dynalite, s3rver and kinesalite (with its HTTP/2 front) on free ports of 127.0.0.1, in memory (s3rver in a temporary
 * folder), created with no wait (tables and streams are ACTIVE at once). Data lives until close().
 */
export async function startDataEmulators(): Promise<DataEmulators> {
  const [{ default: dynalite }, { default: kinesalite }, { default: S3rver }] = await Promise.all([import('dynalite'), import('kinesalite'), import('s3rver')]);
  const closers: Array<() => Promise<void>> = [];
  try {
    const dyn = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamodb = await listen(dyn);
    closers.push(() => close(dyn));
    const kin = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
    const kinesis = await listen(kin);
    closers.push(() => close(kin));
    const { startKinesisH2Front } = await import('./triggers/kinesis-h2-front.js');
    const front = await startKinesisH2Front(kinesis);
    closers.push(() => front.close());
    const directory = await mkdtemp(join(tmpdir(), 'sprout-dev-s3-'));
    closers.push(() => rm(directory, { recursive: true, force: true }));
    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
    const { port } = await s3rver.run();
    closers.push(() => s3rver.close());
    return {
      dynamodb,
      kinesis,
      kinesisFront: front.url,
      s3: `http://127.0.0.1:${port}`,
      s3rver,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const closer of closers.reverse()) await closer().catch(() => undefined);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** What the data emulators could not create as declared (listed in the banner, not silently skipped). */
export interface ProvisionReport {
  tables: string[];
  buckets: string[];
  streams: string[];
  notes: string[];
}

/**
 * Creates every table, bucket and stream of the app in the emulators. With `existing` (a --watch
 * reload on the same emulators) one that exists already is kept as it is, data included.
 */
export async function provisionData(app: ResolvedApp, emulators: Pick<DataEmulators, 'dynamodb' | 's3' | 'kinesis'>, { existing = false } = {}): Promise<ProvisionReport> {
  const report: ProvisionReport = { tables: [], buckets: [], streams: [], notes: [] };
  const [{ DynamoDBClient, CreateTableCommand }, { S3Client, CreateBucketCommand }, { KinesisClient, CreateStreamCommand }, { NodeHttpHandler }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-kinesis'),
    import('@smithy/node-http-handler'),
  ]);
  const credentials = { ...S3RVER_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ region: LOCAL_REGION, endpoint: emulators.dynamodb, credentials });
  const s3 = new S3Client({ region: LOCAL_REGION, endpoint: emulators.s3, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  // SDK v3's Kinesis client defaults to HTTP/2, which kinesalite does not speak.
  const kinesis = new KinesisClient({ region: LOCAL_REGION, endpoint: emulators.kinesis, credentials, requestHandler: new NodeHttpHandler() });
  const create = async (send: () => Promise<unknown>): Promise<void> => {
    try {
      await send();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (!existing || !['ResourceInUseException', 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(name)) throw error;
    }
  };
  try {
    for (const table of [...app.ofType('AWS::DynamoDB::Table'), ...app.ofType('AWS::DynamoDB::GlobalTable')]) {
      const input = createTableInput(table);
      await create(() => dynamodb.send(new CreateTableCommand(input as never)));
      report.tables.push(table.ref);
      if (table.properties.TimeToLiveSpecification?.Enabled) report.notes.push(`table ${table.ref}: items are not expired by TTL locally (dynalite has no TTL)`);
      if (table.properties.StreamSpecification) report.notes.push(`table ${table.ref}: no DynamoDB stream locally (dynalite has no streams)`);
    }
    for (const bucket of app.ofType('AWS::S3::Bucket')) {
      await create(() => s3.send(new CreateBucketCommand({ Bucket: bucket.ref })));
      report.buckets.push(bucket.ref);
    }
    for (const stream of app.ofType('AWS::Kinesis::Stream')) {
      const onDemand = stream.properties.StreamModeDetails?.StreamMode === 'ON_DEMAND';
      // An on-demand stream starts with 4 shards in AWS.
      await create(() => kinesis.send(new CreateStreamCommand({ StreamName: stream.ref, ShardCount: onDemand ? 4 : Number(stream.properties.ShardCount ?? 1) })));
      report.streams.push(stream.ref);
    }
  } finally {
    dynamodb.destroy();
    s3.destroy();
    kinesis.destroy();
  }
  return report;
}

/** CreateTable's input from a table's CloudFormation properties (both AWS::DynamoDB::Table and GlobalTable). */
export function createTableInput(table: ResolvedResource): Record<string, unknown> {
  const p = table.properties;
  const index = (i: Record<string, any>) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection ?? { ProjectionType: 'ALL' },
    ...(i.ProvisionedThroughput ? { ProvisionedThroughput: i.ProvisionedThroughput } : {}),
  });
  const provisioned = p.BillingMode === 'PROVISIONED' || (p.BillingMode === undefined && p.ProvisionedThroughput);
  return {
    TableName: table.ref,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    ...(provisioned
      ? { ProvisionedThroughput: p.ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }
      : { BillingMode: 'PAY_PER_REQUEST' }),
    ...(p.GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map(index) } : {}),
    ...(p.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes.map(index) } : {}),
  };
}
