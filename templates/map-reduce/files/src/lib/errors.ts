/**
 * The errors the handlers throw on purpose. Step Functions matches a Lambda function's error by its
 * `errorType`, which the Node.js runtime takes from `error.name`: each class sets `name` explicitly,
 * because the bundle is minified and class names do not survive minification.
 *
 * - TransientError: S3 throttled or failed after the SDK's own three retries, or the connection
 *   broke. The child workflow retries it (with Lambda's transient errors), with backoff and jitter.
 * - Anything else fails the item at once: retrying cannot help an object that changed or vanished
 *   since the listing, or one too large for one mapper. The Map run counts it against
 *   toleratedFailurePercentage, and the reducer names it in the output's `missing` list.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** The object's ETag is no longer the one the Distributed Map listed: it was overwritten during the job. */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
}

/** The object was deleted after the Distributed Map listed it. */
export class ObjectGoneError extends Error {
  override readonly name = 'ObjectGoneError';
}

export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
}

/** The reducer was handed something that is not this job's result writer output. */
export class InvalidMapRunError extends Error {
  override readonly name = 'InvalidMapRunError';
}

/** The error names the workflow's Retry refers to, so infra and code cannot drift apart. */
export const ERROR_NAMES = { transient: 'TransientError' } as const;

const TRANSIENT_NAMES = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeTooSkewed', 'TimeoutError', 'ThrottlingException']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']);

/** The HTTP status of an AWS SDK error, if it has one. */
export const httpStatus = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * Whether an S3 call's failure is worth another try of the whole item: throttling, a 5xx, a
 * timeout or a broken connection (the SDK has already retried it three times).
 */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return (status !== undefined && (status >= 500 || status === 429)) || TRANSIENT_NAMES.has(name ?? '') || TRANSIENT_CODES.has(code ?? '');
}

/** Rethrows `error` as a TransientError when retrying could help, unchanged otherwise. */
export function classify(error: unknown, what: string): never {
  if (error instanceof TransientError || !isTransient(error)) throw error;
  throw new TransientError(`${what}: ${(error as Error).message ?? String(error)}`, { cause: error });
}
