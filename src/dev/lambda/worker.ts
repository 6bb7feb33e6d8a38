/**
 * One Lambda execution environment: a child process that loads the handler once (init), then runs
 * one invocation at a time for the runtime that forked it, the way the Node.js runtime interface
 * client does (same module lookup, same error types). Only Node built-ins: it runs the user's code.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

import { flushMarker, type FromWorker, type ToWorker, type WorkerError } from './protocol.js';

type Handler = (event: unknown, context: unknown, callback?: (error?: unknown, result?: unknown) => void) => unknown;

const CALLBACK_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

class RuntimeError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

function send(message: FromWorker, then?: () => void): void {
  if (process.send) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

function formatError(error: unknown): WorkerError {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** The runtime's parse of `_HANDLER`: "dist/app.main" → module "app" in "dist", export "main" (nested "a.b" allowed). */
function parseHandler(handlerString: string): { moduleRoot: string; moduleName: string; handlerName: string } {
  const file = basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - file.length).replace(/\/$/, '');
  const match = /^([^.]*)\.(.*)$/.exec(file);
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  return { moduleRoot, moduleName: match[1]!, handlerName: match[2]! };
}

/**
 * In Lambda the code folder is /var/task and no package.json lies above it, so a .js file is
 * CommonJS unless a package.json inside the code folder says "type": "module". Locally the bundle
 * sits in cdk.out inside the project, whose package.json usually says "module": Node would then
 * refuse the CommonJS bundle. The package scope is therefore looked up only inside the code folder.
 */
const taskRoot = resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const scopeTypes = new Map<string, 'module' | 'commonjs'>();

function packageTypeInTaskRoot(file: string): 'module' | 'commonjs' | undefined {
  const inside = relative(taskRoot, file);
  if (inside.startsWith('..') || inside === file) return undefined;
  const visited: string[] = [];
  let type: 'module' | 'commonjs' = 'commonjs';
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const known = scopeTypes.get(dir);
    if (known) {
      type = known;
      break;
    }
    visited.push(dir);
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      type = readType(manifest);
      break;
    }
    if (dir === taskRoot || !dir.startsWith(taskRoot + sep) || dirname(dir) === dir) break;
  }
  for (const dir of visited) scopeTypes.set(dir, type);
  return type;
}

function readType(manifest: string): 'module' | 'commonjs' {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}

type CompilableModule = { _compile(content: string, filename: string): void };
const extensions = (Module as unknown as { _extensions: Record<string, (module: CompilableModule, filename: string) => void> })._extensions;
const loadJs = extensions['.js']!;
extensions['.js'] = function (module, filename) {
  if (packageTypeInTaskRoot(filename) === 'commonjs') return module._compile(readFileSync(filename, 'utf8'), filename);
  return loadJs.call(this, module, filename);
};

async function importFile(file: string): Promise<unknown> {
  if (file.endsWith('.mjs') || (!file.endsWith('.cjs') && packageTypeInTaskRoot(file) === 'module')) return import(pathToFileURL(file).href);
  try {
    return createRequire(file)(file);
  } catch (error) {
    // Node 22+ (Lambda's runtimes) detects ES module syntax in a .js file of no declared type; Node 20's import() does where the project is "module".
    if (error instanceof SyntaxError && /import statement outside a module|Unexpected token 'export'|Cannot use 'import\.meta'/.test(error.message)) {
      return import(pathToFileURL(file).href);
    }
    throw error;
  }
}

async function loadModule(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = resolve(appRoot, moduleRoot, moduleName);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      if (existsSync(base + extension)) return await importFile(base + extension);
    }
    // Like the runtime: a last try through require's lookup (node_modules, package main ...).
    const require = createRequire(join(appRoot, 'noop.js'));
    return require(require.resolve(moduleName, { paths: [appRoot, join(appRoot, moduleRoot)] }));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error), error.stack);
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' || (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }
}

function findHandler(module: unknown, handlerName: string, handlerString: string): Handler {
  const findIn = (root: unknown) =>
    handlerName.split('.').reduce<unknown>((nested, key) => (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined), root);
  let handler = findIn(module);
  if (!handler && module && typeof module === 'object' && 'default' in module) handler = findIn((module as { default: unknown }).default);
  if (!handler) throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  return handler as Handler;
}

/** nodejs24.x and later reject (event, context, callback) handlers at init; older runtimes still call them back. */
function callbacksRemoved(): boolean {
  const major = Number(/nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 24);
  return major >= 24;
}

async function init(): Promise<Handler> {
  const handlerString = process.env._HANDLER ?? 'index.handler';
  if (handlerString.includes('..')) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const { moduleRoot, moduleName, handlerName } = parseHandler(handlerString);
  const module = await loadModule(taskRoot, moduleRoot, moduleName);
  const handler = findHandler(module, handlerName, handlerString);
  if (handler.length >= 3 && callbacksRemoved()) throw new RuntimeError('Runtime.CallbackHandlerDeprecated', CALLBACK_REMOVED);
  return handler;
}

let current: string | undefined;

function finish(message: FromWorker & { requestId: string }, then?: () => void): void {
  if (current !== message.requestId) return then?.();
  current = undefined;
  // Everything the invocation printed is in the pipes before the result is sent (pipe writes are synchronous).
  process.stdout.write(flushMarker(message.requestId));
  process.stderr.write(flushMarker(message.requestId));
  send(message, then);
}

function contextFor(message: Extract<ToWorker, { type: 'invoke' }>) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
}

function serialize(result: unknown): string {
  // Lambda answers `null` for a handler that returns nothing.
  return JSON.stringify(result === undefined ? null : result) ?? 'null';
}

async function invoke(handler: Handler, message: Extract<ToWorker, { type: 'invoke' }>): Promise<void> {
  current = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceId;
  const { requestId } = message;
  try {
    const event: unknown = JSON.parse(message.event);
    const result = await new Promise<unknown>((resolvePromise, reject) => {
      // A callback handler (runtimes before nodejs24.x) answers through whichever comes first.
      const callback = (error?: unknown, value?: unknown) => (error ? reject(error instanceof Error ? error : Object.assign(new Error(String(error)), { name: 'Error' })) : resolvePromise(value));
      const returned = handler(event, contextFor(message), callback);
      if (handler.length < 3 || (returned && typeof (returned as Promise<unknown>).then === 'function')) {
        Promise.resolve(returned).then(resolvePromise, reject);
      }
    });
    let payload: string;
    try {
      payload = serialize(result);
    } catch (error) {
      finish({ type: 'error', requestId, error: { errorType: 'Runtime.JSONStringifyError', errorMessage: 'Unable to stringify response body', trace: formatError(error).trace } });
      return;
    }
    finish({ type: 'result', requestId, payload });
  } catch (error) {
    finish({ type: 'error', requestId, error: formatError(error) });
  }
}

// Like the runtime: a rejection or exception nobody handled ends the environment, failing the invocation in flight.
process.on('unhandledRejection', (reason) => {
  const error: WorkerError = { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: reason instanceof Error ? String(reason) : String(reason), trace: reason instanceof Error ? (reason.stack?.split('\n') ?? []) : [] };
  // The exit waits for the error to reach the runtime (an IPC send is asynchronous).
  if (current) finish({ type: 'error', requestId: current, error, fatal: true }, () => process.exit(128));
  else {
    console.error(`Unhandled Promise Rejection\t${JSON.stringify(error)}`);
    process.exit(128);
  }
});
process.on('uncaughtException', (thrown) => {
  if (current) finish({ type: 'error', requestId: current, error: formatError(thrown), fatal: true }, () => process.exit(129));
  else {
    console.error(`Uncaught Exception\t${JSON.stringify(formatError(thrown))}`);
    process.exit(129);
  }
});

const ready = init();
ready.then(
  () => send({ type: 'ready' }),
  (error: unknown) => send({ type: 'init-error', error: formatError(error) }),
);

process.on('message', (message: ToWorker) => {
  if (message?.type !== 'invoke') return;
  ready.then(
    (handler) => invoke(handler, message),
    () => undefined,
  );
});
// The parent going away ends the environment (no orphaned workers after a crash of sprout dev).
process.on('disconnect', () => process.exit(0));
