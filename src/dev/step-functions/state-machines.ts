/**
 * The local Step Functions: every AWS::StepFunctions::StateMachine of the app, executed with
 * aws-local-stepfunctions. Each Task runs through a local handler (integrations.ts), so nothing
 * reaches AWS; executions are kept for describe/list/history.
 */
import { randomUUID } from 'node:crypto';

import type { Deliver, DevLog, DevTiming, ExecutionDescription, Invoker, LocalEndpoints, Queues, ResolvedApp, StateMachines } from '../types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, scaled } from '../types.js';
import { LOCAL_WAIT_RESOURCE, prepareDefinition, readDefinition, type PreparedDefinition, type TaskSite } from './definition.js';
import { closeIntegrationClients, TaskError, taskHandlerFor, type IntegrationDeps } from './integrations.js';

export interface StateMachinesOptions {
  app: ResolvedApp;
  invoker: Invoker;
  deliver: Deliver;
  queues: Queues;
  endpoints: Pick<LocalEndpoints, 'dynamodb'>;
  log: DevLog;
  timing: DevTiming;
}

/** One entry of an execution's history (aws-local-stepfunctions' event log). */
export interface HistoryEvent {
  type: string;
  timestamp: number;
  [field: string]: unknown;
}

export interface LocalStateMachines extends StateMachines {
  /** Why a machine cannot run locally (its executions fail with this cause); undefined when it can. */
  unsupportedReason(stateMachineArn: string): string | undefined;
  /** Every state machine: ARN, name, type, when it cannot run why, and the Tasks that would fail locally (unsupported integrations). */
  machines(): Array<{ arn: string; name: string; type: 'STANDARD' | 'EXPRESS'; unsupported?: string; limitations: string[] }>;
  /** The event log of an execution (state entered/exited/retried/caught, ...). */
  history(executionArn: string): HistoryEvent[] | undefined;
  /** The event log as GetExecutionHistory lists it (see awsHistory). */
  executionHistory(executionArn: string): AwsHistoryEvent[] | undefined;
  /** Aborts a running execution (StopExecution): status ABORTED. */
  stop(executionArn: string, error?: string, cause?: string): ExecutionDescription | undefined;
  /** Aborts every running execution. */
  close(): Promise<void>;
}

interface Machine {
  arn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  roleArn?: string;
  prepared?: PreparedDefinition;
  unsupported?: string;
}

interface Execution {
  description: ExecutionDescription;
  history: HistoryEvent[];
  done: Promise<ExecutionDescription>;
  abort?: () => void;
}

/** Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 uses for every Task. */
function installPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export function createStateMachines(options: StateMachinesOptions): LocalStateMachines {
  const { app, invoker, deliver, queues, endpoints, log, timing } = options;
  const machines = new Map<string, Machine>();
  const executions = new Map<string, Execution>();
  const byMachine = new Map<string, string[]>();

  for (const resource of app.ofType('AWS::StepFunctions::StateMachine')) {
    const arn = resource.ref;
    const name = arn.split(':').pop()!;
    const machine: Machine = { arn, name, type: resource.properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD', roleArn: resource.properties.RoleArn };
    try {
      machine.prepared = prepareDefinition(readDefinition(resource.properties), timing.scale);
      machine.unsupported = machine.prepared.unsupported;
    } catch (error) {
      machine.unsupported = `the definition cannot be read: ${(error as Error).message}`;
    }
    machines.set(arn, machine);
  }

  const deps: IntegrationDeps = {
    invoker,
    deliver,
    queues,
    dynamodbEndpoint: endpoints.dynamodb,
    startExecution: (arn, input, name) => start(arn, input, name),
    waitForExecution: (executionArn) => {
      const execution = executions.get(executionArn);
      if (!execution) return Promise.reject(new Error(`no execution ${executionArn}`));
      return execution.done;
    },
  };

  function machineOf(arn: string): Machine {
    const machine = machines.get(arn) ?? [...machines.values()].find((m) => m.name === arn);
    if (!machine) throw Object.assign(new Error(`State Machine Does Not Exist: '${arn}'`), { name: 'StateMachineDoesNotExist' });
    return machine;
  }

  function localHandlers(machine: Machine, tasks: TaskSite[]) {
    const handlers: Record<string, (input: any) => Promise<any>> = {};
    for (const task of tasks) {
      if (task.resource === LOCAL_WAIT_RESOURCE) {
        handlers[task.name] = (input) => waitAtRunTime(task, input, timing.scale);
        continue;
      }
      const handler = taskHandlerFor(task.resource, deps);
      handlers[task.name] =
        typeof handler === 'function'
          ? handler
          : () => Promise.reject(new TaskError('States.Runtime', `Task "${task.name}" of ${machine.name}: ${handler.unsupported}`, false));
    }
    return handlers;
  }

  async function start(arn: string, input: string, name?: string): Promise<{ executionArn: string; startDate: Date }> {
    const machine = machineOf(arn);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input === '' ? '{}' : input);
    } catch {
      throw Object.assign(new Error(`Invalid State Machine Execution Input: '${input}'`), { name: 'InvalidExecutionInput' });
    }
    const executionName = name ?? randomUUID();
    const executionArn =
      machine.type === 'EXPRESS'
        ? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:express:${machine.name}:${executionName}:${randomUUID()}`
        : `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine.name}:${executionName}`;
    if (executions.has(executionArn)) {
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), { name: 'ExecutionAlreadyExists' });
    }
    const startDate = new Date();
    const description: ExecutionDescription = { executionArn, stateMachineArn: machine.arn, name: executionName, status: 'RUNNING', startDate, input };
    const history: HistoryEvent[] = [];
    const execution: Execution = { description, history, done: Promise.resolve(description) };
    executions.set(executionArn, execution);
    byMachine.set(machine.arn, [...(byMachine.get(machine.arn) ?? []), executionArn]);
    log({ kind: 'trigger', source: machine.name, message: `execution ${executionName} started`, data: { executionArn } });
    execution.done = run(machine, execution, parsedInput);
    return { executionArn, startDate };
  }

  async function run(machine: Machine, execution: Execution, input: unknown): Promise<ExecutionDescription> {
    const { description } = execution;
    if (!machine.prepared || machine.unsupported) {
      return finish(machine, execution, { status: 'FAILED', error: 'States.Runtime', cause: `This state machine cannot run locally: ${machine.unsupported}` });
    }
    installPromiseWithResolvers();
    const { StateMachine, ExecutionError, ExecutionAbortedError, ExecutionTimeoutError } = await import('aws-local-stepfunctions');
    const prepared = machine.prepared;
    let handle: ReturnType<InstanceType<typeof StateMachine>['run']>;
    try {
      // The rewritten definition is not ASL-valid (fractional waits, local Resources); the project's was validated by CloudFormation.
      const runner = new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } });
      handle = runner.run(input as never, {
        overrides: { taskResourceLocalHandlers: localHandlers(machine, prepared.tasks) },
        context: {
          Execution: { Id: description.executionArn, Name: description.name, RoleArn: machine.roleArn, StartTime: description.startDate.toISOString() },
          StateMachine: { Id: machine.arn, Name: machine.name },
        },
      });
    } catch (error) {
      return finish(machine, execution, { status: 'FAILED', error: 'States.Runtime', cause: (error as Error).message });
    }
    execution.abort = handle.abort;
    if (description.status !== 'RUNNING') handle.abort(); // stopped while the runner was loading
    const logging = recordEvents(machine, execution, handle.eventLogs);
    try {
      const output = await handle.result;
      await logging;
      return finish(machine, execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
    } catch (error) {
      await logging.catch(() => undefined);
      if (description.status !== 'RUNNING') return description; // stopped by stop()
      if (error instanceof ExecutionAbortedError) return finish(machine, execution, { status: 'ABORTED' });
      if (error instanceof ExecutionTimeoutError) return finish(machine, execution, { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution exceeded its TimeoutSeconds' });
      const failure = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
      return finish(machine, execution, { status: 'FAILED', error: failure?.name ?? 'States.Runtime', cause: failure?.message ?? String(error) });
    }
  }

  /** Keeps the event log as history and logs the transitions sparsely: one line per state entered, retry, catch and failure. */
  async function recordEvents(machine: Machine, execution: Execution, events: AsyncGenerator<any>): Promise<void> {
    for await (const event of events) {
      execution.history.push(event as HistoryEvent);
      const name = execution.description.name;
      const where = event.index !== undefined ? ` [${event.index}]` : '';
      if (event.type === 'StateEntered') log({ kind: 'trigger', source: machine.name, message: `${name}: → ${event.state.name}${where}`, data: { executionArn: execution.description.executionArn, state: event.state.name } });
      else if (event.type === 'StateRetried') log({ kind: 'trigger', source: machine.name, message: `${name}: ${event.state.name}${where} retried (attempt ${event.retry.attempt})` });
      else if (event.type === 'StateCaught') log({ kind: 'trigger', source: machine.name, message: `${name}: ${event.state.name}${where} caught → ${event.catch.catcher.Next}` });
      else if (event.type === 'StateFailed') log({ kind: 'trigger', source: machine.name, message: `${name}: ${event.state.name}${where} failed: ${event.Error}`, data: { cause: event.Cause } });
    }
  }

  function finish(machine: Machine, execution: Execution, end: Partial<ExecutionDescription> & { status: ExecutionDescription['status'] }): ExecutionDescription {
    const description: ExecutionDescription = execution.description;
    if (description.status !== 'RUNNING') return description;
    Object.assign(description, end, { stopDate: new Date() });
    const status = description.status as ExecutionDescription['status'];
    const detail = description.error ? `: ${description.error}${description.cause ? ` (${truncate(description.cause)})` : ''}` : '';
    log({
      kind: status === 'SUCCEEDED' ? 'trigger' : 'warning',
      source: machine.name,
      message: `execution ${description.name} ${description.status}${detail}`,
      data: { executionArn: description.executionArn, status: description.status },
    });
    return description;
  }

  return {
    has: (arn) => machines.has(arn),
    start,
    async startSync(arn, input, name) {
      const { executionArn } = await start(arn, input, name);
      return executions.get(executionArn)!.done;
    },
    describe: (executionArn) => executions.get(executionArn)?.description,
    list: (arn) => (byMachine.get(arn) ?? []).map((executionArn) => executions.get(executionArn)!.description),
    unsupportedReason: (arn) => machines.get(arn)?.unsupported,
    machines: () =>
      [...machines.values()].map((machine) => ({
        arn: machine.arn,
        name: machine.name,
        type: machine.type,
        ...(machine.unsupported ? { unsupported: machine.unsupported } : {}),
        limitations: (machine.prepared?.tasks ?? []).flatMap((task) => {
          if (task.resource === LOCAL_WAIT_RESOURCE) return [];
          const handler = taskHandlerFor(task.resource, deps);
          return typeof handler === 'function' ? [] : [`Task "${task.name}": ${handler.unsupported}`];
        }),
      })),
    history: (executionArn) => executions.get(executionArn)?.history,
    executionHistory(executionArn) {
      const execution = executions.get(executionArn);
      if (!execution) return undefined;
      const machine = machines.get(execution.description.stateMachineArn);
      const waits = new Set((machine?.prepared?.tasks ?? []).filter((t) => t.resource === LOCAL_WAIT_RESOURCE).map((t) => t.name));
      return awsHistory(execution.history, execution.description, { roleArn: machine?.roleArn, waitStates: waits });
    },
    stop(executionArn, error, cause) {
      const execution = executions.get(executionArn);
      if (!execution) return undefined;
      if (execution.description.status === 'RUNNING') {
        const machine = machineOf(execution.description.stateMachineArn);
        finish(machine, execution, { status: 'ABORTED', ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
        execution.abort?.();
      }
      return execution.description;
    },
    async close() {
      const running = [...executions.values()].filter((e) => e.description.status === 'RUNNING');
      for (const execution of running) {
        finish(machineOf(execution.description.stateMachineArn), execution, { status: 'ABORTED' });
        execution.abort?.();
      }
      await Promise.all(running.map((e) => e.done.catch(() => undefined)));
      closeIntegrationClients(endpoints.dynamodb);
    },
  };
}

/** One event of GetExecutionHistory (the JSON protocol's shape; timestamp in epoch seconds). */
export interface AwsHistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));
const causeText = (value: unknown): string => (value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value ?? null));

/**
 * aws-local-stepfunctions' event log as Step Functions' GetExecutionHistory lists it:
 * ExecutionStarted, <Type>StateEntered/Exited (TaskStateEntered, ChoiceStateExited ...), TaskFailed,
 * MapIterationStarted/Succeeded/Failed, and the execution's end. Retries and catches have no
 * event of their own in AWS's history: each failed attempt is a TaskFailed, and a catch shows as
 * the catcher's state entered. A Wait that runs as a local Task (timestamp or path) is listed as
 * the Wait it is.
 */
export function awsHistory(events: HistoryEvent[], description: ExecutionDescription, options: { roleArn?: string; waitStates?: Set<string> } = {}): AwsHistoryEvent[] {
  const out: AwsHistoryEvent[] = [];
  const add = (timestamp: number, type: string, details: Record<string, unknown> = {}) => {
    out.push({ id: out.length + 1, previousEventId: out.length, timestamp: timestamp / 1000, type, ...details });
  };
  const stateType = (state: any): string => (options.waitStates?.has(state?.name) ? 'Wait' : String(state?.type ?? 'Task'));
  let ended = false;
  for (const event of events as any[]) {
    switch (event.type) {
      case 'ExecutionStarted':
        add(event.timestamp, 'ExecutionStarted', { executionStartedEventDetails: { input: text(event.input), inputDetails: { truncated: false }, ...(options.roleArn ? { roleArn: options.roleArn } : {}) } });
        break;
      case 'StateEntered':
        add(event.timestamp, `${stateType(event.state)}StateEntered`, { stateEnteredEventDetails: { name: event.state.name, input: text(event.state.input), inputDetails: { truncated: false } } });
        break;
      case 'StateExited':
        add(event.timestamp, `${stateType(event.state)}StateExited`, { stateExitedEventDetails: { name: event.state.name, output: text(event.state.output), outputDetails: { truncated: false } } });
        break;
      case 'StateFailed':
        if (stateType(event.state) === 'Task') add(event.timestamp, 'TaskFailed', { taskFailedEventDetails: { resourceType: 'local', resource: event.state.name, error: event.Error, cause: causeText(event.Cause) } });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type[0].toLowerCase()}${event.type.slice(1)}EventDetails`;
        add(event.timestamp, event.type, { [key]: { name: event.parentState?.name, index: event.index } });
        break;
      }
      case 'ExecutionSucceeded':
        ended = true;
        add(event.timestamp, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: text(event.output), outputDetails: { truncated: false } } });
        break;
      case 'ExecutionFailed':
        ended = true;
        add(event.timestamp, 'ExecutionFailed', { executionFailedEventDetails: { error: description.error ?? event.Error, cause: description.cause ?? causeText(event.Cause) } });
        break;
      case 'ExecutionTerminated':
        ended = true;
        add(event.timestamp, description.status === 'TIMED_OUT' ? 'ExecutionTimedOut' : 'ExecutionAborted', {});
        break;
      default:
        break;
    }
  }
  // An execution that could not run (or was stopped before the runner logged its end) still ends in its history.
  if (!ended && description.status !== 'RUNNING') {
    const at = (description.stopDate ?? new Date()).getTime();
    if (!out.length) add(description.startDate.getTime(), 'ExecutionStarted', { executionStartedEventDetails: { input: description.input, inputDetails: { truncated: false }, ...(options.roleArn ? { roleArn: options.roleArn } : {}) } });
    const failure = { error: description.error, cause: description.cause };
    if (description.status === 'SUCCEEDED') add(at, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: description.output, outputDetails: { truncated: false } } });
    else if (description.status === 'FAILED') add(at, 'ExecutionFailed', { executionFailedEventDetails: failure });
    else if (description.status === 'TIMED_OUT') add(at, 'ExecutionTimedOut', { executionTimedOutEventDetails: failure });
    else add(at, 'ExecutionAborted', { executionAbortedEventDetails: failure });
  }
  return out;
}

/** A Wait whose duration comes from a timestamp or the input, scaled like every AWS wait. */
async function waitAtRunTime(task: TaskSite, input: unknown, scale: number): Promise<unknown> {
  const wait = task.wait ?? {};
  let ms = 0;
  if (wait.timestamp) ms = Date.parse(wait.timestamp) - Date.now();
  else if (wait.secondsPath) {
    const seconds = readPath(input, wait.secondsPath);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw new TaskError('States.Runtime', `SecondsPath ${wait.secondsPath} must point to a non-negative integer`, false);
    ms = seconds * 1000;
  } else if (wait.timestampPath) {
    const timestamp = readPath(input, wait.timestampPath);
    const at = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
    if (Number.isNaN(at)) throw new TaskError('States.Runtime', `TimestampPath ${wait.timestampPath} must point to an ISO-8601 timestamp`, false);
    ms = at - Date.now();
  }
  const delay = scaled({ scale }, Math.max(0, ms));
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(delay, 2_147_483_647)));
  return input;
}

/** The simple JSONPaths a Wait's SecondsPath/TimestampPath use (`$.a.b`, `$['a']`, `$.list[0]`). */
function readPath(input: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  let value: any = input;
  for (const step of steps) value = value?.[step as string | number];
  return value;
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
