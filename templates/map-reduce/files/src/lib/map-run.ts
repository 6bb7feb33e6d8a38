import { InvalidMapRunError } from './errors.js';

/**
 * The Distributed Map's result writer output, as Step Functions writes it to S3
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
 *
 * - <prefix>/<map run id>/manifest.json:
 *   { "DestinationBucket", "MapRunArn", "ResultFiles": { "SUCCEEDED": [{ "Key", "Size" }…],
 *     "FAILED": […], "PENDING": […] } }
 * - each result file (SUCCEEDED_0.json, FAILED_0.json…, a new one every 5 GB): a JSON array of
 *   child workflow executions, each with ExecutionArn, Name, Status, StartDate, StopDate, Input
 *   (the item, as a JSON string), Output (the child's output, a JSON string; SUCCEEDED only),
 *   Error and Cause (failed ones), and more fields this code ignores.
 *
 * The Map state's own output is only { MapRunArn, ResultWriterDetails: { Bucket, Key } }: the key of
 * the manifest, whatever the number of items.
 */
export interface Manifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<string, ResultFile[]>;
}

export interface ResultFile {
  Key: string;
  Size: number;
}

export interface ChildExecution {
  ExecutionArn?: string;
  Name?: string;
  Status: string;
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseManifest(text: string): Manifest {
  const manifest: unknown = JSON.parse(text);
  if (!isObject(manifest) || typeof manifest.MapRunArn !== 'string' || !isObject(manifest.ResultFiles)) {
    throw new InvalidMapRunError('manifest.json has no MapRunArn or ResultFiles');
  }
  for (const [status, files] of Object.entries(manifest.ResultFiles)) {
    if (!Array.isArray(files) || !files.every((f) => isObject(f) && typeof f.Key === 'string')) {
      throw new InvalidMapRunError(`manifest.json: ResultFiles.${status} is not a list of { Key, Size }`);
    }
  }
  return manifest as unknown as Manifest;
}

export function parseResultFile(text: string, key: string): ChildExecution[] {
  const records: unknown = JSON.parse(text);
  if (!Array.isArray(records) || !records.every((r) => isObject(r) && typeof r.Status === 'string')) {
    throw new InvalidMapRunError(`${key} is not a JSON array of child workflow executions`);
  }
  return records as ChildExecution[];
}

/** A JSON string field of a record (Input, Output), parsed; undefined when absent or not JSON. */
export function parseJsonField(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
