import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export const INPUT_BUCKET = 'corpus-input';
export const RESULTS_BUCKET = 'corpus-results';

export interface LocalS3 {
  endpoint: string;
  /** A client wired to the emulator explicitly, independent of the handlers' configuration. */
  client: S3Client;
  /** Object writes s3rver saw, per bucket, in order (s3rver emits an event for each PUT, POST and copy). */
  writes: Record<string, string[]>;
  put(bucket: string, key: string, body: string | Buffer): Promise<string>;
  delete(bucket: string, key: string): Promise<void>;
  text(bucket: string, key: string): Promise<string>;
  json<T>(bucket: string, key: string): Promise<T>;
  keys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver in this process on a free port (objects in a temporary folder), with the input and
 * results buckets, and points the AWS SDK clients the handlers create at it (AWS_ENDPOINT_URL_S3,
 * read when a client is created: import the handlers after this).
 */
export async function startS3rver(): Promise<LocalS3> {
  const buckets = [INPUT_BUCKET, RESULTS_BUCKET];
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ENDPOINT_URL_S3 = endpoint;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    // s3rver accepts only these credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const writes: Record<string, string[]> = Object.fromEntries(buckets.map((b) => [b, []]));
  server.on('event', (event: { Records: Array<{ eventName: string; s3: { bucket: { name: string }; object: { key: string } } }> }) => {
    for (const record of event.Records) if (record.eventName.startsWith('ObjectCreated:')) writes[record.s3.bucket.name]?.push(record.s3.object.key);
  });

  const text = async (bucket: string, key: string) => (await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString('utf-8')) ?? '';
  return {
    endpoint,
    client,
    writes,
    async put(bucket, key, body) {
      const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
      return put.ETag ?? '';
    },
    async delete(bucket, key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    text,
    async json(bucket, key) {
      return JSON.parse(await text(bucket, key));
    },
    async keys(bucket, prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ContinuationToken }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        ContinuationToken = page.NextContinuationToken;
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
