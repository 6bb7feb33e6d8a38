export { functionsOf, splitHandler, type LocalFunction } from './functions.js';
export { createLambdaRuntime, DEFAULT_POOL_SIZE, FunctionNotFoundError, type LambdaRuntime, type LambdaRuntimeOptions } from './runtime.js';
export { asyncConfigsOf, asyncConfigKey, DEFAULT_ASYNC_CONFIG, type AsyncInvokeConfig } from './async-config.js';
export { parseTarget, type InvokeTarget } from './targets.js';
export { RESERVED_VARIABLES, workerEnvironment } from './environment.js';
export { errorPayload } from './async-invocations.js';
