import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { contentTypeOf } from '../../edge/release-files.js';
import type { DevLog, ResolvedApp, ResolvedResource } from '../types.js';

/**
 * Custom::CDKBucketDeployment done locally, as CDK's handler does it: each source asset is
 * "extracted" (a folder asset of cdk.out is already the zip's content), its deploy-time markers
 * (Source.jsonData / Source.data with tokens) are replaced by their resolved values, then the
 * whole is synced to the destination bucket under DestinationBucketKeyPrefix with aws s3 sync's
 * filters (Exclude then Include, the later match winning), --delete when Prune is true (excluded
 * keys are never deleted), and the system/user metadata on every object.
 */

export interface S3Like {
  send(command: unknown): Promise<any>;
}

export interface DeployBucketsOptions {
  app: ResolvedApp;
  /** An S3 client (s3rver) or the s3rver endpoint to make one for. */
  s3: S3Like | string;
  log: DevLog;
  /** Turns a resolved deploy-time value (an API's execute-api URL...) into what works locally; default: as is. */
  localize?: (value: string) => string;
}

export interface DeploymentResult {
  logicalId: string;
  bucket: string;
  prefix: string;
  uploaded: string[];
  deleted: string[];
  skipped: string[];
}

export async function deployBuckets(options: DeployBucketsOptions): Promise<DeploymentResult[]> {
  const sdk = await import('@aws-sdk/client-s3');
  let client: S3Like;
  let owned: { destroy(): void } | undefined;
  if (typeof options.s3 === 'string') {
    const { S3RVER_CREDENTIALS } = await import('../emulators.js');
    const made = new sdk.S3Client({ endpoint: options.s3, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    client = { send: (command) => made.send(command as never) };
    owned = made;
  } else {
    client = options.s3;
  }
  try {
    const results: DeploymentResult[] = [];
    for (const resource of options.app.ofType('Custom::CDKBucketDeployment')) results.push(await deployOne(resource, options, client, sdk));
    return results;
  } finally {
    owned?.destroy();
  }
}

type Sdk = typeof import('@aws-sdk/client-s3');

async function deployOne(resource: ResolvedResource, options: DeployBucketsOptions, s3: S3Like, sdk: Sdk): Promise<DeploymentResult> {
  const p = resource.properties;
  const bucket = String(p['DestinationBucketName']);
  const prefix = normalizePrefix(typeof p['DestinationBucketKeyPrefix'] === 'string' ? p['DestinationBucketKeyPrefix'] : '');
  const result: DeploymentResult = { logicalId: resource.logicalId, bucket, prefix, uploaded: [], deleted: [], skipped: [] };
  const keys = (p['SourceObjectKeys'] ?? []) as string[];
  const markers = (p['SourceMarkers'] ?? []) as Array<Record<string, unknown>>;
  const markersConfig = (p['SourceMarkersConfig'] ?? []) as Array<{ jsonEscape?: boolean | string }>;
  const extract = p['Extract'] !== false && p['Extract'] !== 'false';
  const filters = [...((p['Exclude'] ?? []) as string[]).map((pattern) => ({ pattern, include: false })), ...((p['Include'] ?? []) as string[]).map((pattern) => ({ pattern, include: true }))];
  const included = (path: string) => filters.reduce((ok, f) => (globMatches(f.pattern, path) ? f.include : ok), true);

  // The merged content: relative path → bytes (a later source overwrites an earlier one, as in one folder).
  const files = new Map<string, Buffer>();
  for (const [index, key] of keys.entries()) {
    const dir = options.app.assetDir(key);
    if (!dir) {
      result.skipped.push(key);
      options.log({ kind: 'warning', source: resource.logicalId, message: `bucket deployment source ${key} is not a folder asset of cdk.out: not copied locally` });
      continue;
    }
    const replacements = markerReplacements(markers[index] ?? {}, markersConfig[index] ?? {}, options, resource.logicalId);
    if (!extract) {
      // Extract: false uploads the archive itself; locally the folder is what we have, so its files are copied under the zip's name.
      options.log({ kind: 'warning', source: resource.logicalId, message: `Extract: false is not emulated for ${key}: its files are copied extracted` });
    }
    for (const file of await walk(dir)) {
      let content: Buffer = await readFile(join(dir, file));
      if (replacements.length) content = replaceAll(content, replacements);
      files.set(file, content);
    }
  }

  const systemMetadata = (p['SystemMetadata'] ?? {}) as Record<string, string>;
  const userMetadata = (p['UserMetadata'] ?? {}) as Record<string, string>;
  const uploaded = new Set<string>();
  for (const [file, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!included(file)) continue;
    const key = `${prefix}${file}`;
    await s3.send(
      new sdk.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: content,
        ContentType: systemMetadata['content-type'] ?? contentTypeOf(file),
        ...(systemMetadata['cache-control'] ? { CacheControl: systemMetadata['cache-control'] } : {}),
        ...(systemMetadata['content-disposition'] ? { ContentDisposition: systemMetadata['content-disposition'] } : {}),
        ...(systemMetadata['content-encoding'] ? { ContentEncoding: systemMetadata['content-encoding'] } : {}),
        ...(systemMetadata['content-language'] ? { ContentLanguage: systemMetadata['content-language'] } : {}),
        ...(Object.keys(userMetadata).length ? { Metadata: userMetadata } : {}),
      }),
    );
    uploaded.add(key);
    result.uploaded.push(key);
  }

  if (p['Prune'] !== false && p['Prune'] !== 'false') {
    let token: string | undefined;
    do {
      const page = await s3.send(new sdk.ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of (page.Contents ?? []) as Array<{ Key: string }>) {
        const relativeKey = object.Key.slice(prefix.length);
        if (uploaded.has(object.Key) || !included(relativeKey)) continue;
        await s3.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
        result.deleted.push(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  options.log({ kind: 'info', source: resource.logicalId, message: `deployed ${result.uploaded.length} file(s) to s3://${bucket}/${prefix}${result.deleted.length ? `, pruned ${result.deleted.length}` : ''}` });
  return result;
}

function markerReplacements(markers: Record<string, unknown>, config: { jsonEscape?: boolean | string }, options: DeployBucketsOptions, source: string): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = [];
  for (const [marker, raw] of Object.entries(markers)) {
    if (typeof raw !== 'string') {
      options.log({ kind: 'warning', source, message: `deploy-time value for ${marker} has no local value (${JSON.stringify(raw)}): left as the marker` });
      continue;
    }
    const value = options.localize ? options.localize(raw) : raw;
    // jsonEscape: the value goes inside a JSON string (Source.jsonData), so it is escaped as one.
    const text = config.jsonEscape === true || config.jsonEscape === 'true' ? JSON.stringify(value).slice(1, -1) : value;
    out.push([Buffer.from(marker), Buffer.from(text)]);
  }
  return out;
}

function replaceAll(content: Buffer, replacements: Array<[Buffer, Buffer]>): Buffer {
  let current = content;
  for (const [marker, value] of replacements) {
    if (current.indexOf(marker) < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = current.indexOf(marker); at >= 0; at = current.indexOf(marker, from)) {
      parts.push(current.subarray(from, at), value);
      from = at + marker.length;
    }
    parts.push(current.subarray(from));
    current = Buffer.concat(parts);
  }
  return current;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  await visit(dir);
  return out;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed && !trimmed.endsWith('/') ? `${trimmed}/` : trimmed;
}

/** aws s3 sync's filter patterns (fnmatch): `*` matches any run of characters, "/" included; `?` one; [seq]. */
export function globMatches(pattern: string, path: string): boolean {
  let regex = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') regex += '.*';
    else if (c === '?') regex += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) regex += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        regex += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else regex += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${regex}$`, 's').test(path);
}

