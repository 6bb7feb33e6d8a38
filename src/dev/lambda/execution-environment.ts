import { type ChildProcess, fork } from 'node:child_process';

import type { LambdaError } from '../types.js';
import { exited, fromWorker, timedOut } from './errors.js';
import { OutputLines } from './output.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** Lambda gives a function's init 10 s outside its timeout; a longer init eats into the first invocation's timeout. */
export const INIT_LIMIT_MS = 10_000;
/** How long an ended invocation waits for its output to be read before it is reported anyway. */
const FLUSH_WAIT_MS = 1_000;

export type Outcome =
  | { ok: true; payload: string }
  /** `reset`: the environment is gone or must not be reused (timeout, exit, failed init). */
  | { ok: false; error: LambdaError; reset: boolean };

export interface EnvironmentOptions {
  name: string;
  workerScript: string;
  execArgv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  /** One line the environment printed, with the invocation running at the time (if any). */
  onLine(stream: 'stdout' | 'stderr', line: string, requestId: string | undefined): void;
}

interface InvocationWait {
  requestId: string;
  settle(outcome: Outcome): void;
}

/**
 * One execution environment: a forked worker that initializes the handler as soon as it starts
 * and then runs one invocation at a time, until it fails in a way Lambda would replace it for.
 */
export class ExecutionEnvironment {
  private readonly child: ChildProcess;
  private readonly initStartedAt = Date.now();
  private readyAt: number | undefined;
  private initError: LambdaError | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly closed: Promise<void>;
  private readonly readyWaiters: Array<() => void> = [];
  private waiting: InvocationWait | undefined;
  private running: string | undefined;
  private readonly markers = new Map<string, Set<'stdout' | 'stderr'>>();
  private markerWaiter: { requestId: string; resolve(): void } | undefined;
  private killed = false;
  private handedAt: number | undefined;

  constructor(private readonly options: EnvironmentOptions) {
    this.child = fork(options.workerScript, [], {
      cwd: options.cwd,
      env: options.env,
      execArgv: options.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // Its own process group: ending the environment also ends processes the handler started, as ending a sandbox does.
      detached: process.platform !== 'win32',
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = new OutputLines(
        (line) => options.onLine(stream, line, this.running),
        (requestId) => this.marked(requestId, stream),
      );
      this.child[stream]?.on('data', (chunk: Buffer) => lines.push(chunk));
      this.child[stream]?.on('end', () => lines.end());
    }
    this.child.on('message', (message: FromWorker) => this.received(message));
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', () => {
        this.exit ??= { code: this.child.exitCode, signal: this.child.signalCode };
        this.wakeReadyWaiters();
        this.markerWaiter?.resolve();
        if (this.waiting) {
          const { requestId, settle } = this.waiting;
          settle({ ok: false, error: exited(requestId, this.exit.code, this.exit.signal), reset: true });
        }
        resolve();
      });
    });
    // A worker that cannot even start (bad script path) reports through 'error' then 'close'.
    this.child.on('error', () => undefined);
  }

  /** Whether the environment can take another invocation. */
  get usable(): boolean {
    return !this.exit && !this.killed && !this.initError;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How long init took (module load until ready), once it has finished. */
  get initDurationMs(): number | undefined {
    return this.readyAt === undefined ? undefined : this.readyAt - this.initStartedAt;
  }

  /** When the current or last invocation was handed to the handler (after init): Lambda's Duration counts from here. */
  get invokeStartedAt(): number | undefined {
    return this.handedAt;
  }

  /** Runs one invocation; the caller never overlaps two on one environment. */
  async invoke(requestId: string, event: string, invokedFunctionArn: string, traceId: string): Promise<Outcome> {
    this.handedAt = undefined;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const initDeadline = this.initStartedAt + INIT_LIMIT_MS + timeoutMs;
    if (this.readyAt === undefined && !this.initError && !this.exit) {
      const ready = await this.waitReady(initDeadline - Date.now());
      if (!ready) return this.timeOut(requestId);
    }
    if (this.initError) return { ok: false, error: this.initError, reset: true };
    if (this.exit || this.readyAt === undefined) return { ok: false, error: exited(requestId, this.exit?.code ?? null, this.exit?.signal ?? null), reset: true };

    // The timeout counts from the end of init, or from the end of Lambda's 10 s init allowance when init took longer.
    const budgetStart = Math.max(Date.now(), Math.min(this.readyAt, this.initStartedAt + INIT_LIMIT_MS));
    const deadlineMs = budgetStart + timeoutMs;
    this.running = requestId;
    this.handedAt = Date.now();
    try {
      const outcome = await new Promise<Outcome | 'timeout'>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), Math.max(0, deadlineMs - Date.now()));
        this.waiting = {
          requestId,
          settle: (value) => {
            clearTimeout(timer);
            this.waiting = undefined;
            resolve(value);
          },
        };
        const message: ToWorker = { type: 'invoke', requestId, event, deadlineMs, invokedFunctionArn, traceId };
        this.child.send(message, (error) => {
          if (error && this.waiting?.requestId === requestId) this.waiting.settle({ ok: false, error: exited(requestId, this.exit?.code ?? null, this.exit?.signal ?? null), reset: true });
        });
      });
      if (outcome === 'timeout') {
        this.waiting = undefined;
        return await this.timeOut(requestId);
      }
      // A fatal error or an exit: the output written before the process ended is read once it closes.
      if (!outcome.ok && outcome.reset) await this.kill();
      else await this.flushed(requestId);
      return outcome;
    } finally {
      this.running = undefined;
      this.markers.delete(requestId);
    }
  }

  /** Ends the worker (SIGKILL, as Lambda ends an environment) and waits until its process and pipes are closed. */
  async kill(): Promise<void> {
    if (this.killed) return this.closed;
    this.killed = true;
    const running = !this.exit && this.child.exitCode === null && this.child.signalCode === null;
    try {
      // The whole group, even when the worker itself already exited: what the handler started goes too.
      if (process.platform === 'win32' || !this.child.pid) throw new Error('no process group');
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      if (running) this.child.kill('SIGKILL');
    }
    await this.closed;
  }

  private async timeOut(requestId: string): Promise<Outcome> {
    await this.kill();
    return { ok: false, error: timedOut(requestId, this.options.timeoutSeconds), reset: true };
  }

  private received(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.readyAt = Date.now();
        this.wakeReadyWaiters();
        return;
      case 'init-error':
        this.initError = fromWorker(message.error);
        this.wakeReadyWaiters();
        return;
      case 'result':
        if (this.waiting?.requestId === message.requestId) this.waiting.settle({ ok: true, payload: message.payload });
        return;
      case 'error':
        if (this.waiting?.requestId === message.requestId) this.waiting.settle({ ok: false, error: fromWorker(message.error), reset: message.fatal === true });
        return;
    }
  }

  private waitReady(withinMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, withinMs));
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private wakeReadyWaiters(): void {
    for (const wake of this.readyWaiters.splice(0)) wake();
  }

  private marked(requestId: string, stream: 'stdout' | 'stderr'): void {
    const seen = this.markers.get(requestId) ?? new Set();
    seen.add(stream);
    this.markers.set(requestId, seen);
    if (seen.size === 2 && this.markerWaiter?.requestId === requestId) this.markerWaiter.resolve();
  }

  /** Resolves once both output streams have passed the invocation's flush marker (bounded). */
  private flushed(requestId: string): Promise<void> {
    if (this.markers.get(requestId)?.size === 2 || this.exit) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, FLUSH_WAIT_MS);
      const waiter = { requestId, resolve: done };
      this.markerWaiter = waiter;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.markerWaiter = undefined;
    });
  }
}
