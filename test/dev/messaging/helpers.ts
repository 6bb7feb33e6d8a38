/** Builds a ResolvedApp-like object from a literal list of resources, with local names, ARNs and URLs as the model gives them. */
import type { DevLogEvent, InvokeResult, Invoker, ResolvedApp, ResolvedResource } from '../../../src/dev/types.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export function fakeApp(resources: ResolvedResource[]): ResolvedApp {
  return {
    assemblyDir: '/nonexistent/cdk.out',
    stacks: [...new Set(resources.map((r) => r.stack))],
    resources,
    outputs: [],
    ofType: (type) => resources.filter((r) => r.type === type),
    find: (refOrArn) => resources.find((r) => r.ref === refOrArn || r.attributes.Arn === refOrArn),
    assetDir: () => undefined,
  };
}

export function queue(name: string, properties: Record<string, unknown> = {}, base = 'http://127.0.0.1:4566'): ResolvedResource {
  const url = `${base}/${ACCOUNT}/${name}`;
  return {
    stack: 'test',
    logicalId: name.replace(/[^A-Za-z0-9]/g, ''),
    type: 'AWS::SQS::Queue',
    properties,
    metadata: {},
    ref: url,
    attributes: { Arn: queueArn(name), QueueName: name, QueueUrl: url },
  };
}

export const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const topicArn = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

export function topic(name: string, properties: Record<string, unknown> = {}): ResolvedResource {
  return { stack: 'test', logicalId: name.replace(/[^A-Za-z0-9]/g, ''), type: 'AWS::SNS::Topic', properties, metadata: {}, ref: topicArn(name), attributes: { TopicArn: topicArn(name), TopicName: name } };
}

export function subscription(logicalId: string, properties: Record<string, unknown>): ResolvedResource {
  return { stack: 'test', logicalId, type: 'AWS::SNS::Subscription', properties, metadata: {}, ref: `${properties.TopicArn}:${logicalId}`, attributes: {} };
}

export function rule(name: string, properties: Record<string, unknown>): ResolvedResource {
  const bus = typeof properties.EventBusName === 'string' ? properties.EventBusName : 'default';
  const arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
  return { stack: 'test', logicalId: name, type: 'AWS::Events::Rule', properties: { Name: name, ...properties }, metadata: {}, ref: name, attributes: { Arn: arn } };
}

export function bus(name: string): ResolvedResource {
  const arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
  return { stack: 'test', logicalId: name, type: 'AWS::Events::EventBus', properties: { Name: name }, metadata: {}, ref: name, attributes: { Arn: arn, Name: name } };
}

export interface RecordingInvoker extends Invoker {
  asyncCalls: Array<{ target: string; event: unknown }>;
  syncCalls: Array<{ target: string; event: unknown }>;
}

/** An Invoker over plain functions, recording every call. */
export function recordingInvoker(handlers: Record<string, (event: unknown) => InvokeResult | Promise<InvokeResult>> = {}): RecordingInvoker {
  const nameOf = (target: string) => target.split(':').pop()!;
  const asyncCalls: RecordingInvoker['asyncCalls'] = [];
  const syncCalls: RecordingInvoker['syncCalls'] = [];
  return {
    asyncCalls,
    syncCalls,
    has: (target) => nameOf(target) in handlers,
    async invoke(target, event) {
      syncCalls.push({ target, event });
      const handler = handlers[nameOf(target)];
      if (!handler) throw new Error(`no function ${target}`);
      return handler(event);
    },
    invokeAsync(target, event) {
      asyncCalls.push({ target, event });
    },
  };
}

export function recordingLog(): { events: DevLogEvent[]; log: (e: DevLogEvent) => void } {
  const events: DevLogEvent[] = [];
  return { events, log: (e) => events.push(e) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

import type { ExecutionDescription, StateMachines } from '../../../src/dev/types.js';

/** A StateMachines that records starts and finishes each execution with its input as output. */
export function recordingStateMachines(arns: string[]): StateMachines & { started: ExecutionDescription[] } {
  const started: ExecutionDescription[] = [];
  const run = (stateMachineArn: string, input: string, name?: string): ExecutionDescription => {
    const execName = name ?? `exec-${started.length + 1}`;
    const d: ExecutionDescription = {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execName}`,
      stateMachineArn,
      name: execName,
      status: 'SUCCEEDED',
      startDate: new Date(1_700_000_000_000),
      stopDate: new Date(1_700_000_001_000),
      input,
      output: input,
    };
    started.push(d);
    return d;
  };
  return {
    started,
    has: (arn) => arns.includes(arn),
    async start(arn, input, name) {
      const d = run(arn, input, name);
      return { executionArn: d.executionArn, startDate: d.startDate };
    },
    async startSync(arn, input, name) {
      return run(arn, input, name);
    },
    describe: (executionArn) => started.find((d) => d.executionArn === executionArn),
    list: (arn) => started.filter((d) => d.stateMachineArn === arn),
    executionHistory(executionArn) {
      const d = started.find((e) => e.executionArn === executionArn);
      if (!d) return undefined;
      return [
        { id: 1, previousEventId: 0, timestamp: d.startDate.getTime() / 1000, type: 'ExecutionStarted', executionStartedEventDetails: { input: d.input, inputDetails: { truncated: false } } },
        { id: 2, previousEventId: 1, timestamp: d.stopDate!.getTime() / 1000, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: d.output, outputDetails: { truncated: false } } },
      ];
    },
    stop(executionArn, error, cause) {
      const d = started.find((e) => e.executionArn === executionArn);
      if (d) Object.assign(d, { status: 'ABORTED', error, cause });
      return d;
    },
  };
}
