import type { Context } from 'aws-lambda';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { buildApp } from '../../infra/build-app.js';
import type { Options } from '../../infra/config.js';
import { TASK_FUNCTIONS, type TaskFunction } from '../../infra/constructs/order-workflow.js';
import { testApp } from '../sprout/cdk-app.js';
import { lambdaContext } from './lambda.js';

// Runs the state machine exactly as `cdk synth` writes it, locally, with aws-local-stepfunctions:
// every Task state is served by the project's own handler for the function it invokes, found by
// the function's logical id in the synthesized template (not by the state's name, so renaming a
// state or pointing it at another function cannot go unnoticed).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Handler = (event: unknown, context: Context) => Promise<unknown>;
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** The ARN a function's `Fn::GetAtt [LogicalId, Arn]` stands for in these tests. */
export const functionArn = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;

export interface TaskState {
  /** The state's name in the definition (PriceLine, …). */
  state: string;
  /** The logical id of the function its Resource (the function's ARN) names. */
  logicalId: string;
  /** The handler file in src/functions/ that the function bundles. */
  entry: TaskFunction;
}

export interface SynthesizedWorkflow {
  template: Template;
  stateMachineLogicalId: string;
  definition: StateMachineDefinition & Record<string, unknown>;
  tasks: TaskState[];
}

/**
 * Synthesizes the app (with `options` over sprout.json's) and returns the state machine's
 * definition from the cloud assembly, with every Task state mapped to its handler.
 */
export function synthesizeWorkflow(options: Partial<Options> = {}): SynthesizedWorkflow {
  const test = testApp({ bundle: false });
  try {
    const stack = buildApp(test.app, options);
    const template = test.app.synth().getStackByName(stack.stackName).template as Template;
    const entryByLogicalId = new Map<string, TaskFunction>(
      TASK_FUNCTIONS.map((entry) => [stack.getLogicalId(stack.workflow.functions[entry].function.node.defaultChild as never), entry]),
    );
    const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
    if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
    const [stateMachineLogicalId, machine] = machines[0]!;
    const definition = JSON.parse(resolveDefinition(machine.Properties?.DefinitionString, template));
    const tasks = taskStates(definition).map(({ state, functionName }) => {
      const logicalId = functionName.match(/:function:([A-Za-z0-9]+)$/)?.[1];
      const entry = logicalId ? entryByLogicalId.get(logicalId) : undefined;
      if (!logicalId || !entry) throw new Error(`Task state ${state} invokes ${functionName}, which is not one of the project's task functions`);
      return { state, logicalId, entry };
    });
    return { template, stateMachineLogicalId, definition, tasks };
  } finally {
    test.cleanUp();
  }
}

/** DefinitionString is an Fn::Join of JSON text, the partition and each function's ARN. */
function resolveDefinition(value: unknown, template: Template): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveDefinition(part, template)).join(separator);
  }
  if (intrinsic.Ref === 'AWS::Partition') return 'aws';
  if (intrinsic.Ref === 'AWS::Region') return REGION;
  if (intrinsic.Ref === 'AWS::AccountId') return ACCOUNT;
  const getAtt = intrinsic['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt?.[1] === 'Arn' && template.Resources[getAtt[0]]?.Type === 'AWS::Lambda::Function') return functionArn(getAtt[0]);
  throw new Error(`the definition refers to something these tests cannot stand in for: ${JSON.stringify(value)}`);
}

/** Every Task state, at any depth (Parallel branches, Map item processors), with the function it invokes. */
function taskStates(definition: { States: Record<string, Record<string, unknown>> }): Array<{ state: string; functionName: string }> {
  const found: Array<{ state: string; functionName: string }> = [];
  for (const [state, body] of Object.entries(definition.States)) {
    if (body.Type === 'Task') {
      // Resource is the function's ARN (LambdaInvoke with payloadResponseOnly): anything else
      // (another integration, Parameters reshaping the event) is not what this runner stands in for.
      if ('Parameters' in body) throw new Error(`Task state ${state} has Parameters, which this runner does not stand in for`);
      found.push({ state, functionName: String(body.Resource) });
    }
    for (const branch of (body.Branches as Array<typeof definition>) ?? []) found.push(...taskStates(branch));
    const processor = (body.ItemProcessor ?? body.Iterator) as typeof definition | undefined;
    if (processor) found.push(...taskStates(processor));
  }
  return found;
}

/** An error as the Lambda service reports it (throttling, a service fault, a timeout): the function never ran, or ran without answering. */
export function lambdaServiceError(name: `Lambda.${string}`, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/**
 * What Step Functions makes of an error a Node.js function threw: the runtime reports
 * { errorType: error.name, errorMessage, trace }, the state's Error is the errorType and its
 * Cause that JSON text.
 */
function functionError(error: unknown): Error {
  const thrown = error instanceof Error ? error : new Error(String(error));
  const cause = JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message, trace: (thrown.stack ?? '').split('\n') });
  return Object.assign(new Error(cause), { name: thrown.name });
}

export interface Invocation {
  state: string;
  entry: TaskFunction;
  payload: unknown;
}

export interface RunOptions {
  /**
   * Errors to raise, in order, on the next invocations of a state before its handler is called
   * again: `Lambda.*` errors as the service raises them, any other error as thrown by the function.
   */
  faults?: Record<string, Error[]>;
}

export interface Run {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
  invocations: Invocation[];
  /** The states entered, in order (Map iterations and Parallel branches interleave). */
  entered: string[];
  /** How often each state was retried. */
  retried: Record<string, number>;
  /** How often each Task state called Lambda, retries included. */
  attempts: Record<string, number>;
}

/** The project's handler modules, by their file name (the `entry` each SproutFunction bundles). */
const HANDLER_MODULES: Record<TaskFunction, () => Promise<{ handler: unknown }>> = {
  'validate-order': () => import('../../src/functions/validate-order.js'),
  'price-line': () => import('../../src/functions/price-line.js'),
  'assess-risk': () => import('../../src/functions/assess-risk.js'),
  'build-quote': () => import('../../src/functions/build-quote.js'),
};
const handlerOf = async (entry: TaskFunction): Promise<Handler> => (await HANDLER_MODULES[entry]()).handler as Handler;

/** Starts an execution of the synthesized definition and waits for it to end. */
export async function runWorkflow(workflow: SynthesizedWorkflow, input: unknown, options: RunOptions = {}): Promise<Run> {
  // A copy: aws-local-stepfunctions writes defaults (QueryLanguage) into the definition it is given.
  const machine = new StateMachine(structuredClone(workflow.definition), { validationOptions: { checkPaths: true, checkArn: true } });
  const invocations: Invocation[] = [];
  const attempts: Record<string, number> = {};
  const faults = Object.fromEntries(Object.entries(options.faults ?? {}).map(([state, errors]) => [state, [...errors]]));
  const taskResourceLocalHandlers = Object.fromEntries(
    workflow.tasks.map(({ state, logicalId, entry }) => [
      state,
      // With the function's ARN as Resource, the state's input is the event and the handler's
      // return value is the state's result.
      async (input: unknown) => {
        attempts[state] = (attempts[state] ?? 0) + 1;
        const fault = faults[state]?.shift();
        if (fault?.name.startsWith('Lambda.')) throw fault;
        // Lambda hands the function a JSON copy of the event, and returns a JSON copy of its result
        // (null for undefined).
        const payload = JSON.parse(JSON.stringify(input));
        invocations.push({ state, entry, payload });
        try {
          if (fault) throw fault;
          const result = await (await handlerOf(entry))(payload, lambdaContext(logicalId));
          return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as Json);
        } catch (error) {
          throw functionError(error);
        }
      },
    ]),
  );
  // Retries happen at once: the intervals, backoff and jitter are asserted on the definition instead.
  const retryIntervalOverrides = Object.fromEntries(workflow.tasks.map(({ state }) => [state, 0]));
  const execution = machine.run(input as Json, { overrides: { taskResourceLocalHandlers, retryIntervalOverrides } });

  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let run: Pick<Run, 'status' | 'output' | 'error' | 'cause'>;
  try {
    run = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const failure = error.cause as Error;
    run = { status: 'FAILED', error: failure.name, cause: failure.message };
  }
  await collected;
  const entered = events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : []));
  const retried: Record<string, number> = {};
  for (const event of events) if (event.type === 'StateRetried') retried[event.state.name] = (retried[event.state.name] ?? 0) + 1;
  return { ...run, events, invocations, entered, retried, attempts };
}
