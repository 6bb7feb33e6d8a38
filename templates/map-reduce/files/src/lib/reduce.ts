import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classify, InvalidMapRunError } from './errors.js';
import { bareETag, type MapItem, type MapResult, type PartialCounts } from './job.js';
import { type ChildExecution, parseJsonField, parseManifest, parseResultFile } from './map-run.js';
import { MAP_RUNS_PREFIX, OUTPUT_PREFIX, PARTIALS_PREFIX, REDUCER_READ_CONCURRENCY, TOP_WORDS } from './settings.js';
import { STOP_WORDS } from './stop-words.js';
import { sortedCounts } from './words.js';

/** What the Reduce task passes the reducer (its Parameters in the state machine). */
export interface ReduceInput {
  /** The Map state's ResultWriterDetails: where manifest.json is. */
  manifest: { Bucket: string; Key: string };
  mapRunArn: string;
  /** The execution's name: the job's name, and its output folder. */
  job: string;
  /** The execution's start time ($$.Execution.StartTime). */
  startedAt: string;
}

export interface ReduceDependencies {
  s3: S3Client;
  resultsBucket: string;
  /** The sample flag, for this job. */
  excludeStopWords: (job: string) => Promise<boolean>;
  readConcurrency?: number;
}

/** An input object the job has no counts for. */
export interface MissingObject {
  /** The input key, read from the child execution's Input (absent only if the Input was not the item). */
  key?: string;
  eTag?: string;
  /** The child execution's status: FAILED, TIMED_OUT, ABORTED, or PENDING for items the Map run never started. */
  status: string;
  error?: string;
  cause?: string;
  execution?: string;
}

/** The final output object, output/<job>/word-counts.json. */
export interface WordCountOutput {
  job: string;
  startedAt: string;
  mapRunArn: string;
  /** True when every listed object was counted or skipped: nothing is missing. */
  complete: boolean;
  settings: { excludeStopWords: boolean };
  objects: {
    /** Objects the item reader listed (one child execution each): counted + skipped + missing. */
    listed: number;
    counted: number;
    /** Counted by an earlier attempt or job (the partial result existed). */
    reused: number;
    skipped: Array<{ key: string; reason: string }>;
    missing: MissingObject[];
  };
  totalWords: number;
  distinctWords: number;
  /** Runs of letters too long to be words, over all counted objects. */
  tooLong: number;
  /** Occurrences left out because exclude-stop-words was on. */
  excludedStopWords: number;
  top: Array<{ word: string; count: number }>;
  counts: Record<string, number>;
}

/** What the reducer returns: the execution's output. The counts are in the output object only. */
export interface ReduceResult {
  output: { bucket: string; key: string };
  complete: boolean;
  totalWords: number;
  distinctWords: number;
  objects: { listed: number; counted: number; reused: number; skipped: number; missing: number };
}

export const outputKey = (job: string): string => `${OUTPUT_PREFIX}${job}/word-counts.json`;

/**
 * The reduce step: reads the result writer's manifest and result files, sums the partial counts
 * of every child that succeeded, names every input object that has none (from the FAILED and
 * PENDING files), and writes one output object. Deterministic for a given map run and flag value,
 * under a key made of the job's name: a retry rewrites the same object.
 */
export async function reduce(input: ReduceInput, deps: ReduceDependencies): Promise<ReduceResult> {
  const { Bucket, Key } = input.manifest ?? {};
  // Only this job's result writer output: the function may read nothing else anyway (IAM).
  if (Bucket !== deps.resultsBucket || typeof Key !== 'string' || !Key.startsWith(`${MAP_RUNS_PREFIX}/`) || !Key.endsWith('/manifest.json')) {
    throw new InvalidMapRunError(`expected s3://${deps.resultsBucket}/${MAP_RUNS_PREFIX}/…/manifest.json, got s3://${Bucket}/${Key}`);
  }
  const manifest = parseManifest(await readText(deps.s3, Bucket, Key));

  const counted = new Map<string, Extract<MapResult, { status: 'counted' }>>();
  const skipped: Array<{ key: string; reason: string }> = [];
  const missing: MissingObject[] = [];
  // SUCCEEDED first, so a later status of an object already counted (a redriven map run) is not reported missing.
  const statuses = Object.keys(manifest.ResultFiles).sort((a, b) => (a === 'SUCCEEDED' ? -1 : b === 'SUCCEEDED' ? 1 : a.localeCompare(b)));
  for (const status of statuses) {
    for (const file of manifest.ResultFiles[status] ?? []) {
      for (const record of parseResultFile(await readText(deps.s3, Bucket, file.Key), file.Key)) {
        const result = record.Status === 'SUCCEEDED' ? (parseJsonField(record.Output) as MapResult | undefined) : undefined;
        if (result?.status === 'counted') {
          // The same object version twice (a redriven map run): counted once, as first recorded.
          if (!counted.has(identity(result.key, result.eTag))) counted.set(identity(result.key, result.eTag), result);
        }
        else if (result?.status === 'skipped') skipped.push({ key: result.key, reason: result.reason });
        else missing.push(missingObject(record));
      }
    }
  }
  const stillMissing = missing.filter((m) => !(m.key !== undefined && m.eTag !== undefined && counted.has(identity(m.key, m.eTag))));
  const listed = counted.size + skipped.length + stillMissing.length;

  const excludeStopWords = await deps.excludeStopWords(input.job);
  const totals = new Map<string, number>();
  let tooLong = 0;
  await forEachLimited([...counted.values()], deps.readConcurrency ?? REDUCER_READ_CONCURRENCY, async (pointer) => {
    if (!pointer.partialKey.startsWith(PARTIALS_PREFIX)) throw new InvalidMapRunError(`${pointer.key}: the partial result is not under ${PARTIALS_PREFIX}`);
    const partial = JSON.parse(await readText(deps.s3, deps.resultsBucket, pointer.partialKey)) as PartialCounts;
    if (partial.source?.key !== pointer.key || partial.source?.eTag !== bareETag(pointer.eTag)) {
      throw new InvalidMapRunError(`${pointer.partialKey} holds the counts of ${partial.source?.key} (${partial.source?.eTag}), not of ${pointer.key} (${pointer.eTag})`);
    }
    tooLong += partial.tooLong ?? 0;
    for (const [word, count] of Object.entries(partial.counts)) totals.set(word, (totals.get(word) ?? 0) + count);
  });

  let excludedStopWords = 0;
  if (excludeStopWords) {
    for (const word of STOP_WORDS) {
      excludedStopWords += totals.get(word) ?? 0;
      totals.delete(word);
    }
  }
  let totalWords = 0;
  for (const count of totals.values()) totalWords += count;
  const top = [...totals.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_WORDS)
    .map(([word, count]) => ({ word, count }));
  const pointers = [...counted.values()];

  const output: WordCountOutput = {
    job: input.job,
    startedAt: input.startedAt,
    mapRunArn: input.mapRunArn,
    complete: stillMissing.length === 0,
    settings: { excludeStopWords },
    objects: {
      listed,
      counted: pointers.length,
      reused: pointers.filter((p) => p.reused).length,
      skipped: skipped.sort((a, b) => a.key.localeCompare(b.key)),
      missing: stillMissing.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '')),
    },
    totalWords,
    distinctWords: totals.size,
    tooLong,
    excludedStopWords,
    top,
    counts: sortedCounts(totals),
  };
  const key = outputKey(input.job);
  const json = `${JSON.stringify(output, null, 2)}\n`;
  try {
    await deps.s3.send(new PutObjectCommand({ Bucket: deps.resultsBucket, Key: key, Body: json, ContentLength: Buffer.byteLength(json), ContentType: 'application/json' }));
  } catch (error) {
    classify(error, `writing s3://${deps.resultsBucket}/${key}`);
  }
  return {
    output: { bucket: deps.resultsBucket, key },
    complete: output.complete,
    totalWords,
    distinctWords: output.distinctWords,
    objects: { listed, counted: output.objects.counted, reused: output.objects.reused, skipped: skipped.length, missing: stillMissing.length },
  };
}

const identity = (key: string, eTag: string) => `${key}\n${bareETag(eTag)}`;

/** A child execution that did not count its object: which object, and why. */
function missingObject(record: ChildExecution): MissingObject {
  const item = parseJsonField(record.Input) as Partial<MapItem> | undefined;
  const cause = parseJsonField(record.Cause) as { errorMessage?: unknown } | undefined;
  return {
    ...(typeof item?.key === 'string' ? { key: item.key } : {}),
    ...(typeof item?.eTag === 'string' ? { eTag: bareETag(item.eTag) } : {}),
    // A child that "succeeded" without a pointer did not run the mapper as this code expects.
    status: record.Status === 'SUCCEEDED' ? 'SUCCEEDED_WITHOUT_RESULT' : record.Status,
    ...(record.Error ? { error: record.Error } : {}),
    // A Lambda function error's Cause is the runtime's JSON ({ errorType, errorMessage, trace }): keep the message.
    ...(record.Cause ? { cause: typeof cause?.errorMessage === 'string' ? cause.errorMessage : record.Cause } : {}),
    ...(record.ExecutionArn ? { execution: record.ExecutionArn } : {}),
  };
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    return classify(error, `reading s3://${bucket}/${key}`);
  }
}

/** Runs `work` over `items`, at most `limit` at a time; the first error stops it. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
