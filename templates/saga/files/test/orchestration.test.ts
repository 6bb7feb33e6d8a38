import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ForwardStep, SagaFunction } from '../src/lib/saga.js';
import { WHEN_FAILED, WHEN_REFUSED } from './helpers/expected.js';
import { createTables, item, type LocalDynamoDb, startDynalite, stock, useEmulatorEnvironment } from './helpers/dynalite.js';
import { lambdaContext, order, refusals } from './helpers/orders.js';
import { definitionOf, lambdaFailure, runSaga, tasksOf } from './helpers/state-machine.js';
import { handlerOf, synthesize } from './helpers/template.js';

// The state machine exactly as `cdk synth` writes it, run by aws-local-stepfunctions; every Lambda
// task runs the project's own handler (chosen by the function its ARN names) against dynalite.

const tables = { inventory: 'orch-inventory', payments: 'orch-payments', shipments: 'orch-shipments' };
let db: LocalDynamoDb;
let template: Template;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, tables, { SAGA_COORDINATION: 'orchestration' });
  await createTables(db, tables);
  template = synthesize();
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  await stock(db, tables.inventory, 'LAMP-1', 10);
  await stock(db, tables.inventory, 'BOOK-7', 5);
});

const available = async (sku: string) => (await item(db, tables.inventory, { pk: `sku#${sku}` }))?.available;
const payment = (orderId: string) => item(db, tables.payments, { orderId });
const shipment = (orderId: string) => item(db, tables.shipments, { orderId });
const reservation = (orderId: string) => item(db, tables.inventory, { pk: `reservation#${orderId}` });

/** A DynamoDB write that went through, but its answer was lost: the function cannot tell. */
const lostResponse = () => lambdaFailure('InternalServerError', 'Internal server error (the write may have happened)');

describe('the synthesized state machine', () => {
  it('runs the six saga functions, each Task pointing at the function of its name, and reports to SQS', () => {
    const tasks = tasksOf(definitionOf(template).definition);
    expect(tasks.filter((t) => t.fn).map((t) => [t.state, t.fn])).toEqual(
      expect.arrayContaining(
        (['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'CancelShipment', 'RefundPayment', 'ReleaseInventory'] as const).map((fn) => [fn, fn]),
      ),
    );
    expect(tasks.filter((t) => t.fn)).toHaveLength(6);
    expect(tasks.filter((t) => !t.fn).map((t) => `${t.state}: ${t.resource}`).sort()).toEqual([
      'Report CancelShipment failure: arn:aws:states:::sqs:sendMessage',
      'Report RefundPayment failure: arn:aws:states:::sqs:sendMessage',
      'Report ReleaseInventory failure: arn:aws:states:::sqs:sendMessage',
    ]);
  });
});

describe('an order that goes through', () => {
  it('reserves, charges and ships, in that order, and ends confirmed', async () => {
    const input = order();
    const run = await runSaga(template, input);
    expect(run.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.at(-1)).toBe('OrderConfirmed');
    expect(run.output).toMatchObject({
      orderId: input.orderId,
      reservation: { reservationId: input.orderId, items: input.items },
      payment: { chargeId: expect.stringMatching(/^ch_/), amount: 12_900, currency: 'EUR' },
      shipment: { status: 'ARRANGED', serviceLevel: 'standard', trackingNumber: expect.stringMatching(/^TRK/) },
    });
    expect(await available('LAMP-1')).toBe(8);
    expect(await available('BOOK-7')).toBe(4);
    expect(await payment(input.orderId)).toMatchObject({ status: 'CHARGED', amount: 12_900 });
    expect(await shipment(input.orderId)).toMatchObject({ status: 'ARRANGED' });
    expect(run.repairMessages).toEqual([]);
  });
});

describe('a step that refuses the order: the steps before it are undone, last first', () => {
  const cases = Object.entries(WHEN_REFUSED).map(([step, { error, runs }]) => [step as ForwardStep, error, runs] as const);

  it.each(cases)('%s refuses (%s): exactly %j run, then OrderFailed', async (step, error, invocations) => {
    const input = order(refusals[step]);
    const run = await runSaga(template, input);
    expect(run.invocations).toEqual(invocations);
    expect(run.status).toBe('FAILED');
    expect(run.states.slice(-2)).toEqual(['Compensated', 'OrderFailed']);
    expect(run.error).toEqual({ Error: 'OrderFailed', Cause: expect.stringContaining(`Order ${input.orderId} failed at ${step} (rejected ${error})`) });
    expect(run.repairMessages).toEqual([]);
    // Everything is back as it was: no stock held, no money taken, no parcel booked.
    expect(await available('LAMP-1')).toBe(10);
    expect(await available('BOOK-7')).toBe(5);
    expect((await payment(input.orderId))?.status ?? 'none').not.toBe('CHARGED');
    expect((await shipment(input.orderId))?.status ?? 'none').not.toBe('ARRANGED');
  });

  it('records what failed and what each compensation did in the state', async () => {
    const input = order(refusals.ArrangeShipping);
    const run = await runSaga(template, input);
    expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED', refundId: expect.stringMatching(/^re_/) });
    expect(await reservation(input.orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await shipment(input.orderId)).toBeUndefined();
    expect(run.states).toContain('ArrangeShipping rejected');
  });

  it('refuses a malformed order at the first step, with nothing to undo', async () => {
    const run = await runSaga(template, { ...order(), amount: 12.5 });
    expect(run.invocations).toEqual(['ReserveInventory']);
    expect(run.error).toEqual({ Error: 'OrderFailed', Cause: expect.stringContaining('failed at ReserveInventory (rejected InvalidOrder)') });
  });
});

describe('a step that fails after it may have written: it is undone too, then the steps before it', () => {
  const cases = Object.entries(WHEN_FAILED) as Array<[ForwardStep, SagaFunction[]]>;

  it.each(cases)('%s writes, then fails: exactly %j run', async (step, invocations) => {
    const input = order();
    const run = await runSaga(template, input, { [step]: { when: 'after', error: lostResponse() } });
    expect(run.invocations).toEqual(invocations);
    expect(run.error).toEqual({ Error: 'OrderFailed', Cause: expect.stringContaining(`failed at ${step} (failed InternalServerError)`) });
    // The write that went through was undone.
    expect(await available('LAMP-1')).toBe(10);
    expect(await available('BOOK-7')).toBe(5);
    expect(await reservation(input.orderId)).toMatchObject({ status: 'RELEASED' });
    if (step !== 'ReserveInventory') expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED' });
    if (step === 'ArrangeShipping') expect(await shipment(input.orderId)).toMatchObject({ status: 'CANCELLED' });
  });

  it('undoing a step that failed before writing is a no-op, recorded as such', async () => {
    const input = order();
    const run = await runSaga(template, input, { ChargePayment: { when: 'before', error: lostResponse() } });
    expect(run.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'RefundPayment', 'ReleaseInventory']);
    expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED', amount: 0 });
    expect(await available('LAMP-1')).toBe(10);
  });
});

describe('a compensation that fails', () => {
  const down = () => lambdaFailure('ServiceUnavailable', 'The payment provider is unavailable');

  it('is retried (compensationRetryAttempts = 3) and, when a retry succeeds, nothing goes to the repair queue', async () => {
    const input = order(refusals.ArrangeShipping);
    const run = await runSaga(template, input, { RefundPayment: { when: 'before', error: down(), times: 2 } });
    expect(run.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'RefundPayment', 'RefundPayment', 'ReleaseInventory']);
    expect(run.repairMessages).toEqual([]);
    expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED' });
  });

  it('goes to the repair queue with its context after every retry failed, and the remaining compensations still run', async () => {
    const input = order(refusals.ArrangeShipping);
    const run = await runSaga(template, input, { RefundPayment: { when: 'before', error: down() } });
    // 1 attempt + 3 retries, then the report, then ReleaseInventory anyway.
    expect(run.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'RefundPayment', 'RefundPayment', 'RefundPayment', 'ReleaseInventory']);
    expect(run.states.slice(-5)).toEqual(['RefundPayment', 'Report RefundPayment failure', 'ReleaseInventory', 'Compensated', 'OrderFailed']);
    expect(run.repairMessages).toEqual([
      {
        orderId: input.orderId,
        executionId: `arn:aws:states:us-east-1:123456789012:execution:saga:${input.orderId}`,
        failedStep: 'ArrangeShipping',
        failure: { step: 'ArrangeShipping', outcome: 'rejected', error: 'ShippingUnavailable', cause: expect.stringContaining('does not deliver to AQ') },
        failedCompensation: 'RefundPayment',
        compensationError: { Error: 'ServiceUnavailable', Cause: expect.stringContaining('payment provider is unavailable') },
        compensations: { RefundPayment: { Error: 'ServiceUnavailable', Cause: expect.any(String) } },
        order: input,
        repair: expect.stringContaining('run RefundPayment again'),
      },
    ]);
    // The inventory was released; the money was not refunded yet: that is what the repair is for.
    expect(await available('LAMP-1')).toBe(10);
    expect(await payment(input.orderId)).toMatchObject({ status: 'CHARGED' });
    expect(run.error?.Error).toBe('OrderFailed');

    // The repair: run the compensation again once the provider is back. Twice, to show it is safe.
    const refund = await handlerOf('RefundPayment');
    expect(await refund({ orderId: input.orderId }, lambdaContext())).toEqual({ outcome: 'undone' });
    expect(await refund({ orderId: input.orderId }, lambdaContext())).toEqual({ outcome: 'no-op', reason: 'already refunded' });
    expect(await payment(input.orderId)).toMatchObject({ status: 'REFUNDED' });
  });

  it('lists the compensations already done in the report of a later one that failed', async () => {
    const input = order();
    const run = await runSaga(template, input, {
      ArrangeShipping: { when: 'after', error: lostResponse() },
      ReleaseInventory: { when: 'before', error: down() },
    });
    expect(run.invocations.filter((fn) => fn !== 'ReleaseInventory')).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'CancelShipment', 'RefundPayment']);
    expect(run.repairMessages).toHaveLength(1);
    expect(run.repairMessages[0]).toMatchObject({
      failedStep: 'ArrangeShipping',
      failedCompensation: 'ReleaseInventory',
      compensations: { CancelShipment: { outcome: 'undone' }, RefundPayment: { outcome: 'undone' }, ReleaseInventory: { Error: 'ServiceUnavailable' } },
    });
  });

  it('is not retried with compensationRetryAttempts = 0', async () => {
    const input = order(refusals.ChargePayment);
    const run = await runSaga(synthesize({ compensationRetryAttempts: 0 }), input, { ReleaseInventory: { when: 'before', error: down() } });
    expect(run.invocations).toEqual(['ReserveInventory', 'ChargePayment', 'ReleaseInventory']);
    expect(run.repairMessages).toMatchObject([{ failedStep: 'ChargePayment', failedCompensation: 'ReleaseInventory', compensations: { ReleaseInventory: { Error: 'ServiceUnavailable' } } }]);
  });
});
