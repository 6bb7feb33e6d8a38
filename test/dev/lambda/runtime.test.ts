import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createLambdaRuntime, type LambdaRuntime, type LocalFunction } from '../../../src/dev/lambda/index.js';
import { CodeDirs, isAlive, localFunction, recordingDeliver, recordingLog } from './helpers.js';

/** One handler for most cases: what it does depends on the event. */
const PROBE = `
let calls = 0;
const ENV_NAMES = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV', 'LAMBDA_TASK_ROOT', '_HANDLER', 'TZ', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'NODE_OPTIONS',
  'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_DYNAMODB', 'TABLE_NAME', 'SHARED', '_X_AMZN_TRACE_ID'];
exports.handler = async (event, context) => {
  calls += 1;
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));
  if (event.throw) { const error = new Error(event.throw); error.name = 'OrderRejected'; throw error; }
  if (event.exit !== undefined) process.exit(event.exit);
  if (event.log) { console.log(event.log); console.error('to stderr'); process.stdout.write('no newline at the end'); }
  if (event.nothing) return undefined;
  return {
    pid: process.pid,
    calls,
    event,
    cwd: process.cwd(),
    env: Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]])),
    context: {
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    },
  };
};
`;

const BASE_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
  SHARED: 'from-base',
};

const dirs = new CodeDirs();
let probeDir: string;
let runtime: LambdaRuntime | undefined;

beforeAll(() => {
  probeDir = dirs.make({ 'index.js': PROBE });
});
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});
afterAll(() => dirs.cleanup());

function start(functions: LocalFunction[], extra: { poolSize?: number; scale?: number } = {}) {
  const log = recordingLog();
  const delivered = recordingDeliver();
  const lines: Array<[string, string]> = [];
  runtime = createLambdaRuntime({
    functions,
    baseEnv: BASE_ENV,
    log: log.log,
    timing: { scale: extra.scale ?? 0.001 },
    deliver: delivered.deliver,
    onOutputLine: (fn, line) => lines.push([fn, line]),
    ...(extra.poolSize ? { poolSize: extra.poolSize } : {}),
  });
  return { runtime, log, delivered, lines };
}

type Probe = { pid: number; calls: number; event: unknown; cwd: string; env: Record<string, string | undefined>; context: Record<string, unknown> };

async function payloadOf(promise: Promise<{ ok: boolean; payload?: unknown; error?: unknown }>): Promise<Probe> {
  const result = await promise;
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  return (result as { payload: Probe }).payload;
}

describe('synchronous invocations', () => {
  it('passes the event and a Lambda context, and answers the JSON result', async () => {
    const { runtime } = start([localFunction('probe', probeDir, { memoryMB: 256, timeoutSeconds: 7 })]);
    const out = await payloadOf(runtime.invoke('probe', { orderId: 'o-1', nested: { n: 1 } }));
    expect(out.event).toEqual({ orderId: 'o-1', nested: { n: 1 } });
    expect(out.context).toMatchObject({
      functionName: 'probe',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/probe',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(out.context.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    // 7 s timeout, counted from the invocation's start.
    expect(out.context.remaining).toBeGreaterThan(5000);
    expect(out.context.remaining).toBeLessThanOrEqual(7000);
  });

  it('answers null for a handler that returns nothing', async () => {
    const { runtime } = start([localFunction('probe', probeDir)]);
    expect(await runtime.invoke('probe', { nothing: true })).toEqual({ ok: true, payload: null });
  });

  it("merges the environment: base, then the function's own, with Lambda's reserved variables winning", async () => {
    const fn = localFunction('probe', probeDir, {
      memoryMB: 1024,
      environment: { TABLE_NAME: 'orders', SHARED: 'from-function', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAFUNCTION', NODE_OPTIONS: '--max-old-space-size=200' },
    });
    const { runtime } = start([fn]);
    const out = await payloadOf(runtime.invoke('probe', {}));
    expect(out.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: probeDir,
      _HANDLER: 'index.handler',
      TZ: ':UTC',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/probe',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      TABLE_NAME: 'orders',
      SHARED: 'from-function',
      NODE_OPTIONS: '--max-old-space-size=200 --enable-source-maps',
    });
    expect(out.env.AWS_LAMBDA_LOG_STREAM_NAME).toBe(out.context.logStreamName);
    expect(out.env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(out.cwd).toBe(probeDir);
  });

  it('accepts a name, an ARN, an ARN with $LATEST or an alias, and a partial ARN; rejects an unknown function', async () => {
    const { runtime } = start([localFunction('probe', probeDir)]);
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:probe';
    expect((await payloadOf(runtime.invoke(arn, {}))).context.invokedFunctionArn).toBe(arn);
    expect((await payloadOf(runtime.invoke(`${arn}:$LATEST`, {}))).context.invokedFunctionArn).toBe(`${arn}:$LATEST`);
    expect((await payloadOf(runtime.invoke(`${arn}:live`, {}))).context.invokedFunctionArn).toBe(`${arn}:live`);
    expect((await payloadOf(runtime.invoke('000000000000:function:probe', {}))).context.functionName).toBe('probe');
    expect(runtime.has(`${arn}:7`)).toBe(true);
    expect(runtime.has('other')).toBe(false);
    await expect(runtime.invoke('other', {})).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:other',
    });
  });

  it('runs concurrent invocations in separate environments and keeps a warm one with its module state', async () => {
    const { runtime, log } = start([localFunction('probe', probeDir)]);
    const [a, b] = await Promise.all([payloadOf(runtime.invoke('probe', { sleep: 300 })), payloadOf(runtime.invoke('probe', { sleep: 300 }))]);
    expect(a.pid).not.toBe(b.pid);
    expect(runtime.environments('probe')).toBe(2);
    const again = await payloadOf(runtime.invoke('probe', {}));
    expect([a.pid, b.pid]).toContain(again.pid);
    // Module scope survives between invocations of one environment (a warm start).
    expect(again.calls).toBe(2);
    const invokes = log.of('invoke', 'probe');
    expect(invokes.map((event) => event.data?.cold)).toEqual([true, true, false]);
    expect(invokes.every((event) => event.data?.ok === true && typeof event.data?.durationMs === 'number')).toBe(true);
  });

  it('queues invocations beyond the pool size until an environment is free', async () => {
    const { runtime } = start([localFunction('probe', probeDir)], { poolSize: 1 });
    const outs = await Promise.all([1, 2, 3].map(() => payloadOf(runtime.invoke('probe', { sleep: 50 }))));
    expect(new Set(outs.map((out) => out.pid)).size).toBe(1);
    expect(outs.map((out) => out.calls).sort()).toEqual([1, 2, 3]);
  });

  it('kills an environment at its timeout with the Sandbox.Timedout error, and starts a new one after', async () => {
    const { runtime } = start([localFunction('probe', probeDir, { timeoutSeconds: 1 })]);
    const first = await payloadOf(runtime.invoke('probe', {}));
    const started = Date.now();
    const result = await runtime.invoke('probe', { sleep: 10_000 });
    // Killed at 1 s (plus a process start), not left to its 10 s sleep.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Sandbox.Timedout');
    expect(result.error.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    expect(isAlive(first.pid)).toBe(false);
    const after = await payloadOf(runtime.invoke('probe', {}));
    expect(after.pid).not.toBe(first.pid);
    expect(after.calls).toBe(1);
  });

  it('ends the processes a handler started when its environment times out', async () => {
    const dir = dirs.make({
      'index.js': `
        const { spawn } = require('node:child_process');
        exports.handler = async () => {
          const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
          console.log('child ' + child.pid);
          await new Promise(() => {});
        };`,
    });
    const { runtime, log } = start([localFunction('spawner', dir, { timeoutSeconds: 1 })]);
    expect(await runtime.invoke('spawner', {})).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    const pid = Number(log.of('output', 'spawner')[0]!.message.replace('child ', ''));
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
  });

  it('measures Duration from the handler start and reports the init duration of a cold start apart', async () => {
    const dir = dirs.make({ 'index.mjs': 'await new Promise((resolve) => setTimeout(resolve, 400));\nexport const handler = async () => "ready";' });
    const { runtime, log } = start([localFunction('slow-init', dir)]);
    expect(await runtime.invoke('slow-init', {})).toEqual({ ok: true, payload: 'ready' });
    expect(await runtime.invoke('slow-init', {})).toEqual({ ok: true, payload: 'ready' });
    const [cold, warm] = log.of('invoke', 'slow-init');
    expect(cold!.data).toMatchObject({ cold: true, initDurationMs: expect.any(Number) });
    expect(cold!.data!.initDurationMs as number).toBeGreaterThanOrEqual(390);
    expect(cold!.data!.durationMs as number).toBeLessThan(cold!.data!.initDurationMs as number);
    expect(cold!.message).toMatch(/^sync, cold start \(init \d+ ms\): ok in \d+ ms$/);
    expect(warm!.data).toMatchObject({ cold: false });
    expect(warm!.data).not.toHaveProperty('initDurationMs');
  });

  it("reports a thrown error with its name, message and stack, and keeps the environment", async () => {
    const { runtime } = start([localFunction('probe', probeDir)]);
    const before = await payloadOf(runtime.invoke('probe', {}));
    const result = await runtime.invoke('probe', { throw: 'out of stock' });
    expect(result).toMatchObject({ ok: false, error: { errorType: 'OrderRejected', errorMessage: 'out of stock' } });
    if (result.ok) return;
    expect(result.error.stackTrace?.[0]).toBe('OrderRejected: out of stock');
    expect(result.error.stackTrace?.some((line) => line.includes('index.js'))).toBe(true);
    const after = await payloadOf(runtime.invoke('probe', {}));
    expect(after.pid).toBe(before.pid);
    expect(after.calls).toBe(3);
  });

  it('reports Runtime.ExitError when the handler ends the process, and replaces the environment', async () => {
    const { runtime } = start([localFunction('probe', probeDir)]);
    const before = await payloadOf(runtime.invoke('probe', {}));
    const result = await runtime.invoke('probe', { exit: 3 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Runtime.ExitError');
    expect(result.error.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    const zero = await runtime.invoke('probe', { exit: 0 });
    expect(zero).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited without providing a reason$/) } });
    const after = await payloadOf(runtime.invoke('probe', {}));
    expect(after.pid).not.toBe(before.pid);
  });

  it('fails the invocation with Runtime.UnhandledPromiseRejection and replaces an environment that crashed between invocations', async () => {
    const dir = dirs.make({
      'index.js': `
        exports.handler = async (event) => {
          if (event.reject) { Promise.reject(new Error('lost promise')); await new Promise((resolve) => setTimeout(resolve, 200)); }
          if (event.crashLater) setTimeout(() => { throw new Error('after the response'); }, 10);
          return { pid: process.pid };
        };`,
    });
    const { runtime, log } = start([localFunction('unruly', dir)]);
    const rejected = await runtime.invoke('unruly', { reject: true });
    expect(rejected).toMatchObject({ ok: false, error: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: lost promise' } });
    const first = (await runtime.invoke('unruly', { crashLater: true })) as { ok: true; payload: { pid: number } };
    await expect.poll(() => isAlive(first.payload.pid)).toBe(false);
    const next = (await runtime.invoke('unruly', {})) as { ok: true; payload: { pid: number } };
    expect(next.ok).toBe(true);
    expect(next.payload.pid).not.toBe(first.payload.pid);
    expect(log.of('output', 'unruly').some((event) => event.message.startsWith('Uncaught Exception') && event.message.includes('after the response'))).toBe(true);
  });

  it('reports init failures as the Node.js runtime does', async () => {
    const fns = [
      localFunction('missing-file', dirs.make({ 'other.js': 'exports.handler = async () => 1;' })),
      localFunction('missing-export', dirs.make({ 'index.js': 'exports.other = async () => 1;' }), { handler: 'index.nope' }),
      localFunction('not-a-function', dirs.make({ 'index.js': 'exports.handler = 42;' })),
      localFunction('syntax', dirs.make({ 'index.mjs': 'export const handler = async () => {;' })),
      localFunction('throws-at-init', dirs.make({ 'index.js': 'throw new RangeError("bad config");' })),
      localFunction('callback', dirs.make({ 'index.js': 'exports.handler = (event, context, callback) => callback(null, "old style");' })),
      localFunction('callback-node20', dirs.make({ 'index.js': 'exports.handler = (event, context, callback) => setTimeout(() => callback(null, "old style"), 5);' }), { runtime: 'nodejs20.x' }),
    ];
    const { runtime } = start(fns);
    const errors = Object.fromEntries(await Promise.all(fns.map(async (fn) => [fn.name, await runtime.invoke(fn.name, {})] as const)));
    expect(errors['missing-file']).toMatchObject({ ok: false, error: { errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringMatching(/^Error: Cannot find module 'index'/) } });
    expect(errors['missing-export']).toMatchObject({ ok: false, error: { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.nope is undefined or not exported' } });
    expect(errors['not-a-function']).toMatchObject({ ok: false, error: { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is not a function' } });
    expect(errors.syntax).toMatchObject({ ok: false, error: { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: expect.stringMatching(/^SyntaxError: /) } });
    expect(errors['throws-at-init']).toMatchObject({ ok: false, error: { errorType: 'RangeError', errorMessage: 'bad config' } });
    expect(errors.callback).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: expect.stringContaining('removed support for callback-based function handlers starting with Node.js 24') },
    });
    // nodejs20.x (an edge function's runtime, say) still calls callback handlers.
    expect(errors['callback-node20']).toEqual({ ok: true, payload: 'old style' });
    // A failed init leaves no environment behind.
    expect(runtime.environments('missing-file')).toBe(0);
  });

  it('loads ES modules and handlers in sub-folders with nested export paths', async () => {
    const dir = dirs.make({ 'dist/app.mjs': 'export const routes = { get: async (event) => ({ esm: true, got: event.id }) };' });
    const { runtime } = start([localFunction('nested', dir, { handler: 'dist/app.routes.get', handlerModule: 'dist/app', handlerExport: 'routes.get' })]);
    expect(await runtime.invoke('nested', { id: 7 })).toEqual({ ok: true, payload: { esm: true, got: 7 } });
  });

  it('reads the package scope as in /var/task: a CommonJS bundle inside a "type": "module" project still loads', async () => {
    // cdk.out sits in the project, whose package.json says "module"; Lambda sees no package.json above the code folder.
    const project = dirs.make({
      'package.json': JSON.stringify({ name: 'project', type: 'module' }),
      'cdk.out/asset.cjs/index.js': '"use strict"; const { twice } = require("./lib.js"); module.exports.handler = async (event) => ({ cjs: twice(event.n) });',
      'cdk.out/asset.cjs/lib.js': 'exports.twice = (n) => n * 2;',
      'cdk.out/asset.esm/package.json': JSON.stringify({ type: 'module' }),
      'cdk.out/asset.esm/index.js': 'import { three } from "./lib.js"; export const handler = async (event) => ({ esm: three(event.n) });',
      'cdk.out/asset.esm/lib.js': 'export const three = (n) => n * 3;',
      'cdk.out/asset.detected/index.js': 'export const handler = async (event) => ({ detected: event.n });',
    });
    const { runtime } = start([
      localFunction('cjs', `${project}/cdk.out/asset.cjs`),
      localFunction('esm', `${project}/cdk.out/asset.esm`),
      localFunction('detected', `${project}/cdk.out/asset.detected`),
    ]);
    expect(await runtime.invoke('cjs', { n: 2 })).toEqual({ ok: true, payload: { cjs: 4 } });
    expect(await runtime.invoke('esm', { n: 2 })).toEqual({ ok: true, payload: { esm: 6 } });
    // ES module syntax in a .js of no declared type: Node 22+ (Lambda's runtimes) detects it.
    expect(await runtime.invoke('detected', { n: 5 })).toEqual({ ok: true, payload: { detected: 5 } });
  });

  it('sends each printed line to the log before the invocation event, and to onOutputLine', async () => {
    const { runtime, log, lines } = start([localFunction('probe', probeDir)]);
    const emf = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Orders: 1 });
    const result = await runtime.invoke('probe', { log: emf });
    expect(result.ok).toBe(true);
    const invoke = log.events.findIndex((event) => event.kind === 'invoke');
    const output = log.events.filter((event) => event.kind === 'output');
    expect(output.map((event) => event.message).sort()).toEqual([emf, 'no newline at the end', 'to stderr'].sort());
    expect(log.events.slice(0, invoke).filter((event) => event.kind === 'output')).toHaveLength(3);
    const requestId = log.events[invoke]!.data?.requestId;
    expect(output.every((event) => event.source === 'probe' && event.data?.requestId === requestId)).toBe(true);
    expect(output.find((event) => event.message === 'to stderr')?.data?.stream).toBe('stderr');
    expect(lines).toContainEqual(['probe', emf]);
  });

  it('writes inline code (Code.ZipFile) to index.js and runs it', async () => {
    const fn = localFunction('inline', undefined, { inlineCode: 'exports.handler = async (event) => ({ inline: event.n * 2, root: process.env.LAMBDA_TASK_ROOT });' });
    const { runtime } = start([fn]);
    const result = await runtime.invoke('inline', { n: 21 });
    expect(result).toMatchObject({ ok: true, payload: { inline: 42 } });
  });

  it('throttles beyond reserved concurrency and does not run what cannot run locally', async () => {
    const { runtime } = start([
      localFunction('disabled', probeDir, { reservedConcurrency: 0 }),
      localFunction('python', probeDir, { runtime: 'python3.13', unsupported: 'runtime python3.13 (sprout dev runs Node.js functions)' }),
      localFunction('helper', probeDir, { internal: true, internalReason: 'CDK BucketDeployment' }),
    ]);
    expect(await runtime.invoke('disabled', {})).toEqual({ ok: false, error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' } });
    expect(await runtime.invoke('python', {})).toMatchObject({ ok: false, error: { errorMessage: expect.stringContaining('python3.13') } });
    expect(runtime.has('helper')).toBe(false);
    expect(runtime.functions.map((fn) => fn.name)).toEqual(['disabled', 'python', 'helper']);
  });

  it('close() ends every environment', async () => {
    const { runtime } = start([localFunction('probe', probeDir)]);
    const [a, b] = await Promise.all([payloadOf(runtime.invoke('probe', { sleep: 100 })), payloadOf(runtime.invoke('probe', { sleep: 100 }))]);
    expect(isAlive(a.pid) && isAlive(b.pid)).toBe(true);
    await runtime.close();
    expect(isAlive(a.pid)).toBe(false);
    expect(isAlive(b.pid)).toBe(false);
  });
});
