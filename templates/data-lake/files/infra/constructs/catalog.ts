import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { COLUMNS } from '../../src/lib/columns.js';
import { EARLIEST_PARTITION, locationTemplate, PARTITION_COLUMN, PARTITION_FORMAT, PROJECTION_RANGE_END, TABLE_PREFIX } from '../../src/lib/layout.js';
import { bytesScannedCutoff, glueName, type Options } from '../config.js';
import { SAMPLE_QUERIES } from '../queries.js';
import { ATHENA_RESULTS_PREFIX, type Zones } from './zones.js';

export const RAW_TABLE = 'raw_events';
export const CURATED_TABLE = 'curated_events';

export interface CatalogProps {
  options: Options;
  stackName: string;
  zones: Zones;
}

export interface Catalog {
  database: glue.CfnDatabase;
  databaseName: string;
  rawTable: glue.CfnTable;
  curatedTable: glue.CfnTable;
  workGroup: athena.CfnWorkGroup;
  namedQueries: athena.CfnNamedQuery[];
}

// How Hive-compatible engines (Athena, Glue, EMR, Redshift Spectrum) read each format.
const TEXT_INPUT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';
// The Hive JSON SerDe, not the OpenX one: Athena's documentation warns that the OpenX SerDe can return
// non-deterministic results (more or fewer rows, unexpected nulls) and names the Hive SerDe as the fix.
// It parses `yyyy-MM-dd HH:mm:ss.SSS` timestamps as written by src/lib/events.ts, and reads `.gz`
// files as gzip by their extension.
const JSON_SERDE = 'org.apache.hive.hcatalog.data.JsonSerDe';
const PARQUET_INPUT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
const PARQUET_OUTPUT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

/**
 * Partition projection on `dt`: Athena computes the partitions of a query from these properties
 * (every day from EARLIEST_PARTITION to one day past now, in UTC) and their folders from the
 * template, instead of reading them from the catalog. New dates are visible as soon as their
 * objects exist: no crawler, no MSCK REPAIR TABLE, no ALTER TABLE ADD PARTITION.
 */
export function projectionParameters(bucket: s3.IBucket): Record<string, string> {
  return {
    'projection.enabled': 'true',
    [`projection.${PARTITION_COLUMN}.type`]: 'date',
    [`projection.${PARTITION_COLUMN}.format`]: PARTITION_FORMAT,
    [`projection.${PARTITION_COLUMN}.range`]: `${EARLIEST_PARTITION},${PROJECTION_RANGE_END}`,
    [`projection.${PARTITION_COLUMN}.interval`]: '1',
    [`projection.${PARTITION_COLUMN}.interval.unit`]: 'DAYS',
    'storage.location.template': locationTemplate(bucket.bucketName),
  };
}

/**
 * The Glue database and the two tables (L1 resources: the Glue L2 constructs are still an alpha
 * module), and the Athena workgroup with the sample queries.
 */
export function addCatalog(scope: Construct, { options, stackName, zones }: CatalogProps): Catalog {
  const stack = Stack.of(scope);
  const databaseName = glueName(stackName);
  const database = new glue.CfnDatabase(scope, 'Database', {
    catalogId: stack.account,
    databaseInput: { name: databaseName, description: `${stackName}: the data lake's raw and curated events` },
  });

  const columns = COLUMNS.map(({ name, type, comment }) => ({ name, type, comment }));
  const table = (id: string, name: string, description: string, bucket: s3.IBucket, format: 'json' | 'json-gzip' | 'parquet') => {
    const parquet = format === 'parquet';
    const resource = new glue.CfnTable(scope, id, {
      catalogId: stack.account,
      databaseName,
      tableInput: {
        name,
        description,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: PARTITION_COLUMN, type: 'string', comment: `The event's date (UTC), ${PARTITION_FORMAT}: filter on it to read only those days` }],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: parquet ? 'parquet' : 'json',
          ...(format === 'json-gzip' ? { compressionType: 'gzip' } : {}),
          ...projectionParameters(bucket),
        },
        storageDescriptor: {
          columns,
          location: `s3://${bucket.bucketName}/${TABLE_PREFIX}`,
          inputFormat: parquet ? PARQUET_INPUT : TEXT_INPUT,
          outputFormat: parquet ? PARQUET_OUTPUT : TEXT_OUTPUT,
          serdeInfo: { serializationLibrary: parquet ? PARQUET_SERDE : JSON_SERDE },
        },
      },
    });
    resource.node.addDependency(database);
    return resource;
  };
  const rawTable = table('RawEventsTable', RAW_TABLE, 'Events as the ingestion function accepted them (JSON Lines)', zones.raw, 'json');
  const curatedTable = table(
    'CuratedEventsTable',
    CURATED_TABLE,
    options.curatedFormat === 'parquet' ? 'Events converted to Parquet by the transform function' : 'Events as gzip-compressed JSON Lines, written by the transform function',
    zones.curated,
    options.curatedFormat === 'parquet' ? 'parquet' : 'json-gzip',
  );

  // The workgroup analysts run queries in. Its settings override the client's (enforced), so every
  // query's results go encrypted to the analytics zone, every query stops at the scan limit, and
  // every query reports CloudWatch metrics (data scanned, run time) per workgroup.
  const workGroup = new athena.CfnWorkGroup(scope, 'WorkGroup', {
    name: stackName,
    description: `${stackName}: queries over the data lake's ${databaseName} database`,
    state: 'ENABLED',
    // Deleting the stack deletes the workgroup even though it has named queries and query history.
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: bytesScannedCutoff(options),
      requesterPaysEnabled: false,
      engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      resultConfiguration: {
        outputLocation: `s3://${zones.analytics.bucketName}/${ATHENA_RESULTS_PREFIX}`,
        expectedBucketOwner: stack.account,
        encryptionConfiguration: zones.key ? { encryptionOption: 'SSE_KMS', kmsKey: zones.key.keyArn } : { encryptionOption: 'SSE_S3' },
      },
    },
  });

  const namedQueries = SAMPLE_QUERIES.map(({ name, description, sql }) => {
    const query = new athena.CfnNamedQuery(scope, `Query-${name}`, { name, description, database: databaseName, queryString: sql, workGroup: workGroup.ref });
    query.node.addDependency(database);
    return query;
  });

  return { database, databaseName, rawTable, curatedTable, workGroup, namedQueries };
}
