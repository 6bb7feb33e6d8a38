import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';
import { encodeKeyAsS3 } from './events.js';

export interface LocalS3 {
  endpoint: string;
  /** A client wired to the emulator explicitly, independent of the handler's configuration. */
  client: S3Client;
  /** Object writes s3rver saw, per bucket (s3rver emits an event for each PUT, POST and copy). */
  writes: Record<string, string[]>;
  /** Calls `listener` with each ObjectCreated notification, as S3 would send it (key encoded). */
  onObjectCreated(listener: (event: S3Event) => void): () => void;
  text(bucket: string, key: string): Promise<string>;
  bytes(bucket: string, key: string): Promise<Uint8Array>;
  head(bucket: string, key: string): Promise<{ eTag: string; lastModified: Date } | undefined>;
  keys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts s3rver in this process on a free port, storing objects in a temporary folder. */
export async function startS3rver(buckets: string[]): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    // s3rver accepts only these credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver stores aws-chunked framing literally; plain bodies need checksums only when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const writes: Record<string, string[]> = Object.fromEntries(buckets.map((b) => [b, []]));
  const listeners = new Set<(event: S3Event) => void>();
  server.on('event', (event: S3Event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      writes[record.s3.bucket.name]?.push(record.s3.object.key);
      // s3rver puts the raw key in its events; S3 form-URL-encodes it. Send what S3 would.
      const encoded = { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encodeKeyAsS3(record.s3.object.key) } } };
      for (const listener of listeners) listener({ Records: [encoded] });
    }
  });

  return {
    endpoint,
    client,
    writes,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async text(bucket, key) {
      return (await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '';
    },
    async bytes(bucket, key) {
      return (await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray()) ?? new Uint8Array();
    },
    async head(bucket, key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { eTag: head.ETag ?? '', lastModified: head.LastModified ?? new Date(0) };
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async keys(bucket, prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken, ...(prefix ? { Prefix: prefix } : {}) }));
        keys.push(...(listed.Contents ?? []).map((object) => object.Key ?? ''));
        ContinuationToken = listed.NextContinuationToken;
      } while (ContinuationToken);
      return keys.sort();
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Points every AWS SDK client created from now on at s3rver, the way the Lambda runtime configures
 * them from the environment, and gives the function its settings and its flags without AppConfig.
 * Call it before importing the handler: it reads them at load time.
 */
export function useEmulatorEnvironment(endpoint: string, env: Record<string, string>): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_SERVICE_NAME: 'data-lake-test',
    POWERTOOLS_METRICS_NAMESPACE: 'data-lake-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // No AppConfig here: the function reads its flags from SPROUT_FLAGS, as the stack first writes them.
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}
