import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { createStateMachines } from '../../../src/dev/step-functions/state-machines.js';
import type { Deliver, DevLogEvent, Queues, SendInput } from '../../../src/dev/types.js';
import { fakeApp, fakeInvoker, namedError, type FakeHandler } from '../helpers/fakes.js';

const sagaDefinition = readFileSync(new URL('./fixtures/saga-definition.json', import.meta.url), 'utf8');
const SAGA_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:saga-Orchestration';
const REPAIR_QUEUE = 'http://127.0.0.1:4566/000000000000/saga-repair';

function recordingQueues() {
  const sent: Array<{ queue: string; input: SendInput }> = [];
  const queues: Queues = {
    has: (q) => q === REPAIR_QUEUE,
    async send(queue, input) {
      sent.push({ queue, input });
      return { messageId: `m-${sent.length}`, md5OfBody: 'md5' };
    },
    receive: async () => [],
    delete: () => undefined,
    changeVisibility: () => undefined,
    counts: () => ({ visible: 0, inFlight: 0, delayed: 0 }),
    arnOf: (q) => q,
  };
  return { queues, sent };
}

function machinesFor(definitions: Record<string, string | object>, handlers: Record<string, FakeHandler>, scale = 0.001) {
  const app = fakeApp(
    Object.entries(definitions).map(([arn, definition]) => ({
      type: 'AWS::StepFunctions::StateMachine',
      logicalId: arn.split(':').pop()!,
      ref: arn,
      attributes: { Arn: arn, Name: arn.split(':').pop()! },
      properties: typeof definition === 'string' ? { DefinitionString: definition } : { Definition: definition },
    })),
  );
  const { invoker, calls, asyncCalls } = fakeInvoker(handlers);
  const { queues, sent } = recordingQueues();
  const delivered: Array<{ arn: string; message: Parameters<Deliver>[1] }> = [];
  const deliver: Deliver = async (arn, message) => {
    delivered.push({ arn, message });
  };
  const logs: DevLogEvent[] = [];
  const machines = createStateMachines({ app, invoker, deliver, queues, endpoints: { dynamodb: 'http://127.0.0.1:1' }, log: (e) => logs.push(e), timing: { scale } });
  return { machines, calls, asyncCalls, sent, delivered, logs };
}

const ok = (result: unknown) => () => result;
const sagaHandlers = (overrides: Record<string, FakeHandler> = {}): Record<string, FakeHandler> => ({
  'saga-reserve': ok({ reservationId: 'r-1' }),
  'saga-charge': ok({ paymentId: 'p-1' }),
  'saga-ship': ok({ shipmentId: 's-1' }),
  'saga-cancel-shipment': ok({ cancelled: true }),
  'saga-refund': ok({ refunded: true }),
  'saga-release': ok({ released: true }),
  ...overrides,
});

describe('createStateMachines: the saga pattern run by aws-local-stepfunctions', () => {
  it('runs every step and succeeds, each Task result at its ResultPath', async () => {
    const { machines, calls, logs } = machinesFor({ [SAGA_ARN]: sagaDefinition }, sagaHandlers());
    const done = await machines.startSync(SAGA_ARN, JSON.stringify({ orderId: 'o-1' }), 'happy');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:saga-Orchestration:happy');
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-1', reservation: { reservationId: 'r-1' }, payment: { paymentId: 'p-1' }, shipment: { shipmentId: 's-1' } });
    expect(calls.map((c) => c.name)).toEqual(['saga-reserve', 'saga-charge', 'saga-ship']);
    expect(machines.describe(done.executionArn)).toBe(done);
    expect(machines.list(SAGA_ARN)).toEqual([done]);
    expect(logs.filter((l) => l.kind === 'trigger' && l.source === 'saga-Orchestration').map((l) => l.message)).toContain('happy: → ChargePayment');
  });

  it('a failing step runs the compensations in reverse order and fails with the Fail state error', async () => {
    const { machines, calls } = machinesFor({ [SAGA_ARN]: sagaDefinition }, sagaHandlers({ 'saga-ship': () => { throw new TypeError('carrier down'); } }));
    const done = await machines.startSync(SAGA_ARN, JSON.stringify({ orderId: 'o-2' }));
    expect(calls.map((c) => c.name)).toEqual(['saga-reserve', 'saga-charge', 'saga-ship', 'saga-cancel-shipment', 'saga-refund', 'saga-release']);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('OrderFailed');
    expect(done.cause).toBe('Order o-2 failed at ArrangeShipping (failed TypeError); what it had done was compensated. A compensation that could not be done is in the repair queue.');
    // Catch ResultPath $.error carries AWS's Lambda error shape: Error = errorType, Cause = the error payload as JSON.
    const cancelEvent = calls.find((c) => c.name === 'saga-cancel-shipment')!.event;
    expect(cancelEvent.error.Error).toBe('TypeError');
    expect(JSON.parse(cancelEvent.error.Cause)).toEqual({ errorType: 'TypeError', errorMessage: 'carrier down', trace: [] });
    expect(cancelEvent.saga.failure).toEqual({ step: 'ArrangeShipping', outcome: 'failed', error: 'TypeError', cause: cancelEvent.error.Cause });
    expect(calls.find((c) => c.name === 'saga-release')!.event.saga.compensations).toEqual({ CancelShipment: { cancelled: true }, RefundPayment: { refunded: true } });
  });

  it('a business rejection is caught by its own catcher (error name match) and compensates only what was done', async () => {
    const { machines, calls } = machinesFor({ [SAGA_ARN]: sagaDefinition }, sagaHandlers({ 'saga-charge': () => { throw namedError('PaymentDeclined', 'card declined'); } }));
    const done = await machines.startSync(SAGA_ARN, JSON.stringify({ orderId: 'o-3' }));
    expect(calls.map((c) => c.name)).toEqual(['saga-reserve', 'saga-charge', 'saga-release']);
    expect(calls[2]!.event.saga.failure.outcome).toBe('rejected');
    expect(done.cause).toContain('failed at ChargePayment (rejected PaymentDeclined)');
  });

  it('retries on a matching error name (scaled interval) and then succeeds', async () => {
    let attempts = 0;
    const { machines, calls, logs } = machinesFor(
      { [SAGA_ARN]: sagaDefinition },
      sagaHandlers({
        'saga-charge': () => {
          attempts += 1;
          if (attempts < 3) throw namedError('Lambda.ServiceException', 'throttled inside');
          return { paymentId: 'p-2' };
        },
      }),
    );
    const started = Date.now();
    const done = await machines.startSync(SAGA_ARN, JSON.stringify({ orderId: 'o-4' }));
    expect(done.status).toBe('SUCCEEDED');
    expect(attempts).toBe(3);
    expect(calls.filter((c) => c.name === 'saga-charge')).toHaveLength(3);
    // IntervalSeconds 2 and 4 at AWS timing; scale 0.001 makes both a few milliseconds.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(machines.history(done.executionArn)!.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
    expect(logs.some((l) => l.message.includes('ChargePayment retried'))).toBe(true);
  });

  it('a compensation that keeps failing is retried, caught and reported to the repair queue through sqs:sendMessage', async () => {
    const { machines, calls, sent } = machinesFor({ [SAGA_ARN]: sagaDefinition }, sagaHandlers({ 'saga-ship': () => { throw new Error('boom'); }, 'saga-refund': () => { throw new Error('bank offline'); } }));
    const done = await machines.startSync(SAGA_ARN, JSON.stringify({ orderId: 'o-5' }), 'repair');
    expect(calls.filter((c) => c.name === 'saga-refund')).toHaveLength(4); // 1 + MaxAttempts 3
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queue).toBe(REPAIR_QUEUE);
    const body = JSON.parse(sent[0]!.input.body);
    expect(body).toMatchObject({ orderId: 'o-5', executionId: done.executionArn, failedStep: 'ArrangeShipping', failedCompensation: 'RefundPayment', order: { orderId: 'o-5' } });
    expect(body.compensationError.Error).toBe('Error');
    expect(calls.at(-1)!.name).toBe('saga-release');
    expect(done.status).toBe('FAILED');
  });
});

describe('createStateMachines: integrations, waits and limits', () => {
  const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';

  it('scales a Wait: 10 s at scale 0.01 takes about 100 ms; SecondsPath too', async () => {
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, Next: 'P' }, P: { Type: 'Wait', SecondsPath: '$.delay', End: true } } };
    const { machines } = machinesFor({ [ARN]: definition }, {}, 0.01);
    const started = Date.now();
    const done = await machines.startSync(ARN, JSON.stringify({ delay: 20 }));
    const elapsed = Date.now() - started;
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ delay: 20 });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
  });

  it('lambda:invoke returns the AWS response shape; ResultSelector and a Lambda error name work like AWS', async () => {
    const definition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:double', 'Payload.$': '$' },
          ResultSelector: { 'value.$': '$.Payload.value', 'status.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' },
          ResultPath: '$.result', Next: 'Fail again',
        },
        'Fail again': {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'broken', Payload: { x: 1 } },
          Catch: [{ ErrorEquals: ['Validation'], ResultPath: '$.caught', Next: 'Done' }], End: true,
        },
        Done: { Type: 'Succeed' },
      },
    };
    const { machines, calls } = machinesFor({ [ARN]: definition }, { double: (e: any) => ({ value: e.n * 2 }), broken: () => { throw namedError('Validation', 'bad x'); } });
    const done = await machines.startSync(ARN, JSON.stringify({ n: 21 }));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.result).toEqual({ value: 42, status: 200, version: '$LATEST' });
    expect(output.caught).toEqual({ Error: 'Validation', Cause: JSON.stringify({ errorType: 'Validation', errorMessage: 'bad x', trace: [] }) });
    expect(calls[0]!.event).toEqual({ n: 21 });
    expect(calls[1]!.event).toEqual({ x: 1 });
  });

  it('runs Tasks nested in Parallel branches and Map processors; an unknown function fails with Lambda.ResourceNotFoundException', async () => {
    const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel', End: true, ResultSelector: { 'lines.$': '$[0]', 'risk.$': '$[1]' },
          Branches: [
            { StartAt: 'Lines', States: { Lines: { Type: 'Map', ItemsPath: '$.items', ItemSelector: { 'item.$': '$$.Map.Item.Value' }, ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Price', States: { Price: { Type: 'Task', Resource: fn('price'), End: true } } }, End: true } } },
            { StartAt: 'Risk', States: { Risk: { Type: 'Task', Resource: fn('risk'), End: true } } },
          ],
        },
      },
    };
    const { machines } = machinesFor({ [ARN]: definition, [`${ARN}2`]: { StartAt: 'X', States: { X: { Type: 'Task', Resource: fn('missing'), End: true } } } }, { price: (e: any) => e.item * 10, risk: () => 'low' });
    const done = await machines.startSync(ARN, JSON.stringify({ items: [1, 2, 3] }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ lines: [10, 20, 30], risk: 'low' });
    const missing = await machines.startSync(`${ARN}2`, '{}');
    expect(missing).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('sns:publish, events:putEvents go through Deliver; states:startExecution.sync waits for the child', async () => {
    const child = `${ARN}-child`;
    const definition = {
      StartAt: 'Publish',
      States: {
        Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: { 'id.$': '$.id' } }, ResultPath: '$.sns', Next: 'Put' },
        Put: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [{ Source: 'shop', DetailType: 'Placed', Detail: { 'id.$': '$.id' } }] }, ResultPath: '$.events', Next: 'Child' },
        Child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child, Input: { 'id.$': '$.id' } }, ResultSelector: { 'out.$': '$.Output', 'status.$': '$.Status' }, ResultPath: '$.child', End: true },
      },
    };
    const { machines, delivered } = machinesFor({ [ARN]: definition, [child]: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'echo.$': '$.id' }, End: true } } } }, {});
    const done = await machines.startSync(ARN, JSON.stringify({ id: 'x1' }));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.child).toEqual({ out: { echo: 'x1' }, status: 'SUCCEEDED' });
    expect(output.events.FailedEntryCount).toBe(0);
    expect(typeof output.sns.MessageId).toBe('string');
    expect(delivered[0]).toEqual({ arn: 'arn:aws:sns:us-east-1:000000000000:t', message: { body: '{"id":"x1"}' } });
    expect(delivered[1]).toEqual({ arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default', message: { body: '{"id":"x1"}', event: { source: 'shop', detailType: 'Placed', detail: '{"id":"x1"}' } } });
    expect(machines.list(child)).toHaveLength(1);
  });

  it('reports a Distributed Map with ItemReader as unsupported and fails its executions with that cause', async () => {
    const definition = { StartAt: 'M', States: { M: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'T', States: { T: { Type: 'Pass', End: true } } }, End: true } } };
    const { machines } = machinesFor({ [ARN]: definition }, {});
    expect(machines.unsupportedReason(ARN)).toMatch(/Distributed Map "M" uses ItemReader/);
    const done = await machines.startSync(ARN, '{}');
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toMatch(/cannot run locally: Distributed Map "M" uses ItemReader/);
  });

  it('an unsupported integration pattern fails with States.Runtime, which States.ALL does not catch', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true }, C: { Type: 'Succeed' } } };
    const { machines } = machinesFor({ [ARN]: definition }, { f: ok(1) });
    const done = await machines.startSync(ARN, '{}');
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toMatch(/waitForTaskToken pattern is not supported/);
    expect(machines.machines()[0]!.limitations).toEqual([expect.stringMatching(/^Task "T": .*waitForTaskToken/)]);
  });

  it('rejects a duplicate execution name and an unknown machine like AWS', async () => {
    const { machines } = machinesFor({ [ARN]: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }, {});
    await machines.startSync(ARN, '{}', 'once');
    await expect(machines.start(ARN, '{}', 'once')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(machines.start(`${ARN}-nope`, '{}')).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('createStateMachines: executionHistory, as GetExecutionHistory lists it', () => {
  const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:h';

  it('lists the execution, each state entered and exited by its type, a failed Task attempt and the end', async () => {
    const definition = {
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Nap' }], Default: 'Stop' },
        Nap: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Work' },
        Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work', Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1 }], End: true },
        Stop: { Type: 'Fail', Error: 'NoGo', Cause: 'go was not true' },
      },
    };
    let attempts = 0;
    const { machines } = machinesFor({ [ARN]: definition }, {
      work: () => {
        attempts += 1;
        if (attempts === 1) throw namedError('Flaky', 'first try');
        return { worked: true };
      },
    });
    const done = await machines.startSync(ARN, JSON.stringify({ go: true, delay: 1 }), 'ok');
    expect(done.status).toBe('SUCCEEDED');
    const events = machines.executionHistory(done.executionArn)!;
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      // A Wait with a SecondsPath runs as a local Task: it is still listed as the Wait it is.
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      // A retry stays in the state, as in AWS: the failed attempt, then the state's exit.
      'TaskFailed',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[3]!.previousEventId).toBe(3);
    expect(events[0]).toMatchObject({ executionStartedEventDetails: { input: '{"go":true,"delay":1}' } });
    expect(events[1]).toMatchObject({ stateEnteredEventDetails: { name: 'Check', input: '{"go":true,"delay":1}' } });
    expect(events[6]).toMatchObject({ taskFailedEventDetails: { error: 'Flaky' } });
    expect(events.at(-1)).toMatchObject({ executionSucceededEventDetails: { output: '{"worked":true}' } });
    expect(events[0]!.timestamp).toBeGreaterThan(1_700_000_000);
    expect(events[0]!.timestamp).toBeLessThan(10_000_000_000); // epoch seconds

    const failed = await machines.startSync(ARN, JSON.stringify({ go: false }), 'no');
    expect(machines.executionHistory(failed.executionArn)!.map((e) => e.type)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed']);
    expect(machines.executionHistory(failed.executionArn)!.at(-1)).toMatchObject({ executionFailedEventDetails: { error: 'NoGo', cause: 'go was not true' } });
    expect(machines.executionHistory(`${ARN.replace(':stateMachine:', ':execution:')}:nope`)).toBeUndefined();
  });
});

describe('createStateMachines: the state-machine pattern (Parallel ‖ Map, Choice, StringToJson of a Lambda error Cause)', () => {
  const ORDERS = 'arn:aws:states:us-east-1:000000000000:stateMachine:orders';
  const definition = readFileSync(new URL('./fixtures/orders-definition.json', import.meta.url), 'utf8');
  const handlers = (validate: FakeHandler) => ({
    'orders-validate': validate,
    'orders-price-line': (e: any) => ({ sku: e.item.sku, price: e.item.qty * 10 }),
    'orders-assess-risk': () => ({ level: 'low' }),
    'orders-build-quote': (e: any) => ({ orderId: e.orderId, total: e.pricing.lines.reduce((n: number, l: any) => n + l.price, 0) }),
  });

  it('prices each line in the Map inside the Parallel branch and quotes', async () => {
    const { machines } = machinesFor({ [ORDERS]: definition }, handlers((e) => e));
    const done = await machines.startSync(ORDERS, JSON.stringify({ orderId: 'o-9', customer: { id: 'c', tier: 'gold' }, items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-9', total: 30 });
  });

  it('a ValidationError is caught and its Cause parsed with States.StringToJson into a rejection result', async () => {
    const { machines } = machinesFor({ [ORDERS]: definition }, handlers(() => { throw namedError('ValidationError', 'items must not be empty'); }));
    const done = await machines.startSync(ORDERS, JSON.stringify({ orderId: 'o-10', customer: { id: 'c', tier: 'gold' }, items: [] }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ status: 'rejected', reason: 'items must not be empty' });
  });
});
