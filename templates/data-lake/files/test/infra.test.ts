import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_QUERIES } from '../infra/queries.js';
import { COLUMNS } from '../src/lib/columns.js';
import {
  INGEST_MEMORY_MB,
  INGEST_TIMEOUT_SECONDS,
  TRANSFORM_MAX_EVENT_AGE_SECONDS,
  TRANSFORM_MEMORY_MB,
  TRANSFORM_RETRY_ATTEMPTS,
  TRANSFORM_TIMEOUT_SECONDS,
} from '../src/lib/settings.js';
import { byPrefix, flatten, glueTable, localDatabase, localStackName, type Resource, sprout, synthStack } from './helpers/stack.js';
import { asyncConsumerProblems } from './sprout/async.js';
import type { TestApp } from './sprout/cdk-app.js';

const KMS = { encryption: 'sse-kms' };
const VARIANTS: Array<[string, Record<string, unknown>]> = [
  ['the defaults', {}],
  ['a KMS key', KMS],
  ['gzip JSON Lines', { curatedFormat: 'jsonl-gzip' }],
  ['raw data kept forever', { rawRetentionDays: 0 }],
  ['the smallest scan limit', { queryScanLimitMb: 10 }],
];

let template: Template;
let bundled: TestApp;
beforeAll(() => {
  // Bundled once, as cdk synth does: both handlers must build with the local esbuild.
  ({ template, app: bundled } = synthStack({}, { bundle: true }));
});
const variant = (options: Record<string, unknown>) => (Object.keys(options).length === 0 ? template : synthStack(options).template);

/** Every statement of a function's role, resources flattened, one action per entry, conditions appended. */
function statements(t: Template, rolePrefix: string): string[] {
  const [roleId] = byPrefix(t, 'AWS::IAM::Role', rolePrefix);
  return Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((s: { Action: string | string[]; Effect: string; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }) =>
      [s.Action].flat().flatMap((action) =>
        [s.Resource].flat().map((resource) => {
          const condition = s.Condition ? ` if ${Object.entries(s.Condition.StringEquals ?? {}).map(([k, v]) => `${k}=${flatten(v)}`).join(', ')}` : '';
          return `${s.Effect} ${action} ${flatten(resource)}${condition}`;
        }),
      ),
    )
    .sort();
}

const LOGS_AND_TRACES = (fn: string) => [`Allow logs:CreateLogStream <${fn}Logs.Arn>`, `Allow logs:PutLogEvents <${fn}Logs.Arn>`, 'Allow xray:PutTelemetryRecords *', 'Allow xray:PutTraceSegments *'];
const FLAGS = ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'].map(
  (action) =>
    `Allow ${action} arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>`,
);
const VIA_S3 = (bucket: string) => ` if kms:ViaService=s3.<AWS::Region>.amazonaws.com, kms:EncryptionContext:aws:s3:arn=<${bucket}.Arn>`;

describe('asynchronous consumers', () => {
  it.each(VARIANTS)('every one has a place for failed events, finite retries and sound timeouts (%s)', (_, options) => {
    expect(asyncConsumerProblems(variant(options))).toEqual([]);
  });

  it('retries a failed transform twice, then sends the S3 event to the encrypted failed-transforms queue, with an alarm', () => {
    const [, config] = byPrefix(template, 'AWS::Lambda::EventInvokeConfig', 'TransformFunctionEventInvokeConfig');
    expect(config.Properties).toEqual({
      FunctionName: { Ref: expect.stringMatching(/^TransformFunction/) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: TRANSFORM_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: TRANSFORM_MAX_EVENT_AGE_SECONDS,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^FailedTransforms/), 'Arn'] } } },
    });
    expect(TRANSFORM_RETRY_ATTEMPTS).toBe(2);
    expect(TRANSFORM_MAX_EVENT_AGE_SECONDS).toBe(21_600);
    expect(byPrefix(template, 'AWS::SQS::Queue', 'FailedTransforms')[1].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(byPrefix(template, 'AWS::CloudWatch::Alarm', 'FailedTransformsAlarm')[1].Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('invokes the transform for raw objects created under events/ ending in .jsonl, from the raw bucket of this account only', () => {
    const [rawId] = byPrefix(template, 'AWS::S3::Bucket', 'Raw');
    const [, notifications] = byPrefix(template, 'Custom::S3BucketNotifications', 'RawNotifications');
    expect(notifications.Properties.BucketName).toEqual({ Ref: rawId });
    expect(notifications.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jsonl' }, { Name: 'prefix', Value: 'events/' }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^TransformFunction/), 'Arn'] },
        },
      ],
    });
    expect(Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>).map((p) => p.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [expect.stringMatching(/^TransformFunction/), 'Arn'] }, Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: { 'Fn::GetAtt': [rawId, 'Arn'] } },
    ]);
  });
});

describe('the zones', () => {
  it.each(VARIANTS)('are four private, TLS 1.2-only, ACL-free buckets that outlive the stack (%s)', (_, options) => {
    const t = variant(options);
    const buckets = t.findResources('AWS::S3::Bucket') as Record<string, Resource>;
    expect(Object.keys(buckets).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['AccessLogs', 'Analytics', 'Curated', 'Raw']);
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.DeletionPolicy, id).toBe('Retain');
      expect(bucket.Properties, id).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  it('are encrypted with S3-managed keys by default, logs included', () => {
    for (const [id, bucket] of Object.entries(template.findResources('AWS::S3::Bucket') as Record<string, Resource>)) {
      expect(bucket.Properties.BucketEncryption, id).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    }
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('are encrypted with one rotated, retained KMS key and bucket keys with sse-kms; the access-log bucket stays SSE-S3 (log delivery needs it)', () => {
    const t = variant(KMS);
    const [keyId, key] = byPrefix(t, 'AWS::KMS::Key', 'DataKey');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/${localStackName}/data-lake`, TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    for (const zone of ['Raw', 'Curated', 'Analytics']) {
      expect(byPrefix(t, 'AWS::S3::Bucket', zone)[1].Properties.BucketEncryption, zone).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } }, BucketKeyEnabled: true }],
      });
    }
    expect(byPrefix(t, 'AWS::S3::Bucket', 'AccessLogs')[1].Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
  });

  it('log access to the three zones in the access-log bucket', () => {
    const [logsId] = byPrefix(template, 'AWS::S3::Bucket', 'AccessLogs');
    for (const [zone, prefix] of [['Raw', 'raw/'], ['Curated', 'curated/'], ['Analytics', 'analytics/']] as const) {
      expect(byPrefix(template, 'AWS::S3::Bucket', zone)[1].Properties.LoggingConfiguration, zone).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: prefix });
    }
  });

  it('have lifecycle rules: raw expires after rawRetentionDays, curated tiers down, results and logs expire, uploads never linger', () => {
    const rules = (t: Template, zone: string) => byPrefix(t, 'AWS::S3::Bucket', zone)[1].Properties.LifecycleConfiguration.Rules;
    const abort = { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' };
    expect(rules(template, 'Raw')).toEqual([abort, { Id: 'expire-raw-events', Prefix: 'events/', ExpirationInDays: sprout.options.rawRetentionDays, Status: 'Enabled' }]);
    expect(rules(variant({ rawRetentionDays: 30 }), 'Raw')).toContainEqual(expect.objectContaining({ Id: 'expire-raw-events', ExpirationInDays: 30 }));
    expect(rules(variant({ rawRetentionDays: 0 }), 'Raw')).toEqual([abort]);
    expect(rules(template, 'Curated')).toEqual([abort, { Id: 'intelligent-tiering', Prefix: 'events/', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }], Status: 'Enabled' }]);
    expect(rules(template, 'Analytics')).toEqual([abort, { Id: 'expire-athena-results', Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' }]);
    expect(rules(template, 'AccessLogs')).toEqual([{ Id: 'expire-logs', ExpirationInDays: 90, Status: 'Enabled' }]);
  });
});

describe('the Glue catalog', () => {
  it('has one database named after the stack and the raw and curated tables in it', () => {
    const [databaseId, database] = byPrefix(template, 'AWS::Glue::Database', 'Database');
    const name = localDatabase;
    expect(database.Properties).toMatchObject({ CatalogId: { Ref: 'AWS::AccountId' }, DatabaseInput: { Name: name } });
    for (const [id, table] of Object.entries(template.findResources('AWS::Glue::Table') as Record<string, Resource & { DependsOn?: string[] }>)) {
      expect(table.Properties.DatabaseName, id).toBe(name);
      expect(table.DependsOn, id).toContain(databaseId);
    }
  });

  it.each([
    ['parquet', 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat', { classification: 'parquet' }],
    ['jsonl-gzip', 'org.apache.hive.hcatalog.data.JsonSerDe', 'org.apache.hadoop.mapred.TextInputFormat', { classification: 'json', compressionType: 'gzip' }],
  ])('describes the curated zone as %s', (curatedFormat, serde, inputFormat, parameters) => {
    const table = glueTable(variant({ curatedFormat }), 'curated_events').TableInput;
    expect(table.StorageDescriptor.SerdeInfo).toEqual({ SerializationLibrary: serde });
    expect(table.StorageDescriptor.InputFormat).toBe(inputFormat);
    expect(table.Parameters).toMatchObject(parameters);
    expect(flatten(table.StorageDescriptor.Location)).toBe('s3://<Curated>/events/');
  });

  it('describes the raw zone as JSON Lines read by the Hive JSON SerDe (not OpenX, which Athena documents as non-deterministic)', () => {
    const table = glueTable(template, 'raw_events').TableInput;
    expect(table.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
    });
    expect(flatten(table.StorageDescriptor.Location)).toBe('s3://<Raw>/events/');
    expect(table.TableType).toBe('EXTERNAL_TABLE');
  });

  it.each(['raw_events', 'curated_events'])('gives %s the columns of src/lib/columns.ts and projects dt as a date, with no crawler', (name) => {
    const table = glueTable(template, name).TableInput;
    expect(table.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type])).toEqual(COLUMNS.map((c) => [c.name, c.type]));
    expect(table.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
    expect({ ...table.Parameters, 'storage.location.template': flatten(table.Parameters['storage.location.template']) }).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2020-01-01,NOW+1DAYS',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `s3://<${name === 'raw_events' ? 'Raw' : 'Curated'}>/events/dt=\${dt}/`,
    });
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });
});

describe('the Athena workgroup', () => {
  it.each([
    ['the defaults', {}, { EncryptionOption: 'SSE_S3' }, 10_240],
    ['a KMS key', KMS, { EncryptionOption: 'SSE_KMS', KmsKey: '<DataKey.Arn>' }, 10_240],
    ['the smallest scan limit', { queryScanLimitMb: 10 }, { EncryptionOption: 'SSE_S3' }, 10],
  ])('enforces an encrypted result location in the analytics zone, the scan limit and metrics (%s)', (_, options, encryption, megabytes) => {
    const [, workGroup] = byPrefix(variant(options), 'AWS::Athena::WorkGroup', 'WorkGroup');
    const { ResultConfiguration, ...configuration } = workGroup.Properties.WorkGroupConfiguration;
    expect(workGroup.Properties).toMatchObject({ Name: localStackName, State: 'ENABLED', RecursiveDeleteOption: true });
    expect(configuration).toEqual({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: megabytes * 1024 * 1024,
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
    });
    expect(flatten(ResultConfiguration.OutputLocation)).toBe('s3://<Analytics>/athena-results/');
    expect(ResultConfiguration.ExpectedBucketOwner).toEqual({ Ref: 'AWS::AccountId' });
    expect(Object.fromEntries(Object.entries(ResultConfiguration.EncryptionConfiguration).map(([k, v]) => [k, flatten(v)]))).toEqual(encryption);
  });

  it('saves the README\'s sample queries as named queries on the database, in the workgroup', () => {
    const [workGroupId] = byPrefix(template, 'AWS::Athena::WorkGroup', 'WorkGroup');
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery') as Record<string, Resource>).map((q) => q.Properties);
    expect(queries).toEqual(
      SAMPLE_QUERIES.map((q) => ({ Name: q.name, Description: q.description, QueryString: q.sql, Database: localDatabase, WorkGroup: { Ref: workGroupId } })),
    );
    for (const query of SAMPLE_QUERIES) expect(query.sql, `${query.name} filters on the partition`).toMatch(/WHERE dt (=|>=)/);
  });
});

describe('the functions', () => {
  it('run on Node.js 24, arm64, traced, with the memory and timeouts their limits were chosen for', () => {
    const [rawId] = byPrefix(template, 'AWS::S3::Bucket', 'Raw');
    const [curatedId] = byPrefix(template, 'AWS::S3::Bucket', 'Curated');
    const [, ingest] = byPrefix(template, 'AWS::Lambda::Function', 'IngestFunction');
    const [, transform] = byPrefix(template, 'AWS::Lambda::Function', 'TransformFunction');
    for (const fn of [ingest, transform]) expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogGroup: expect.anything() } });
    expect(ingest.Properties).toMatchObject({ MemorySize: INGEST_MEMORY_MB, Timeout: INGEST_TIMEOUT_SECONDS });
    expect(transform.Properties).toMatchObject({ MemorySize: TRANSFORM_MEMORY_MB, Timeout: TRANSFORM_TIMEOUT_SECONDS });
    expect(ingest.Properties.Environment.Variables).toMatchObject({ RAW_BUCKET: { Ref: rawId } });
    expect(transform.Properties.Environment.Variables).toMatchObject({ CURATED_BUCKET: { Ref: curatedId }, CURATED_FORMAT: 'parquet' });
    expect(byPrefix(variant({ curatedFormat: 'jsonl-gzip' }), 'AWS::Lambda::Function', 'TransformFunction')[1].Properties.Environment.Variables.CURATED_FORMAT).toBe('jsonl-gzip');
  });

  it('may do exactly what they do: ingestion puts raw objects; the transform reads them, puts curated ones and reads its flags (sse-s3)', () => {
    expect(statements(template, 'IngestRole')).toEqual([...LOGS_AND_TRACES('Ingest'), 'Allow s3:PutObject <Raw.Arn>/events/*'].sort());
    expect(statements(template, 'TransformRole')).toEqual(
      [
        ...LOGS_AND_TRACES('Transform'),
        'Allow s3:GetObject <Raw.Arn>/events/*.jsonl',
        'Allow s3:ListBucket <Raw.Arn>',
        'Allow s3:PutObject <Curated.Arn>/events/*',
        'Allow sqs:SendMessage <FailedTransforms.Arn>',
        ...FLAGS,
      ].sort(),
    );
  });

  it('use the KMS key only through S3 and only for the bucket they touch (sse-kms)', () => {
    const t = variant(KMS);
    expect(statements(t, 'IngestRole')).toEqual([...LOGS_AND_TRACES('Ingest'), 'Allow s3:PutObject <Raw.Arn>/events/*', `Allow kms:GenerateDataKey <DataKey.Arn>${VIA_S3('Raw')}`].sort());
    expect(statements(t, 'TransformRole')).toEqual(
      [
        ...LOGS_AND_TRACES('Transform'),
        'Allow s3:GetObject <Raw.Arn>/events/*.jsonl',
        'Allow s3:ListBucket <Raw.Arn>',
        'Allow s3:PutObject <Curated.Arn>/events/*',
        `Allow kms:Decrypt <DataKey.Arn>${VIA_S3('Raw')}`,
        `Allow kms:GenerateDataKey <DataKey.Arn>${VIA_S3('Curated')}`,
        'Allow sqs:SendMessage <FailedTransforms.Arn>',
        ...FLAGS,
      ].sort(),
    );
  });

  it('bundle small: the SDK is left to the runtime and the Parquet writer (pure JavaScript) adds little', () => {
    const sizes: Record<string, number> = {};
    for (const name of ['Ingest', 'Transform']) {
      const [, fn] = byPrefix(template, 'AWS::Lambda::Function', `${name}Function`);
      const asset = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
      const file = join(bundled.outdir, `asset.${asset}`, 'index.js');
      sizes[name] = statSync(file).size;
      const code = readFileSync(file, 'utf8');
      expect(code, `${name} leaves @aws-sdk/client-s3 external`).toMatch(/require\("@aws-sdk\/client-s3"\)/);
      if (name === 'Transform') expect(code).toContain('TIMESTAMP_MILLIS');
    }
    expect(sizes.Ingest).toBeLessThan(300 * 1024);
    expect(sizes.Transform).toBeLessThan(400 * 1024);
    expect(sizes.Transform! - sizes.Ingest!, 'what hyparquet-writer and the flags client add').toBeLessThan(200 * 1024);
  });
});

describe('outputs', () => {
  it('name what a user needs to try it', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'IngestFunctionName',
        'TransformFunctionName',
        'RawBucketName',
        'CuratedBucketName',
        'AnalyticsBucketName',
        'DatabaseName',
        'WorkGroupName',
        'FailedTransformsQueueUrl',
        'FlagsApplicationId',
        'FlagsEnvironmentId',
        'FlagsProfileId',
        'FlagsDeploymentStrategyId',
      ]),
    );
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('DataKeyArn');
    expect(Object.keys(variant(KMS).toJSON().Outputs)).toContain('DataKeyArn');
  });
});
