import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Deliver, DevLog, DevTiming, Invoker, InvokeResult, ResolvedApp } from '../types.js';
import { asyncConfigKey, asyncConfigsOf, DEFAULT_ASYNC_CONFIG, type AsyncInvokeConfig } from './async-config.js';
import { AsyncInvocations, type AsyncEvent } from './async-invocations.js';
import { logStreamName, workerEnvironment } from './environment.js';
import { MAX_SYNC_RESPONSE_BYTES, notRunnable, responseTooLarge, throttled } from './errors.js';
import { ExecutionEnvironment, type Outcome } from './execution-environment.js';
import type { LocalFunction } from './functions.js';
import { EnvironmentPool } from './pool.js';
import { parseTarget } from './targets.js';
import { workerScript } from './worker-script.js';

export const DEFAULT_POOL_SIZE = 10;

export interface LambdaRuntimeOptions {
  /** The functions to serve (functionsOf(app)); internal ones are listed but not served. */
  functions: LocalFunction[];
  /** The app, to read its AWS::Lambda::EventInvokeConfig resources (unless asyncConfigs is given). */
  app?: ResolvedApp;
  /** Async configs by asyncConfigKey(name, qualifier); defaults to asyncConfigsOf(app). */
  asyncConfigs?: Map<string, AsyncInvokeConfig>;
  /** Every environment's variables before Lambda's and the function's own: local endpoints, credentials, flags file. */
  baseEnv: Record<string, string>;
  log: DevLog;
  timing: DevTiming;
  deliver: Deliver;
  /** Execution environments per function at most (default 10). */
  poolSize?: number;
  /** Each line a function prints (EMF lines, JSON with `_aws`, can be copied to a metrics sink). */
  onOutputLine?(functionName: string, line: string): void;
  /** Override of the worker script (defaults to worker.js next to this module). */
  workerScript?: string;
}

export interface LambdaRuntime extends Invoker {
  readonly functions: LocalFunction[];
  /** Resolves when no asynchronous invocation is queued, running, waiting for a retry or being delivered. */
  idle(): Promise<void>;
  /** Ends every execution environment and waits for the processes to exit; queued asynchronous events are dropped. */
  close(): Promise<void>;
  /** Live execution environments of a function (warm or busy). */
  environments(functionName: string): number;
}

/** Thrown by invoke/invokeAsync for a function the app does not have, as Lambda's Invoke answers 404. */
export class FunctionNotFoundError extends Error {
  override name = 'ResourceNotFoundException';
  constructor(readonly target: string) {
    super(`Function not found: ${target.startsWith('arn:') ? target : `arn:aws:lambda:us-east-1:000000000000:function:${target}`}`);
  }
}

/** Runs the app's handlers as Lambda does: a pool of warm worker processes per function, sync and async invocations. */
export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  return new Runtime(options);
}

class Runtime implements LambdaRuntime {
  readonly functions: LocalFunction[];
  private readonly served = new Map<string, LocalFunction>();
  private readonly pools = new Map<string, EnvironmentPool>();
  private readonly active = new Map<string, number>();
  private readonly configs: Map<string, AsyncInvokeConfig>;
  private readonly async: AsyncInvocations;
  private readonly inlineDirs = new Map<string, Promise<string>>();
  private closed = false;

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.functions = options.functions;
    for (const fn of options.functions) if (!fn.internal) this.served.set(fn.name, fn);
    this.configs = options.asyncConfigs ?? (options.app ? asyncConfigsOf(options.app) : new Map());
    this.async = new AsyncInvocations({
      run: (item, requestId, attempt) => this.run(item.fn, item.invokedFunctionArn, item.event, requestId, 'async', attempt),
      deliver: options.deliver,
      log: options.log,
      timing: options.timing,
    });
  }

  has(target: string): boolean {
    return this.served.has(parseTarget(target).name);
  }

  environments(functionName: string): number {
    return this.pools.get(functionName)?.count ?? 0;
  }

  async invoke(target: string, event: unknown): Promise<InvokeResult> {
    const { fn, invokedFunctionArn } = this.resolve(target);
    return this.run(fn, invokedFunctionArn, event, randomUUID(), 'sync');
  }

  invokeAsync(target: string, event: unknown): void {
    const { fn, qualifier, invokedFunctionArn } = this.resolve(target);
    const config = this.configs.get(asyncConfigKey(fn.name, qualifier ?? '$LATEST')) ?? DEFAULT_ASYNC_CONFIG;
    const item: AsyncEvent = { fn, qualifier: qualifier ?? '$LATEST', invokedFunctionArn, event, config };
    this.async.enqueue(item);
  }

  idle(): Promise<void> {
    return this.async.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.async.close();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    const dirs = await Promise.all([...this.inlineDirs.values()].map((dir) => dir.catch(() => undefined)));
    await Promise.all(dirs.map((dir) => (dir ? rm(dir, { recursive: true, force: true }) : undefined)));
  }

  private resolve(target: string): { fn: LocalFunction; qualifier?: string; invokedFunctionArn: string } {
    const { name, qualifier } = parseTarget(target);
    const fn = this.served.get(name);
    if (!fn) throw new FunctionNotFoundError(target);
    return { fn, ...(qualifier ? { qualifier } : {}), invokedFunctionArn: qualifier ? `${fn.arn}:${qualifier}` : fn.arn };
  }

  /** One invocation on one execution environment, logged; never throws for the function's own failures. */
  private async run(fn: LocalFunction, invokedFunctionArn: string, event: unknown, requestId: string, mode: 'sync' | 'async', attempt = 1): Promise<InvokeResult> {
    if (this.closed) return { ok: false, error: { errorType: 'ServiceException', errorMessage: 'the Lambda runtime is closed' } };
    if (fn.unsupported) return this.logged(fn, requestId, mode, attempt, { started: Date.now() }, false, { ok: false, error: notRunnable(fn.name, fn.unsupported), reset: false });
    let eventJson: string;
    try {
      // Lambda hands the handler a fresh copy of the event: JSON text, as through the Runtime API (no payload: {}).
      eventJson = JSON.stringify(event === undefined ? {} : event);
    } catch (error) {
      return { ok: false, error: { errorType: 'InvalidRequestContentException', errorMessage: `Could not parse request body into json: ${(error as Error).message}` } };
    }
    const active = this.active.get(fn.name) ?? 0;
    if (fn.reservedConcurrency !== undefined && active >= fn.reservedConcurrency) {
      this.options.log({ kind: 'warning', source: fn.name, message: `throttled: reserved concurrency ${fn.reservedConcurrency} in use`, data: { requestId, mode } });
      return { ok: false, error: throttled() };
    }
    this.active.set(fn.name, active + 1);
    const started = Date.now();
    try {
      const pool = await this.poolOf(fn);
      const { environment, cold } = await pool.acquire();
      let outcome: Outcome;
      try {
        outcome = await environment.invoke(requestId, eventJson, invokedFunctionArn, traceHeader());
      } catch (error) {
        outcome = { ok: false, error: { errorType: 'Runtime.Unknown', errorMessage: (error as Error).message }, reset: true };
      }
      const timing = { started: environment.invokeStartedAt ?? started, ...(cold && environment.initDurationMs !== undefined ? { initDurationMs: environment.initDurationMs } : {}) };
      pool.release(environment, !outcome.ok && outcome.reset);
      return this.logged(fn, requestId, mode, attempt, timing, cold, outcome);
    } catch (error) {
      return this.logged(fn, requestId, mode, attempt, { started }, false, { ok: false, error: { errorType: 'Runtime.Unknown', errorMessage: (error as Error).message }, reset: true });
    } finally {
      this.active.set(fn.name, (this.active.get(fn.name) ?? 1) - 1);
    }
  }

  /** Logs the invocation the way Lambda's REPORT line measures it: Duration from the handler's start, init apart. */
  private logged(
    fn: LocalFunction,
    requestId: string,
    mode: 'sync' | 'async',
    attempt: number,
    timing: { started: number; initDurationMs?: number },
    cold: boolean,
    outcome: Outcome,
  ): InvokeResult {
    const durationMs = Date.now() - timing.started;
    let result: InvokeResult;
    if (outcome.ok && mode === 'sync' && Buffer.byteLength(outcome.payload) > MAX_SYNC_RESPONSE_BYTES) {
      result = { ok: false, error: responseTooLarge() };
    } else if (outcome.ok) {
      try {
        result = { ok: true, payload: JSON.parse(outcome.payload) };
      } catch {
        result = { ok: false, error: { errorType: 'Runtime.InvalidResponse', errorMessage: 'the handler returned a response that is not JSON' } };
      }
    } else {
      result = { ok: false, error: outcome.error };
    }
    const coldStart = timing.initDurationMs !== undefined ? `, cold start (init ${timing.initDurationMs} ms)` : cold ? ', cold start' : '';
    const how = `${mode === 'async' ? `async${attempt > 1 ? ` attempt ${attempt}` : ''}` : 'sync'}${coldStart}`;
    const message = result.ok ? `${how}: ok in ${durationMs} ms` : `${how}: ${result.error.errorType}: ${result.error.errorMessage} (${durationMs} ms)`;
    this.options.log({
      kind: 'invoke',
      source: fn.name,
      message,
      data: {
        requestId,
        durationMs,
        ok: result.ok,
        mode,
        attempt,
        cold,
        ...(timing.initDurationMs !== undefined ? { initDurationMs: timing.initDurationMs } : {}),
        ...(result.ok ? {} : { errorType: result.error.errorType }),
      },
    });
    return result;
  }

  private async poolOf(fn: LocalFunction): Promise<EnvironmentPool> {
    const existing = this.pools.get(fn.name);
    if (existing) return existing;
    const script = this.options.workerScript ?? (await workerScript());
    const codeDir = fn.codeDir ?? (await this.inlineCodeDir(fn));
    // Two first invocations may both get here: the first pool wins.
    const raced = this.pools.get(fn.name);
    if (raced) return raced;
    const size = Math.max(1, Math.min(this.options.poolSize ?? DEFAULT_POOL_SIZE, fn.reservedConcurrency ?? Infinity));
    const pool = new EnvironmentPool(size, () => {
      const environment = new ExecutionEnvironment({
        name: fn.name,
        workerScript: script,
        execArgv: [],
        cwd: codeDir,
        env: workerEnvironment({ ...fn, codeDir }, this.options.baseEnv, logStreamName()),
        timeoutSeconds: fn.timeoutSeconds,
        onLine: (stream, line, requestId) => {
          this.options.log({ kind: 'output', source: fn.name, message: line, data: { stream, ...(requestId ? { requestId } : {}) } });
          this.options.onOutputLine?.(fn.name, line);
        },
      });
      return environment;
    });
    this.pools.set(fn.name, pool);
    return pool;
  }

  /** Code.ZipFile: Lambda writes the source to index.js in the function's code folder. */
  private inlineCodeDir(fn: LocalFunction): Promise<string> {
    let dir = this.inlineDirs.get(fn.name);
    if (!dir) {
      dir = (async () => {
        const root = await mkdtemp(join(tmpdir(), 'sprout-dev-inline-'));
        await writeFile(join(root, 'index.js'), fn.inlineCode ?? '');
        return root;
      })();
      this.inlineDirs.set(fn.name, dir);
    }
    return dir;
  }
}

/** An X-Ray trace header as Lambda sets _X_AMZN_TRACE_ID, not sampled (no daemon locally). */
function traceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
