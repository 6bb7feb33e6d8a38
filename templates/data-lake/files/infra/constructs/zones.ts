import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_PREFIX } from '../../src/lib/layout.js';
import { ACCESS_LOG_RETENTION_DAYS, ATHENA_RESULTS_RETENTION_DAYS, CURATED_INTELLIGENT_TIERING_DAYS } from '../../src/lib/settings.js';
import type { Options } from '../config.js';

/** Where Athena writes query results in the analytics zone. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

export interface ZonesProps {
  options: Options;
  /** The stack name, for the key's alias. */
  stackName: string;
}

export interface Zones {
  raw: s3.Bucket;
  curated: s3.Bucket;
  analytics: s3.Bucket;
  accessLogs: s3.Bucket;
  /** The customer-managed key of the zones and Athena's results (encryption: sse-kms), or none (sse-s3). */
  key?: kms.Key;
  /** Lets `grantee` have S3 call KMS for it on `bucket`'s objects (nothing with sse-s3). */
  grantKey(grantee: iam.IGrantable, bucket: s3.Bucket, actions: Array<'kms:Decrypt' | 'kms:GenerateDataKey'>): void;
}

/**
 * The three zones and the bucket their access logs go to, added straight into `scope` so the
 * logical ids stay stable:
 * - raw: what the ingestion function accepted, as it arrived (JSON Lines), kept `rawRetentionDays`;
 * - curated: the transform's Parquet (or gzip JSON Lines) copy, the zone analysts query;
 * - analytics: Athena's query results (the workgroup's enforced location) and anything analysts
 *   write from queries (CTAS, UNLOAD) under other prefixes.
 * Every bucket blocks public access, refuses plain HTTP and TLS before 1.2, disables ACLs and is
 * encrypted. Raw and curated hold the data, so they, the analytics zone and the logs outlive the
 * stack (`cdk destroy` leaves them; the README shows how to delete them).
 */
export function addZones(scope: Construct, { options, stackName }: ZonesProps): Zones {
  // One key for the three zones and Athena's results, rotated yearly by KMS. Retained: deleting it
  // would make every object it encrypted unreadable (KMS waits 7 to 30 days, then it is gone).
  const key =
    options.encryption === 'sse-kms'
      ? new kms.Key(scope, 'DataKey', {
          description: `${stackName}: encrypts the data lake's raw, curated and analytics zones and Athena's query results`,
          enableKeyRotation: true,
          alias: `alias/${stackName}/data-lake`,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;

  // S3 server access logs: who read or wrote which object, when. Log delivery writes only to a
  // bucket encrypted with S3-managed keys (SSE-KMS is not supported for the target bucket), so this
  // bucket uses SSE-S3 whatever `encryption` says. (cdk-nag does not ask a log target to log itself.)
  const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const zone = (id: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) =>
    new s3.Bucket(scope, id, {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      ...(key
        ? // A bucket key: S3 asks KMS for a key per bucket for a while instead of one per object,
          // which cuts KMS requests (and their cost) by up to 99%.
          { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: logPrefix,
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }, ...lifecycleRules],
      removalPolicy: RemovalPolicy.RETAIN,
    });

  const raw = zone(
    'Raw',
    'raw/',
    options.rawRetentionDays > 0 ? [{ id: 'expire-raw-events', prefix: TABLE_PREFIX, expiration: Duration.days(options.rawRetentionDays) }] : [],
  );
  // Older curated data is read less often: Intelligent-Tiering moves objects nobody read for 30 days
  // to a cheaper tier and back on the next read, with no retrieval fee (objects under 128 KB stay put).
  const curated = zone('Curated', 'curated/', [
    { id: 'intelligent-tiering', prefix: TABLE_PREFIX, transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(CURATED_INTELLIGENT_TIERING_DAYS) }] },
  ]);
  // Query results are a cache of answers, not data: Athena can reuse them (result reuse) while they exist.
  const analytics = zone('Analytics', 'analytics/', [{ id: 'expire-athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(ATHENA_RESULTS_RETENTION_DAYS) }]);

  return {
    raw,
    curated,
    analytics,
    accessLogs,
    ...(key ? { key } : {}),
    grantKey(grantee, bucket, actions) {
      if (!key) return;
      // Only through S3 in this region, and only for this bucket's objects: with a bucket key the
      // encryption context S3 passes to KMS is the bucket's ARN.
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions,
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${Stack.of(scope).region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn },
          },
        }),
      );
    },
  };
}
