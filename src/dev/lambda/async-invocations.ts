import { randomUUID } from 'node:crypto';

import { scaled, type Deliver, type DevLog, type DevTiming, type InvokeResult, type LambdaError } from '../types.js';
import type { AsyncInvokeConfig } from './async-config.js';
import type { LocalFunction } from './functions.js';

/** Lambda waits about a minute before the first retry of a failed asynchronous event, two before the second. */
const RETRY_DELAY_MS = 60_000;
/** Throttled events (no concurrency left) go back to the queue with back-off, for as long as the event may live. */
const THROTTLE_FIRST_DELAY_MS = 1_000;
const THROTTLE_MAX_DELAY_MS = 5 * 60_000;

export interface AsyncEvent {
  fn: LocalFunction;
  /** The qualifier the event was sent to ($LATEST when unqualified). */
  qualifier: string;
  invokedFunctionArn: string;
  event: unknown;
  config: AsyncInvokeConfig;
}

export interface AsyncInvocationDeps {
  /** One attempt (a synchronous run of the handler) with the event's request id; `attempt` counts from 1. */
  run(item: AsyncEvent, requestId: string, attempt: number): Promise<InvokeResult>;
  deliver: Deliver;
  log: DevLog;
  timing: DevTiming;
  now?: () => number;
}

type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/**
 * Lambda's internal queue for asynchronous (Event) invocations: an accepted event is run,
 * retried after a function error (MaximumRetryAttempts, back-off scaled by DevTiming), dropped
 * once older than MaximumEventAgeInSeconds (scaled too, so the two keep their proportion), and
 * its invocation record sent to the on-success / on-failure destination; a failed event's body
 * also goes to the function's dead-letter queue.
 */
export class AsyncInvocations {
  private pending = 0;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: AsyncInvocationDeps) {
    this.now = deps.now ?? Date.now;
  }

  enqueue(item: AsyncEvent): string {
    const requestId = randomUUID();
    if (this.closed) return requestId;
    this.pending += 1;
    void this.process(item, requestId)
      .catch((error: Error) => this.deps.log({ kind: 'error', source: item.fn.name, message: `asynchronous invocation ${requestId} failed in sprout dev: ${error.message}` }))
      .finally(() => {
        this.pending -= 1;
        if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    return requestId;
  }

  /** Resolves when no event is queued, running, waiting for a retry or being delivered. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every event still waiting (a retry's timer), so nothing runs after the runtime closes. */
  close(): void {
    this.closed = true;
    for (const [timer, wake] of this.sleeping) {
      clearTimeout(timer);
      wake();
    }
    this.sleeping.clear();
  }

  private async process(item: AsyncEvent, requestId: string): Promise<void> {
    const { fn, config } = item;
    const acceptedAt = this.now();
    const maxAgeMs = scaled(this.deps.timing, config.maximumEventAgeSeconds * 1000);
    let attempts = 0;
    let throttles = 0;
    let last: InvokeResult | undefined;
    for (;;) {
      if (this.closed) return;
      if (this.now() - acceptedAt > maxAgeMs) return this.failed(item, requestId, 'EventAgeExceeded', attempts, last);
      const result = await this.deps.run(item, requestId, attempts + 1);
      if (!result.ok && result.error.errorType === 'TooManyRequestsException') {
        // A throttle is not a function error: it does not use up a retry.
        const delay = scaled(this.deps.timing, Math.min(THROTTLE_MAX_DELAY_MS, THROTTLE_FIRST_DELAY_MS * 2 ** throttles++));
        await this.sleep(Math.max(1, Math.min(delay, maxAgeMs - (this.now() - acceptedAt) + 1)));
        continue;
      }
      attempts += 1;
      last = result;
      if (result.ok) return this.succeeded(item, requestId, attempts, result.payload);
      if (attempts > config.maximumRetryAttempts) return this.failed(item, requestId, 'RetriesExhausted', attempts, result);
      const delay = scaled(this.deps.timing, RETRY_DELAY_MS * attempts);
      this.deps.log({
        kind: 'warning',
        source: fn.name,
        message: `asynchronous invocation failed (${result.error.errorType}): retry ${attempts} of ${config.maximumRetryAttempts} in ${formatMs(delay)}`,
        data: { requestId, attempt: attempts, delayMs: delay },
      });
      await this.sleep(delay);
    }
  }

  private async succeeded(item: AsyncEvent, requestId: string, attempts: number, payload: unknown): Promise<void> {
    if (!item.config.onSuccess) return;
    const record = this.record(item, requestId, 'Success', attempts, { ok: true, payload });
    await this.send(item, item.config.onSuccess, 'on-success destination', JSON.stringify(record), 'Success');
  }

  private async failed(item: AsyncEvent, requestId: string, condition: Condition, attempts: number, last: InvokeResult | undefined): Promise<void> {
    const { fn, config } = item;
    const targets = [config.onFailure, fn.deadLetterArn].filter((arn): arn is string => Boolean(arn));
    const why = condition === 'EventAgeExceeded' ? 'it exceeded its maximum event age' : `${attempts} attempt${attempts === 1 ? '' : 's'} failed`;
    if (targets.length === 0) {
      this.deps.log({ kind: 'error', source: fn.name, message: `asynchronous event discarded: ${why}`, data: { requestId, condition, attempts } });
      return;
    }
    if (config.onFailure) {
      const record = this.record(item, requestId, condition, attempts, last);
      await this.send(item, config.onFailure, 'on-failure destination', JSON.stringify(record), 'Failure', why);
    }
    if (fn.deadLetterArn) {
      const error: LambdaError | undefined = last && !last.ok ? last.error : undefined;
      // A dead-letter queue gets the event itself, with the error in message attributes.
      await this.send(item, fn.deadLetterArn, 'dead-letter queue', JSON.stringify(item.event ?? null), 'Failure', why, {
        RequestID: { DataType: 'String', StringValue: requestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: truncate(error?.errorMessage ?? why, 1024) },
      });
    }
  }

  /** The invocation record Lambda sends to destinations. */
  private record(item: AsyncEvent, requestId: string, condition: Condition, attempts: number, last: InvokeResult | undefined): Record<string, unknown> {
    const record: Record<string, unknown> = {
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      requestContext: { requestId, functionArn: `${item.fn.arn}:${item.qualifier}`, condition, approximateInvokeCount: attempts },
      requestPayload: item.event ?? null,
    };
    if (last) {
      record.responseContext = last.ok ? { statusCode: 200, executedVersion: '$LATEST' } : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };
      record.responsePayload = last.ok ? last.payload : errorPayload(last.error);
    }
    return record;
  }

  private async send(
    item: AsyncEvent,
    arn: string,
    what: string,
    body: string,
    result: 'Success' | 'Failure',
    why?: string,
    attributes?: Record<string, { DataType: string; StringValue?: string }>,
  ): Promise<void> {
    const { fn } = item;
    const event = /:events:[^:]*:[^:]*:event-bus\//.test(arn)
      ? { source: 'lambda', detailType: `Lambda Function Invocation Result - ${result}`, detail: body, resources: [arn, `${fn.arn}:${item.qualifier}`] }
      : undefined;
    try {
      await this.deps.deliver(arn, { body, ...(event ? { event } : {}), ...(attributes ? { attributes } : {}) });
      this.deps.log({ kind: result === 'Success' ? 'info' : 'warning', source: fn.name, message: `asynchronous event ${why ? `failed (${why}), ` : ''}sent to ${what} ${arn}`, data: { arn } });
    } catch (error) {
      this.deps.log({ kind: 'error', source: fn.name, message: `could not send to ${what} ${arn}: ${(error as Error).message}`, data: { arn } });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      this.sleeping.set(timer, resolve);
    });
  }
}

/** An error as the Node.js runtime returns it in a response payload. */
export function errorPayload(error: LambdaError): Record<string, unknown> {
  return { errorType: error.errorType, errorMessage: error.errorMessage, ...(error.stackTrace ? { trace: error.stackTrace } : {}) };
}

function truncate(text: string, bytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  return buffer.length <= bytes ? text : buffer.subarray(0, bytes).toString('utf8').replace(/\uFFFD$/, '');
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
