import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

export interface LocalS3 {
  endpoint: string;
  /** A client wired to the emulator explicitly, independent of the handlers' configuration. */
  client: S3Client;
  stop(): Promise<void>;
}

/** s3rver only accepts these credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Starts s3rver in this process on a free port, with `buckets` created, storing in a temporary folder. */
export async function startS3rver(buckets: string[]): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    // s3rver stores aws-chunked framing literally: send plain bodies, as the handlers do with WHEN_REQUIRED.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Points every AWS SDK client created from now on at the emulator, with its credentials, the way
 * the Lambda runtime configures them from the environment, and gives the functions their settings
 * (as the stack does) and their flags without AppConfig. Call it before importing a handler:
 * handlers read their settings at load time.
 */
export function useEmulatorEnvironment(endpoint: string, env: Record<string, string>): void {
  const flagStore = ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE'];
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...flagStore]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_SERVICE_NAME: 'fanout-test',
    POWERTOOLS_METRICS_NAMESPACE: 'fanout-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // No AppConfig here: the functions read their flags from SPROUT_FLAGS, as the stack first writes them.
    SPROUT_FLAGS: encodeEnv(initialFlags),
    ...env,
  });
}

/** Uploads `body` and returns its ETag without quotes, as S3 events carry it. */
export async function upload(client: S3Client, bucket: string, key: string, body: Buffer, contentType = 'image/jpeg'): Promise<string> {
  const { ETag } = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  return (ETag ?? '').replace(/"/g, '');
}

/** Every key in `bucket`, sorted. */
export async function listKeys(client: S3Client, bucket: string): Promise<string[]> {
  const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return Contents.map((object) => object.Key!).sort();
}

export async function download(client: S3Client, bucket: string, key: string): Promise<{ body: Buffer; contentType?: string; metadata: Record<string, string>; lastModified?: Date }> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    body: Buffer.from(await response.Body!.transformToByteArray()),
    ...(response.ContentType ? { contentType: response.ContentType } : {}),
    metadata: response.Metadata ?? {},
    ...(response.LastModified ? { lastModified: response.LastModified } : {}),
  };
}
