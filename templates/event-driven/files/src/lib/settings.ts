/**
 * Sizes and times shared by the stack (infra/constructs/upload-pipeline.ts) and the function, so
 * the memory, the timeout and the largest object the function accepts always agree.
 */

/** The function's memory. Lambda gives CPU in proportion: 1,769 MB is one full vCPU. */
export const FUNCTION_MEMORY_MB = 1024;

/** The function's timeout. A 50 MiB batch downloads and parses in a few seconds at this memory size. */
export const FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * The largest object the function processes: 50 MiB. The input is streamed line by line, but the
 * normalized output is built in memory before one PutObject (roughly the input's size again), so
 * this bounds memory, not only time. A larger object is refused before it is downloaded and its
 * event ends in the failed-events queue (see README, "Limits").
 */
export const MAX_OBJECT_BYTES = 50 * 1024 * 1024;

/** A line longer than this is dropped (reason `line-too-long`) without being held in memory. */
export const MAX_LINE_BYTES = 64 * 1024;

/** Where the results go in the output bucket (the function may write only under these). */
export const READINGS_PREFIX = 'readings/';
export const SUMMARIES_PREFIX = 'summaries/';
