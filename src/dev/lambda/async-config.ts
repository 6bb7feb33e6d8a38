import type { ResolvedApp } from '../types.js';
import { parseTarget } from './targets.js';

/** A function's asynchronous invocation settings (AWS::Lambda::EventInvokeConfig), with Lambda's defaults. */
export interface AsyncInvokeConfig {
  /** Retries after a function error: 0-2, default 2. */
  maximumRetryAttempts: number;
  /** How long an event may wait in the queue, 60-21600 s, default 21600 (6 h). */
  maximumEventAgeSeconds: number;
  onSuccess?: string;
  onFailure?: string;
}

export const DEFAULT_ASYNC_CONFIG: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

/** Key of a config: function name and qualifier ($LATEST when unqualified). */
export function asyncConfigKey(functionName: string, qualifier = '$LATEST'): string {
  return `${functionName}:${qualifier}`;
}

/** Every EventInvokeConfig of the app, by asyncConfigKey(function name, qualifier). */
export function asyncConfigsOf(app: ResolvedApp): Map<string, AsyncInvokeConfig> {
  const configs = new Map<string, AsyncInvokeConfig>();
  for (const resource of app.ofType('AWS::Lambda::EventInvokeConfig')) {
    const props = resource.properties;
    if (typeof props.FunctionName !== 'string') continue;
    const { name } = parseTarget(props.FunctionName);
    const qualifier = typeof props.Qualifier === 'string' ? props.Qualifier : '$LATEST';
    const config: AsyncInvokeConfig = {
      maximumRetryAttempts: integer(props.MaximumRetryAttempts) ?? DEFAULT_ASYNC_CONFIG.maximumRetryAttempts,
      maximumEventAgeSeconds: integer(props.MaximumEventAgeInSeconds) ?? DEFAULT_ASYNC_CONFIG.maximumEventAgeSeconds,
    };
    const onSuccess = props.DestinationConfig?.OnSuccess?.Destination;
    const onFailure = props.DestinationConfig?.OnFailure?.Destination;
    if (typeof onSuccess === 'string') config.onSuccess = onSuccess;
    if (typeof onFailure === 'string') config.onFailure = onFailure;
    configs.set(asyncConfigKey(name, qualifier), config);
  }
  return configs;
}

function integer(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(number) && number >= 0 ? number : undefined;
}
