import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Template } from 'aws-cdk-lib/assertions';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { SagaFunction } from '../../src/lib/saga.js';
import { lambdaContext } from './orders.js';
import { ACCOUNT, handlerOf, logicalIdOfArn, REGION, type Resources, resolve, sagaFunctionOf } from './template.js';

/**
 * A small in-memory EventBridge for the choreography tests, built from the synthesized template:
 * the AWS::Events::Rule resources of the bus (their patterns and targets) and each function's
 * AWS::Lambda::EventInvokeConfig (retries, on-failure destination). There is no EventBridge
 * emulator, so this implements exactly the part of it the saga uses:
 * - event patterns made of exact string matches (arrays of strings), nested objects, and array
 *   fields (an event's `resources` matches when one element does): patternProblems() proves every
 *   rule stays within that subset;
 * - Lambda targets invoked asynchronously: 1 + MaximumRetryAttempts attempts, then the failure
 *   record put on the bus (source "lambda", resources = [function ARN:$LATEST, bus ARN]);
 * - SQS targets recorded as queue messages.
 * Events are delivered one at a time, in the order they were put.
 */

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: any;
}

interface Rule {
  id: string;
  pattern: Record<string, unknown>;
  targets: Array<{ kind: 'lambda'; fn: SagaFunction; arn: string } | { kind: 'sqs'; queue: string }>;
}

export interface Delivery {
  /** The event's detail-type, or "failure of <function>" for a failure record. */
  event: string;
  /** The function (or "queue <logical id>") it went to. */
  target: string;
}

/** The fields and operators of an event pattern this bus understands; anything else is a problem. */
export function patternProblems(pattern: unknown, path = ''): string[] {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [`${path || 'pattern'} must be an object`];
  return Object.entries(pattern).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? [] : [`${at} uses a matcher other than exact strings: ${JSON.stringify(value)}`];
    return patternProblems(value, at);
  });
}

function matches(pattern: Record<string, unknown>, value: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (value as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(expected)) {
      const candidates = Array.isArray(actual) ? actual : [actual];
      return candidates.some((candidate) => expected.includes(candidate));
    }
    return typeof actual === 'object' && actual !== null && matches(expected as Record<string, unknown>, actual);
  });
}

export class InMemoryBus {
  readonly name: string;
  readonly arn: string;
  readonly rules: Rule[];
  readonly deliveries: Delivery[] = [];
  readonly queues = new Map<string, BusEvent[]>();
  /** Events put on the bus by the handlers, as PutEvents received them. */
  readonly published: PutEventsRequestEntry[] = [];
  private readonly retries = new Map<SagaFunction, number>();
  private readonly failsTo = new Map<SagaFunction, string | undefined>();
  private readonly pending: BusEvent[] = [];
  private sequence = 0;
  private refusePuts: Error | undefined;
  /**
   * Make a function fail (`times` attempts): 'before' it does anything, or 'after' its work, when
   * it publishes (PutEvents throws `error`), so it wrote but nobody heard of it.
   */
  readonly faults = new Map<SagaFunction, { error: Error; times: number; when: 'before' | 'after' }>();

  constructor(template: Template) {
    const resources = template.toJSON().Resources as Resources;
    const buses = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::EventBus');
    if (buses.length !== 1) throw new Error(`expected one event bus, found ${buses.length}`);
    const [busId, bus] = buses[0]!;
    this.name = bus.Properties.Name;
    this.arn = resolve(resources, { 'Fn::GetAtt': [busId, 'Arn'] });
    this.rules = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule')
      .map(([id, rule]) => {
        if (resolve(resources, rule.Properties.EventBusName) !== busId) throw new Error(`rule ${id} is not on the saga's bus`);
        const targets = (rule.Properties.Targets as Array<{ Arn: unknown }>).map(({ Arn }) => {
          const arn = resolve(resources, Arn) as string;
          if (arn.startsWith('arn:aws:lambda:')) return { kind: 'lambda' as const, fn: sagaFunctionOf(logicalIdOfArn(arn)), arn };
          if (arn.startsWith('arn:aws:sqs:')) return { kind: 'sqs' as const, queue: logicalIdOfArn(arn) };
          throw new Error(`rule ${id} targets ${arn}, which this bus cannot deliver to`);
        });
        return { id, pattern: resolve(resources, rule.Properties.EventPattern), targets };
      });
    for (const [, config] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig')) {
      const fn = sagaFunctionOf(config.Properties.FunctionName.Ref);
      this.retries.set(fn, config.Properties.MaximumRetryAttempts);
      this.failsTo.set(fn, resolve(resources, config.Properties.DestinationConfig?.OnFailure?.Destination));
    }
  }

  /** Routes the handlers' PutEvents calls onto this bus (the EventBridge client is mocked). */
  connect(mock: AwsClientStub<EventBridgeClient>): void {
    mock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      if (this.refusePuts) throw this.refusePuts;
      for (const entry of input.Entries) {
        if (entry.EventBusName !== this.name) throw new Error(`PutEvents to ${entry.EventBusName}, not the saga's bus ${this.name}`);
        this.published.push(entry);
        this.put(entry.Source!, entry.DetailType!, JSON.parse(entry.Detail!), entry.Resources ?? []);
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: `event-${this.sequence}` })) };
    });
  }

  put(source: string, detailType: string, detail: unknown, resources: string[] = []): void {
    this.sequence += 1;
    this.pending.push({ version: '0', id: `event-${this.sequence}`, 'detail-type': detailType, source, account: ACCOUNT, time: new Date().toISOString(), region: REGION, resources, detail });
  }

  /** Delivers events until none is left (each delivery may publish more). */
  async drain(): Promise<void> {
    for (let event = this.pending.shift(); event; event = this.pending.shift()) {
      const what = event.source === 'lambda' ? `failure of ${sagaFunctionOf(logicalIdOfArn(event.resources[0]!.replace(/:\$LATEST$/, '')))}` : event['detail-type'];
      for (const rule of this.rules.filter((r) => matches(r.pattern, event))) {
        for (const target of rule.targets) {
          if (target.kind === 'sqs') {
            this.deliveries.push({ event: what, target: `queue ${target.queue}` });
            this.queues.set(target.queue, [...(this.queues.get(target.queue) ?? []), event]);
          } else {
            this.deliveries.push({ event: what, target: target.fn });
            await this.invokeAsync(target.fn, target.arn, event);
          }
        }
      }
    }
  }

  /** Lambda's asynchronous invocation: the first attempt and the configured retries, then the on-failure destination. */
  private async invokeAsync(fn: SagaFunction, arn: string, event: BusEvent): Promise<void> {
    const handler = await handlerOf(fn);
    const attempts = 1 + (this.retries.get(fn) ?? 2);
    let last: Error | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      this.invocations.push(fn);
      const fault = this.faults.get(fn);
      const strikes = fault !== undefined && fault.times > 0;
      if (strikes) fault.times -= 1;
      try {
        if (strikes && fault.when === 'before') throw fault.error;
        // 'after': the function does its work, then fails to publish (it wrote, nobody heard).
        this.refusePuts = strikes ? fault.error : undefined;
        await handler(structuredClone(event), lambdaContext(fn));
        return;
      } catch (error) {
        last = error as Error;
      } finally {
        this.refusePuts = undefined;
      }
    }
    const destination = this.failsTo.get(fn);
    if (destination !== this.arn) throw new Error(`${fn} failed every attempt and has no on-failure destination on the bus: ${last?.message}`);
    this.put('lambda', 'Lambda Function Invocation Result - Failure', {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: `req-${this.sequence}`, functionArn: `${arn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: attempts },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: last!.name, errorMessage: last!.message, trace: [] },
    }, [`${arn}:$LATEST`, this.arn]);
  }

  /** Every function invocation, in order, retries included. */
  readonly invocations: SagaFunction[] = [];
}
