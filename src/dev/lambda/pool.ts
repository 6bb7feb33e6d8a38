import { ExecutionEnvironment } from './execution-environment.js';

/**
 * The execution environments of one function: up to `size` workers, started when an invocation
 * needs one, kept warm and reused one invocation at a time. An invocation with no free worker
 * and none left to start waits for one (locally that is friendlier than Lambda's throttle; a
 * function's reserved concurrency is enforced by the runtime before it gets here).
 */
export class EnvironmentPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private readonly waiters: Array<{ take(environment: ExecutionEnvironment): void; fail(error: Error): void }> = [];
  /** Environments being ended (their kill still running): close() waits for them too. */
  private readonly ending = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly size: number,
    private readonly start: () => ExecutionEnvironment,
  ) {}

  /** Environments currently alive (idle or busy). */
  get count(): number {
    return this.all.size;
  }

  /** Busy environments. */
  get busy(): number {
    return this.all.size - this.idle.length;
  }

  /** A warm idle environment, a new one, or the next one released; `cold` says whether it was started for this call. */
  acquire(): Promise<{ environment: ExecutionEnvironment; cold: boolean }> {
    if (this.closing) return Promise.reject(new Error('the Lambda runtime is closed'));
    while (this.idle.length > 0) {
      const environment = this.idle.pop()!;
      if (environment.usable) return Promise.resolve({ environment, cold: false });
      this.discard(environment);
    }
    if (this.all.size < this.size) return Promise.resolve({ environment: this.spawn(), cold: true });
    return new Promise((resolve, reject) =>
      this.waiters.push({ take: (environment) => resolve({ environment, cold: !this.warm.has(environment) }), fail: reject }),
    );
  }

  /** Back to the pool after an invocation; an environment that failed is ended and replaced if someone waits. */
  release(environment: ExecutionEnvironment, reset: boolean): void {
    this.warm.add(environment);
    if (reset || !environment.usable || this.closing) {
      this.discard(environment);
      const next = this.waiters.shift();
      if (next && !this.closing) next.take(this.spawn());
      return;
    }
    const next = this.waiters.shift();
    if (next) next.take(environment);
    else this.idle.push(environment);
  }

  /** Ends every environment and waits for their processes to exit. */
  async close(): Promise<void> {
    this.closing = true;
    this.idle.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.fail(new Error('the Lambda runtime is closed'));
    await Promise.all([...[...this.all].map((environment) => environment.kill()), ...this.ending]);
    this.all.clear();
  }

  private readonly warm = new WeakSet<ExecutionEnvironment>();

  private spawn(): ExecutionEnvironment {
    const environment = this.start();
    this.all.add(environment);
    return environment;
  }

  private discard(environment: ExecutionEnvironment): void {
    this.all.delete(environment);
    const ending = environment.kill().finally(() => this.ending.delete(ending));
    this.ending.add(ending);
  }
}
