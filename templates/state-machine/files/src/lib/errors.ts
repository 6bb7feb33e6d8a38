/**
 * The errors the task functions throw on purpose. Step Functions matches a Lambda function's error
 * by its `errorType`, which the Node.js runtime takes from `error.name`: each class sets `name`
 * explicitly, because the bundle is minified and class names do not survive minification.
 * The state machine routes them (infra/constructs/order-workflow.ts):
 * - ValidationError: the input can never succeed. Not retried; Catch sends it to Rejected.
 * - TransientError: a dependency was briefly unavailable. Retried with backoff and jitter, like
 *   Lambda's own service errors; after the last retry, Catch sends it to Failed.
 * Anything else (a bug, Lambda.Unknown for a timeout or out-of-memory) is not retried: it goes
 * straight to Failed.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';

  constructor(readonly problems: string[]) {
    super(`The order is invalid: ${problems.join('; ')}`);
  }
}

export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** The error names the workflow's Retry and Catch refer to, so infra and code cannot drift apart. */
export const ERROR_NAMES = {
  validation: 'ValidationError',
  transient: 'TransientError',
} as const;
