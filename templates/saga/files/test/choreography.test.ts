import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FINAL_EVENTS, ORDER_PLACED, ROUTES } from '../src/lib/choreography.js';
import type { ForwardStep, SagaFunction } from '../src/lib/saga.js';
import { createTables, item, type LocalDynamoDb, startDynalite, stock, useEmulatorEnvironment } from './helpers/dynalite.js';
import { InMemoryBus, patternProblems } from './helpers/event-bus.js';
import { WHEN_FAILED, WHEN_REFUSED, withoutRetries } from './helpers/expected.js';
import { lambdaContext, order, refusals } from './helpers/orders.js';
import { lambdaFailure } from './helpers/state-machine.js';
import { handlerOf, synthesize } from './helpers/template.js';

// The choreography option: the project's real handlers, against dynalite, exchanging events through
// an in-memory bus that routes by the rules of the synthesized template (test/helpers/event-bus.ts).
// The EventBridge client is mocked: every PutEvents the handlers make is captured and delivered.

const tables = { inventory: 'chor-inventory', payments: 'chor-payments', shipments: 'chor-shipments' };
const eventBridge = mockClient(EventBridgeClient);
let db: LocalDynamoDb;
let template: Template;
let bus: InMemoryBus;

beforeAll(async () => {
  db = await startDynalite();
  template = synthesize({ coordination: 'choreography' });
  bus = new InMemoryBus(template);
  useEmulatorEnvironment(db.endpoint, tables, { SAGA_COORDINATION: 'choreography', EVENT_BUS_NAME: bus.name });
  await createTables(db, tables);
});
afterAll(async () => {
  eventBridge.restore();
  await db?.stop();
});
beforeEach(async () => {
  eventBridge.reset();
  bus = new InMemoryBus(template);
  bus.connect(eventBridge);
  await stock(db, tables.inventory, 'LAMP-1', 10);
  await stock(db, tables.inventory, 'BOOK-7', 5);
});

const available = async (sku: string) => (await item(db, tables.inventory, { pk: `sku#${sku}` }))?.available;
const payment = (orderId: string) => item(db, tables.payments, { orderId });
const shipment = (orderId: string) => item(db, tables.shipments, { orderId });
const published = () => bus.published.map((entry) => entry.DetailType);
const lastDetail = () => JSON.parse(bus.published.at(-1)!.Detail!);

/** What a checkout service (or `aws events put-events`) does to start a saga. */
async function placeOrder(input: object): Promise<void> {
  bus.put(ORDER_PLACED.source, ORDER_PLACED.detailType, input);
  await bus.drain();
}

describe('the synthesized rules', () => {
  it('use only the event pattern features the in-memory bus implements (exact strings, nested fields)', () => {
    expect(bus.rules.length).toBe(ROUTES.length + 6);
    for (const rule of bus.rules) expect(patternProblems(rule.pattern), rule.id).toEqual([]);
  });

  it('route every saga event to the function of src/lib/choreography.ts, and nothing else', () => {
    const routed = bus.rules
      .filter((rule) => (rule.pattern.source as string[])[0] !== 'lambda')
      .map((rule) => ({ source: (rule.pattern.source as string[])[0], detailType: (rule.pattern['detail-type'] as string[])[0], targets: rule.targets.map((t) => ('fn' in t ? t.fn : t.queue)) }));
    expect(routed).toEqual(expect.arrayContaining(ROUTES.map(({ source, detailType, target }) => ({ source, detailType, targets: [target] }))));
    expect(routed).toHaveLength(ROUTES.length);
    // No rule listens to the final events.
    expect(routed.map((r) => r.detailType)).not.toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^(${FINAL_EVENTS.join('|')})$`))]));
  });
});

describe('an order that goes through', () => {
  it('flows OrderPlaced → InventoryReserved → PaymentCharged → ShipmentArranged', async () => {
    const input = order();
    await placeOrder(input);
    expect(bus.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping']);
    expect(published()).toEqual(['InventoryReserved', 'PaymentCharged', 'ShipmentArranged']);
    expect(lastDetail()).toMatchObject({ orderId: input.orderId, reservation: { reservationId: input.orderId }, payment: { amount: 12_900 }, shipment: { status: 'ARRANGED' } });
    expect(await available('LAMP-1')).toBe(8);
    expect(await payment(input.orderId)).toMatchObject({ status: 'CHARGED' });
  });

  it('publishes only on the saga\'s bus, one entry per PutEvents', () => {
    for (const call of eventBridge.commandCalls(PutEventsCommand)) {
      expect(call.args[0].input.Entries).toHaveLength(1);
      expect(call.args[0].input.Entries![0]!.EventBusName).toBe(bus.name);
    }
  });

  it('is idempotent when EventBridge delivers OrderPlaced twice: one hold, one charge, one shipment', async () => {
    const input = order();
    bus.put(ORDER_PLACED.source, ORDER_PLACED.detailType, input);
    await placeOrder(input);
    expect(bus.invocations).toEqual(['ReserveInventory', 'ReserveInventory', 'ChargePayment', 'ChargePayment', 'ArrangeShipping', 'ArrangeShipping']);
    expect(await available('LAMP-1')).toBe(8);
    expect(await available('BOOK-7')).toBe(4);
    const charges = bus.published.filter((e) => e.DetailType === 'PaymentCharged').map((e) => JSON.parse(e.Detail!).payment.chargeId);
    expect(new Set(charges).size).toBe(1);
    expect(await shipment(input.orderId)).toMatchObject({ status: 'ARRANGED' });
  });
});

describe('the same compensation order as the orchestration', () => {
  it.each(Object.entries(WHEN_REFUSED))('%s refuses the order: exactly the same functions run, in the same order', async (step, { error, runs }) => {
    const input = order(refusals[step as ForwardStep]);
    await placeOrder(input);
    expect(bus.invocations).toEqual(runs);
    expect(lastDetail().saga.failure).toEqual({ step, outcome: 'rejected', error, cause: expect.any(String) });
    expect(FINAL_EVENTS).toContain(published().at(-1));
    expect(await available('LAMP-1')).toBe(10);
    expect(await available('BOOK-7')).toBe(5);
    expect((await payment(input.orderId))?.status ?? 'none').not.toBe('CHARGED');
  });

  it.each(Object.entries(WHEN_FAILED))('%s fails after writing, every retry: it and the steps before it are undone, in the same order', async (step, runs) => {
    const input = order();
    bus.faults.set(step as SagaFunction, { error: lambdaFailure('InternalServerError', 'the write may have happened'), times: Number.POSITIVE_INFINITY, when: 'after' });
    await placeOrder(input);
    // Lambda tries a failing step three times (the first attempt and two retries) before its on-failure destination.
    expect(bus.invocations.filter((fn) => fn === step)).toHaveLength(3);
    expect(withoutRetries(bus.invocations)).toEqual(runs);
    expect(bus.deliveries).toContainEqual({ event: `failure of ${step}`, target: runs[runs.indexOf(step as SagaFunction) + 1] });
    expect(published().at(-1)).toBe('InventoryReleased');
    expect(lastDetail().saga.failure).toMatchObject({ step, outcome: 'failed', error: 'InternalServerError' });
    expect(await available('LAMP-1')).toBe(10);
    if (step !== 'ReserveInventory') expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED' });
    if (step === 'ArrangeShipping') expect(await shipment(input.orderId)).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('a compensation that fails every retry', () => {
  it('goes to the repair queue with its context, and the remaining compensations still run', async () => {
    const input = order(refusals.ArrangeShipping);
    bus.faults.set('RefundPayment', { error: lambdaFailure('ServiceUnavailable', 'The payment provider is unavailable'), times: Number.POSITIVE_INFINITY, when: 'before' });
    await placeOrder(input);
    // compensationRetryAttempts is 3, but Lambda retries an asynchronous invocation at most twice.
    expect(bus.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'RefundPayment', 'RefundPayment', 'ReleaseInventory']);
    expect(bus.deliveries.slice(-2)).toEqual([
      { event: 'failure of RefundPayment', target: 'ReleaseInventory' },
      { event: 'failure of RefundPayment', target: expect.stringMatching(/^queue RepairQueue/) },
    ]);
    const [repair, ...more] = [...bus.queues.values()].flat();
    expect(more).toEqual([]);
    // The message is Lambda's failure record: the event the compensation got (the whole saga state), and its error.
    expect(repair).toMatchObject({
      source: 'lambda',
      detail: {
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/:function:RefundPaymentFunction[0-9A-F]{8}:\$LATEST$/) },
        requestPayload: { 'detail-type': 'ShippingRejected', detail: { orderId: input.orderId, saga: { failure: { step: 'ArrangeShipping', error: 'ShippingUnavailable' } } } },
        responsePayload: { errorType: 'ServiceUnavailable', errorMessage: 'The payment provider is unavailable' },
      },
    });
    // ReleaseInventory ran with the failed refund recorded, as the state machine records it.
    expect(published().at(-1)).toBe('InventoryReleased');
    expect(lastDetail().saga.compensations).toEqual({
      RefundPayment: { Error: 'ServiceUnavailable', Cause: expect.stringContaining('payment provider is unavailable') },
      ReleaseInventory: { outcome: 'undone' },
    });
    expect(await available('LAMP-1')).toBe(10);
    expect(await payment(input.orderId)).toMatchObject({ status: 'CHARGED' });

    // The repair: replay the failed compensation's event from the record once the provider is back.
    const refund = await handlerOf('RefundPayment');
    bus.faults.clear();
    await refund(repair!.detail.requestPayload, lambdaContext());
    expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED' });
  });

  it('is retried by Lambda, and a retry that succeeds carries the saga on', async () => {
    const input = order(refusals.ChargePayment);
    bus.faults.set('ReleaseInventory', { error: lambdaFailure('ServiceUnavailable', 'throttled'), times: 1, when: 'before' });
    await placeOrder(input);
    expect(bus.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ReleaseInventory', 'ReleaseInventory']);
    expect(bus.queues.size).toBe(0);
    expect(await available('LAMP-1')).toBe(10);
  });
});

describe('publishing', () => {
  it('throws when EventBridge refuses the entry, so Lambda retries the invocation', async () => {
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const reserve = await handlerOf('ReserveInventory');
    const event = { version: '0', id: 'e-1', source: ORDER_PLACED.source, 'detail-type': ORDER_PLACED.detailType, detail: order() };
    await expect(reserve(event, lambdaContext())).rejects.toThrow(/EventBridge refused InventoryReserved: InternalFailure try again/);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: bus.name, Source: 'saga.inventory', DetailType: 'InventoryReserved' })],
    });
  });
});
