/**
 * Sizes, times and limits shared by the stack (infra/constructs/) and the functions, so the
 * memory, the timeouts and the largest inputs the functions accept always agree.
 */

/** The ingestion function: validates a batch and writes one raw object per event date. */
export const INGEST_MEMORY_MB = 512;
export const INGEST_TIMEOUT_SECONDS = 30;

/**
 * Events per invocation. Lambda's synchronous invocation payload is at most 6 MB, so a batch is
 * bounded by that too; 1,000 events of a few hundred bytes stay far below it.
 */
export const MAX_EVENTS_PER_BATCH = 1_000;

/** The transform function: reads one raw object and writes its curated copy. */
export const TRANSFORM_MEMORY_MB = 1024;
export const TRANSFORM_TIMEOUT_SECONDS = 60;

/**
 * The largest raw object the transform accepts: 64 MiB. The ingestion function never writes more
 * than one 6 MB batch into an object; anything larger was put there by hand, and is refused before
 * it is downloaded (its event ends in the failed-events queue).
 */
export const MAX_RAW_OBJECT_BYTES = 64 * 1024 * 1024;

/** Lambda's retries of a failed asynchronous invocation of the transform (0 to 2). */
export const TRANSFORM_RETRY_ATTEMPTS = 2;

/** How long an S3 event may wait in Lambda's asynchronous queue before it goes to the failed-events queue. */
export const TRANSFORM_MAX_EVENT_AGE_SECONDS = 6 * 3600;

/** Athena query results in the analytics zone are deleted after this many days. */
export const ATHENA_RESULTS_RETENTION_DAYS = 30;

/** Server access logs of the zone buckets are deleted after this many days. */
export const ACCESS_LOG_RETENTION_DAYS = 90;

/** Curated objects move to S3 Intelligent-Tiering after this many days (objects under 128 KB stay where they are). */
export const CURATED_INTELLIGENT_TIERING_DAYS = 30;
