/**
 * Numbers shared by the stack (infra/constructs/word-count-job.ts) and the handlers, so the
 * function sizes, the limits the code enforces and the README cannot drift apart.
 */

/** Where each mapper writes the counts of one input object: partials/<input key>/<ETag>.json. */
export const PARTIALS_PREFIX = 'partials/';
/**
 * The Distributed Map's result writer prefix (no trailing "/": Step Functions appends
 * /<map run id>/manifest.json and /<map run id>/SUCCEEDED_0.json…).
 */
export const MAP_RUNS_PREFIX = 'map-runs';
/** Where the reducer writes each job's final object: output/<execution name>/word-counts.json. */
export const OUTPUT_PREFIX = 'output/';

/**
 * The mapper: one full vCPU (Lambda allocates CPU in proportion to memory; 1,769 MB is one vCPU),
 * and a minute per object. Four attempts (the first and three retries of transient errors) plus
 * their backoff stay under the 5 minutes an Express child workflow may run.
 */
export const MAPPER_MEMORY_MB = 1769;
export const MAPPER_TIMEOUT_SECONDS = 60;
/**
 * The largest object one mapper counts. The object is streamed (never held in memory), so the
 * limit is time: the tokenizer ran at about 11 MB/s on one shared x86 core here (100 MiB in about
 * 10 s); Lambda's arm64 vCPU was not measured, and the minute leaves a wide margin. Split bigger
 * files, or read lines instead of objects (an S3 JSONL or CSV item reader).
 */
export const MAX_OBJECT_BYTES = 100 * 1024 * 1024;
/** A run of letters longer than this is not a word (a hash, base64, a URL without punctuation): counted as skipped. */
export const MAX_WORD_LENGTH = 64;

/** The reducer: the most Lambda allows in time, and room for the merged counts. */
export const REDUCER_MEMORY_MB = 2048;
export const REDUCER_TIMEOUT_SECONDS = 900;
/** Partial results the reducer reads at once. */
export const REDUCER_READ_CONCURRENCY = 16;
/** The most-frequent words listed first in the output object. */
export const TOP_WORDS = 25;

/** S3 refuses keys longer than 1,024 bytes (UTF-8). */
export const MAX_KEY_BYTES = 1024;
