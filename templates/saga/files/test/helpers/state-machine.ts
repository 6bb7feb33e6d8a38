import type { Template } from 'aws-cdk-lib/assertions';
import { type StateMachineDefinition, StateMachine } from 'aws-local-stepfunctions';
import type { SagaFunction } from '../../src/lib/saga.js';
import { lambdaContext } from './orders.js';
import { handlerOf, logicalIdOfArn, type Resources, resolve, sagaFunctionOf } from './template.js';

export interface TaskState {
  Type: 'Task';
  Resource: string;
  Parameters?: Record<string, unknown>;
}

/** The state machine definition exactly as synthesized, with its references resolved to fake ARNs. */
export function definitionOf(template: Template): { definition: StateMachineDefinition; logicalId: string } {
  const resources = template.toJSON().Resources as Resources;
  const machines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const [logicalId, machine] = machines[0]!;
  return { definition: JSON.parse(resolve(resources, machine.Properties.DefinitionString)), logicalId };
}

/** Every Task state: a Lambda task (its saga function, found by the logical id its ARN points at) or an SQS send. */
export function tasksOf(definition: StateMachineDefinition): Array<{ state: string; fn?: SagaFunction; resource: string }> {
  return Object.entries(definition.States as Record<string, TaskState>)
    .filter(([, state]) => state.Type === 'Task')
    .map(([state, { Resource }]) => (Resource.startsWith('arn:aws:lambda:') ? { state, fn: sagaFunctionOf(logicalIdOfArn(Resource)), resource: Resource } : { state, resource: Resource }));
}

/** When an injected fault strikes: instead of the work (nothing written), or after it (written, then the function died). */
export type Fault = { when: 'before' | 'after'; error: Error; times?: number };

export interface SagaRun {
  /** Every Lambda task invocation, in order, retries included. */
  invocations: SagaFunction[];
  /** The SQS messages the Report … failure states sent (their MessageBody). */
  repairMessages: Array<Record<string, any>>;
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, any>;
  error?: { Error: string; Cause: unknown };
  /** The states entered, in order. */
  states: string[];
}

/**
 * The error a Lambda task reports to Step Functions when the function throws: the error type as
 * Error, and the runtime's error payload (JSON) as Cause.
 */
function asLambdaError(error: Error): Error {
  const reported = new Error(JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }));
  reported.name = error.name;
  return reported;
}

/**
 * Runs the synthesized state machine with aws-local-stepfunctions. Every Task is overridden (a Task
 * without an override would call AWS): Lambda tasks run the project's own handler of the function
 * their ARN names, against dynalite; the SQS task records the message. `faults` make a function
 * fail, the way Lambda would report it.
 */
export async function runSaga(
  template: Template,
  input: object,
  faults: Partial<Record<SagaFunction, Fault>> = {},
): Promise<SagaRun> {
  const { definition } = definitionOf(template);
  const run: SagaRun = { invocations: [], repairMessages: [], status: 'SUCCEEDED', states: [] };
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  const remaining = new Map(Object.entries(faults).map(([fn, fault]) => [fn, fault.times ?? Number.POSITIVE_INFINITY]));
  for (const { state, fn, resource } of tasksOf(definition)) {
    if (fn) {
      const handler = await handlerOf(fn);
      handlers[state] = async (taskInput) => {
        run.invocations.push(fn);
        const fault = faults[fn];
        const strikes = fault !== undefined && remaining.get(fn)! > 0;
        if (strikes) remaining.set(fn, remaining.get(fn)! - 1);
        if (strikes && fault.when === 'before') throw asLambdaError(fault.error);
        let result: unknown;
        try {
          result = await handler(structuredClone(taskInput), lambdaContext(fn));
        } catch (error) {
          throw asLambdaError(error as Error);
        }
        if (strikes) throw asLambdaError(fault.error);
        // What Lambda returns is JSON: undefined fields disappear, dates are strings.
        return JSON.parse(JSON.stringify(result ?? null));
      };
    } else if (resource === 'arn:aws:states:::sqs:sendMessage') {
      handlers[state] = async (taskInput) => {
        run.repairMessages.push(taskInput.MessageBody);
        return { MessageId: `message-${run.repairMessages.length}`, MD5OfMessageBody: 'x' };
      };
    } else {
      throw new Error(`Task ${state} calls ${resource}, which these tests do not know how to run locally`);
    }
  }
  const retryIntervalOverrides = Object.fromEntries(Object.keys(definition.States).map((state) => [state, 0]));
  const orderId = String((input as { orderId?: unknown }).orderId);
  const execution = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } }).run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:123456789012:execution:saga:${orderId}`,
        Name: orderId,
        Input: input as never,
        StartTime: new Date().toISOString(),
      },
    },
  });
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') run.states.push((event as unknown as { state: { name: string } }).state.name);
    if (event.type === 'ExecutionSucceeded') run.output = (event as unknown as { output: Record<string, any> }).output;
    if (event.type === 'ExecutionFailed') {
      run.status = 'FAILED';
      run.error = { Error: (event as unknown as { Error: string }).Error, Cause: (event as unknown as { Cause: unknown }).Cause };
    }
  }
  await execution.result.catch(() => undefined);
  return run;
}

/** A Lambda error as the runtime names it. */
export function lambdaFailure(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
