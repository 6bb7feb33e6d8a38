import { afterEach, describe, expect, it } from 'vitest';

import { createDeliver } from '../../../src/dev/messaging/deliver.js';
import { createEventBuses } from '../../../src/dev/messaging/eventbridge.js';
import { renderTemplate, selectPath } from '../../../src/dev/messaging/input-transform.js';
import { createTopics } from '../../../src/dev/messaging/sns.js';
import { createQueues, type LocalQueues } from '../../../src/dev/messaging/sqs.js';
import type { ResolvedResource } from '../../../src/dev/types.js';
import { bus, fakeApp, functionArn, queue, queueArn, recordingInvoker, recordingLog, recordingStateMachines, rule } from './helpers.js';

let open: LocalQueues[] = [];
afterEach(() => {
  for (const q of open) q.close();
  open = [];
});

const machineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Flow';

function system(resources: ResolvedResource[]) {
  const app = fakeApp(resources);
  const logs = recordingLog();
  const invoker = recordingInvoker({ handler: () => ({ ok: true, payload: null }) });
  const stateMachines = recordingStateMachines([machineArn]);
  const queues = createQueues({ app, timing: { scale: 0.01 }, log: logs.log });
  open.push(queues);
  let topics: ReturnType<typeof createTopics>;
  let buses: ReturnType<typeof createEventBuses>;
  const deliver = createDeliver(() => ({ queues, topics, buses, invoker, stateMachines }));
  topics = createTopics({ app, queues, invoker, deliver, log: logs.log });
  buses = createEventBuses({ app, invoker, deliver, log: logs.log, timing: { scale: 0.01 } });
  return { queues, buses, invoker, stateMachines, logs };
}

const entry = (detail: unknown, extra: Record<string, unknown> = {}) => ({ Source: 'com.example.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail), ...extra });

describe('local EventBridge', () => {
  it('builds the AWS envelope and sends it to matching rules only', async () => {
    const { queues, buses, invoker } = system([
      queue('all-orders'),
      rule('BigOrders', { EventPattern: { source: ['com.example.orders'], detail: { total: [{ numeric: ['>', 100] }] } }, Targets: [{ Id: 'fn', Arn: functionArn('handler') }] }),
      rule('AllOrders', { EventPattern: { 'detail-type': ['OrderPlaced'] }, Targets: [{ Id: 'q', Arn: queueArn('all-orders') }] }),
      rule('Disabled', { State: 'DISABLED', EventPattern: { source: ['com.example.orders'] }, Targets: [{ Id: 'fn', Arn: functionArn('handler') }] }),
    ]);
    const result = await buses.putEvents([entry({ total: 50 }, { Resources: ['arn:x'], Time: new Date('2024-01-02T03:04:05.678Z') }), entry({ total: 500 })]);
    expect(result.FailedEntryCount).toBe(0);
    const ids = result.Entries.map((e) => ('EventId' in e ? e.EventId : ''));
    const messages = await queues.receive('all-orders', { max: 10 });
    const events = messages.map((m) => JSON.parse(m.body));
    expect(events[0]).toEqual({
      version: '0',
      id: ids[0],
      'detail-type': 'OrderPlaced',
      source: 'com.example.orders',
      account: '000000000000',
      time: '2024-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { total: 50 },
    });
    expect(events).toHaveLength(2);
    expect(invoker.asyncCalls).toHaveLength(1);
    expect(invoker.asyncCalls[0]!.event).toMatchObject({ id: ids[1], detail: { total: 500 } });
  });

  it('applies Input, InputPath and InputTransformer per target', async () => {
    const { queues, buses } = system([
      queue('constant'),
      queue('path'),
      queue('transformed'),
      queue('text'),
      rule('Shapes', {
        EventPattern: { source: ['com.example.orders'] },
        Targets: [
          { Id: 'c', Arn: queueArn('constant'), Input: '{"fixed":true}' },
          { Id: 'p', Arn: queueArn('path'), InputPath: '$.detail.customer' },
          {
            Id: 't',
            Arn: queueArn('transformed'),
            InputTransformer: {
              InputPathsMap: { id: '$.detail.orderId', total: '$.detail.total', customer: '$.detail.customer', first: '$.detail.items[0]', gone: '$.detail.gone' },
              InputTemplate: '{"order": <id>, "total": <total>, "who": <customer>, "note": "order <id> by <customer>", "first": "<first>", "rule": "<aws.events.rule-name>", "missing": <gone>, "literal": "<nope>"}',
            },
          },
          { Id: 'x', Arn: queueArn('text'), InputTransformer: { InputPathsMap: { id: '$.detail.orderId' }, InputTemplate: 'Order <id> is "placed"' } },
        ],
      }),
    ]);
    await buses.putEvents([entry({ orderId: 'o-1', total: 12.5, customer: { name: 'Ana' }, items: ['book', 'pen'] })]);
    const body = async (q: string) => (await queues.receive(q, { max: 1 }))[0]!.body;
    expect(await body('constant')).toBe('{"fixed":true}');
    expect(JSON.parse(await body('path'))).toEqual({ name: 'Ana' });
    const transformed = await body('transformed');
    expect(transformed).toBe('{"order": "o-1", "total": 12.5, "who": {"name":"Ana"}, "note": "order o-1 by {name:Ana}", "first": "book", "rule": "Shapes", "missing": null, "literal": "<nope>"}');
    expect(await body('text')).toBe('Order o-1 is "placed"');
  });

  it('validates entries as PutEvents does, per entry', async () => {
    const { buses } = system([]);
    const result = await buses.putEvents([
      entry({ ok: true }),
      { Source: 'x', DetailType: 'y', Detail: '{not json' },
      { Source: 'x', DetailType: 'y', Detail: '[1,2]' },
      { DetailType: 'y', Detail: '{}' },
      { Source: 'aws.ec2', DetailType: 'y', Detail: '{}' },
      entry({}, { EventBusName: 'nope' }),
    ]);
    expect(result.FailedEntryCount).toBe(5);
    expect(result.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual(['ok', 'MalformedDetail', 'MalformedDetail', 'InvalidArgument', 'NotAuthorized', 'ResourceNotFoundException']);
    await expect(buses.putEvents(Array.from({ length: 11 }, () => entry({})))).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('routes custom-bus rules, bus-to-bus forwarding, state machine targets and FIFO group ids', async () => {
    const { queues, buses, stateMachines } = system([
      bus('orders'),
      queue('audit.fifo', { FifoQueue: true }),
      rule('ToOrders', { EventPattern: { source: ['com.example.orders'] }, Targets: [{ Id: 'b', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders' }] }),
      rule('OnOrdersBus', {
        EventBusName: 'orders',
        EventPattern: { source: ['com.example.orders'] },
        Targets: [
          { Id: 'sm', Arn: machineArn, InputPath: '$.detail' },
          { Id: 'fifo', Arn: queueArn('audit.fifo'), SqsParameters: { MessageGroupId: 'audit' } },
        ],
      }),
    ]);
    const [r] = (await buses.putEvents([entry({ n: 1 })])).Entries;
    expect(stateMachines.started).toHaveLength(1);
    expect(JSON.parse(stateMachines.started[0]!.input)).toEqual({ n: 1 });
    const [m] = await queues.receive('audit.fifo', { max: 1 });
    expect(m!.attributes.MessageGroupId).toBe('audit');
    // The forwarded event keeps its id.
    expect(JSON.parse(m!.body).id).toBe(r && 'EventId' in r ? r.EventId : undefined);
  });

  it('sends an undeliverable event to the target DLQ with AWS error attributes', async () => {
    const { queues, buses } = system([
      queue('dlq'),
      rule('Broken', { EventPattern: { source: ['com.example.orders'] }, Targets: [{ Id: 'gone', Arn: functionArn('missing'), DeadLetterConfig: { Arn: queueArn('dlq') } }] }),
    ]);
    await buses.putEvents([entry({ n: 1 })]);
    const [m] = await queues.receive('dlq', { max: 1 });
    expect(JSON.parse(m!.body).detail).toEqual({ n: 1 });
    expect(m!.messageAttributes.RULE_ARN!.StringValue).toBe('arn:aws:events:us-east-1:000000000000:rule/Broken');
    expect(m!.messageAttributes.TARGET_ARN!.StringValue).toBe(functionArn('missing'));
    expect(m!.messageAttributes.ERROR_CODE!.StringValue).toBe('ResourceNotFoundException');
  });

  it('never fires schedules by itself; fireSchedule sends the Scheduled Event', async () => {
    const { buses, invoker, logs } = system([rule('Nightly', { ScheduleExpression: 'rate(1 minute)', Targets: [{ Id: 'fn', Arn: functionArn('handler') }] })]);
    expect(logs.events.some((e) => /on demand/.test(e.message))).toBe(true);
    expect(invoker.asyncCalls).toHaveLength(0);
    await buses.fireSchedule('Nightly');
    expect(invoker.asyncCalls[0]!.event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/Nightly'],
      detail: {},
    });
  });
});

describe('input transformation helpers', () => {
  it('selects JSON paths with indices, quoted names and wildcards', () => {
    const doc = { detail: { 'instance-id': 'i-1', items: [{ n: 1 }, { n: 2 }] } };
    expect(selectPath(doc, '$.detail.instance-id')).toBe('i-1');
    expect(selectPath(doc, "$.detail['instance-id']")).toBe('i-1');
    expect(selectPath(doc, '$.detail.items[1].n')).toBe(2);
    expect(selectPath(doc, '$.detail.items[*].n')).toEqual([1, 2]);
    expect(selectPath(doc, '$')).toBe(doc);
    expect(selectPath(doc, '$.nope')).toBeUndefined();
  });

  it('renders the documented EC2 example', () => {
    const event = { detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' } };
    const out = renderTemplate(
      { InputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state' }, InputTemplate: '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}' },
      event,
      { ruleArn: 'arn', ruleName: 'r', ingestionTime: 't' },
    );
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' });
  });
});
