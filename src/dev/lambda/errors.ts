import type { LambdaError } from '../types.js';
import type { WorkerError } from './protocol.js';

/**
 * The errors Lambda itself reports for an invocation (rather than the handler), worded as the
 * service words them so logs, tests and destination records look the same as in AWS.
 */

/** `Task timed out after 3.00 seconds`: the function's configured timeout, two decimals. */
export function timedOut(requestId: string, timeoutSeconds: number): LambdaError {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` };
}

/** The environment's process ended during the invocation (process.exit, a crash, a signal). */
export function exited(requestId: string, code: number | null, signal: NodeJS.Signals | null): LambdaError {
  const reason = signal ? `signal: ${signalName(signal)}` : code === 0 ? undefined : `exit status ${code ?? 1}`;
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: reason ? `RequestId: ${requestId} Error: Runtime exited with error: ${reason}` : `RequestId: ${requestId} Error: Runtime exited without providing a reason`,
  };
}

function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted' };
  return names[signal] ?? signal;
}

/** A synchronous response over Lambda's 6 MB payload limit. */
export function responseTooLarge(): LambdaError {
  return { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_RESPONSE_BYTES} bytes).` };
}

export const MAX_SYNC_RESPONSE_BYTES = 6_291_556;

export function throttled(): LambdaError {
  return { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' };
}

export function notRunnable(name: string, reason: string): LambdaError {
  return { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `sprout dev cannot run ${name}: ${reason}` };
}

/** The Node.js runtime's error payload carries the stack as `trace`; the shared contract calls it stackTrace. */
export function fromWorker(error: WorkerError): LambdaError {
  return error.trace.length > 0 ? { errorType: error.errorType, errorMessage: error.errorMessage, stackTrace: error.trace } : { errorType: error.errorType, errorMessage: error.errorMessage };
}
