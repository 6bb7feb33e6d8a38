/** EventBridge (JSON 1.1 PutEvents) and Step Functions (JSON 1.0) on the wire. */
import type { ExecutionDescription } from '../types.js';
import { AwsServiceError } from './errors.js';
import { shortName as queueNameOf, type AwsEndpointParts, type Json } from './endpoint-shared.js';
import type { PutEventsEntry } from './eventbridge.js';

export async function eventsOperation(parts: AwsEndpointParts, op: string, input: Json): Promise<Json> {
  if (op !== 'PutEvents') throw new AwsServiceError('UnknownOperationException', `sprout dev's EventBridge does not implement ${op}`);
  const entries: PutEventsEntry[] = (Array.isArray(input.Entries) ? input.Entries : []).map((e: Json) => ({
    ...e,
    // JSON protocols send timestamps as epoch seconds.
    Time: typeof e.Time === 'number' ? new Date(e.Time * 1000) : e.Time,
  }));
  const result = await parts.buses.putEvents(entries);
  parts.log({ kind: 'request', source: 'eventbridge', message: `PutEvents (${entries.length - result.FailedEntryCount} accepted, ${result.FailedEntryCount} failed)` });
  return result;
}


function epochSeconds(date: Date | undefined): number | undefined {
  return date ? date.getTime() / 1000 : undefined;
}

/** An execution as ListExecutions lists it; DescribeExecution adds input, output and the error. */
function executionSummary(d: ExecutionDescription): Json {
  return {
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    name: d.name,
    status: d.status,
    startDate: epochSeconds(d.startDate),
    ...(d.stopDate ? { stopDate: epochSeconds(d.stopDate) } : {}),
  };
}

function describeJson(d: ExecutionDescription): Json {
  return {
    ...executionSummary(d),
    input: d.input,
    inputDetails: { included: true },
    ...(d.output !== undefined ? { output: d.output, outputDetails: { included: true } } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
  };
}

function requireStateMachine(parts: AwsEndpointParts, arn: unknown): string {
  if (typeof arn !== 'string' || !parts.stateMachines.has(arn)) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  return arn;
}

function executionInput(input: Json): string {
  const text = input.input === undefined ? '{}' : String(input.input);
  try {
    JSON.parse(text);
  } catch {
    throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: \'Unexpected character\'');
  }
  return text;
}

export async function sfnOperation(parts: AwsEndpointParts, op: string, input: Json): Promise<Json> {
  const { stateMachines, log } = parts;
  switch (op) {
    case 'StartExecution': {
      const arn = requireStateMachine(parts, input.stateMachineArn);
      const started = await stateMachines.start(arn, executionInput(input), input.name);
      log({ kind: 'request', source: 'stepfunctions', message: `StartExecution ${queueNameOf(arn)}`, data: { executionArn: started.executionArn } });
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    }
    case 'StartSyncExecution': {
      const arn = requireStateMachine(parts, input.stateMachineArn);
      const done = await stateMachines.startSync(arn, executionInput(input), input.name);
      log({ kind: 'request', source: 'stepfunctions', message: `StartSyncExecution ${queueNameOf(arn)} → ${done.status}`, data: { executionArn: done.executionArn } });
      return describeJson(done);
    }
    case 'DescribeExecution': {
      const d = stateMachines.describe(String(input.executionArn ?? ''));
      if (!d) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      return describeJson(d);
    }
    case 'ListExecutions': {
      const arn = requireStateMachine(parts, input.stateMachineArn);
      const all = stateMachines.list(arn).filter((d) => !input.statusFilter || d.status === input.statusFilter);
      const max = input.maxResults ? Number(input.maxResults) : all.length;
      return {
        executions: all.slice(0, max || all.length).map(executionSummary),
      };
    }
    case 'GetExecutionHistory': {
      if (!stateMachines.executionHistory) break;
      const events = stateMachines.executionHistory(String(input.executionArn ?? ''));
      if (!events) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      const ordered = input.reverseOrder ? [...events].reverse() : events;
      const withData = input.includeExecutionData === false ? ordered.map(withoutExecutionData) : ordered;
      const max = Number(input.maxResults) || withData.length;
      return { events: withData.slice(0, max) };
    }
    case 'StopExecution': {
      if (!stateMachines.stop) break;
      const stopped = stateMachines.stop(String(input.executionArn ?? ''), input.error === undefined ? undefined : String(input.error), input.cause === undefined ? undefined : String(input.cause));
      if (!stopped) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      log({ kind: 'request', source: 'stepfunctions', message: `StopExecution ${stopped.name} → ${stopped.status}`, data: { executionArn: stopped.executionArn } });
      return { stopDate: epochSeconds(stopped.stopDate ?? new Date()) };
    }
    default:
      break;
  }
  throw new AwsServiceError('UnknownOperationException', `sprout dev's Step Functions does not implement ${op}`);
}

/** includeExecutionData false: the events without their inputs and outputs. */
function withoutExecutionData(event: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy;
}
