import { randomBytes } from 'node:crypto';

import { LOCAL_REGION } from '../types.js';
import type { LocalFunction } from './functions.js';

/**
 * Variables Lambda sets itself: a function's configuration cannot override them (CloudFormation
 * refuses the deployment), so the function's own Environment never wins over these.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const RESERVED_VARIABLES: readonly string[] = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** `2026/11/27/[$LATEST]<32 hex>`: the stream one execution environment writes to. */
export function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * The environment of one execution environment: Lambda's defaults, then the caller's base
 * (local endpoints, credentials, flags file), then the function's own Environment, then the
 * reserved variables (credentials among them come from the base).
 */
export function workerEnvironment(fn: LocalFunction, baseEnv: Record<string, string>, streamName: string): Record<string, string> {
  const defaults: Record<string, string> = {
    // Not reserved: Lambda sets them but a function may override them.
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
  };
  const reserved: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime || 'nodejs24.x'}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: streamName,
    LAMBDA_TASK_ROOT: fn.codeDir ?? '',
    _HANDLER: fn.handler,
  };
  for (const name of CREDENTIAL_VARIABLES) if (baseEnv[name] !== undefined) reserved[name] = baseEnv[name];

  const functionOwn = Object.fromEntries(Object.entries(fn.environment).filter(([name]) => !RESERVED_VARIABLES.includes(name)));
  const env: Record<string, string> = { ...defaults, ...baseEnv, ...functionOwn, ...reserved };
  // Stack traces point into the project's sources (bundles ship index.js.map); kept when the function sets its own NODE_OPTIONS.
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (!/(^|\s)--enable-source-maps(\s|$)/.test(nodeOptions)) env.NODE_OPTIONS = `${nodeOptions} --enable-source-maps`.trim();
  return env;
}
