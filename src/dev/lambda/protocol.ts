/**
 * The messages between the runtime (parent) and one execution environment (a forked worker),
 * over Node's IPC channel. Events and results travel as JSON text, as they do through Lambda's
 * Runtime API, so a handler never shares objects with its caller.
 */

/** What the worker reports for a failed init or invocation, in the Node.js runtime's shape. */
export interface WorkerError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type ToWorker = {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text. */
  event: string;
  /** Epoch ms when the function times out (context.getRemainingTimeInMillis counts down to it). */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** The X-Ray header Lambda sets in _X_AMZN_TRACE_ID for each invocation. */
  traceId: string;
};

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: WorkerError }
  /** `payload` is the handler's result as JSON text (undefined → "null"). */
  | { type: 'result'; requestId: string; payload: string }
  | { type: 'error'; requestId: string; error: WorkerError; /** The environment must not be reused (the runtime exits after it). */ fatal?: boolean };

/**
 * Written to stdout and stderr before a result is sent: the runtime holds the invocation's end
 * until both markers arrive, so every line printed during an invocation is logged before it.
 */
export function flushMarker(requestId: string): string {
  return `\u0000sprout-flush:${requestId}\u0000`;
}

export const FLUSH_MARKER_PATTERN = /\u0000sprout-flush:([^\u0000]*)\u0000/;
