import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASK_FUNCTIONS } from '../infra/constructs/order-workflow.js';
import { TransientError } from '../src/lib/errors.js';
import { businessOrder, largeOrder, oneLineOrder, retailOrder, riskyOrder } from './helpers/orders.js';
import { lambdaServiceError, runWorkflow, type SynthesizedWorkflow, synthesizeWorkflow } from './helpers/workflow.js';

// The state machine as `cdk synth` writes it, executed by aws-local-stepfunctions, every Task
// served by the project's own handler (test/helpers/workflow.ts).

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const maxRetryAttempts: number = sprout.options.maxRetryAttempts;

const throttled = () => lambdaServiceError('Lambda.TooManyRequestsException', 'Rate Exceeded. (Service: Lambda, Status Code: 429)');

let workflow: SynthesizedWorkflow;
beforeAll(() => {
  workflow = synthesizeWorkflow();
});

describe('the synthesized definition', () => {
  it('has one Task state per task function, each found by its function\'s logical id', () => {
    expect(workflow.tasks.map(({ state, entry }) => [state, entry])).toEqual([
      ['Validate', 'validate-order'],
      ['PriceLine', 'price-line'],
      ['AssessRisk', 'assess-risk'],
      ['Quote', 'build-quote'],
    ]);
    expect(new Set(workflow.tasks.map((task) => task.entry))).toEqual(new Set(TASK_FUNCTIONS));
    for (const { logicalId } of workflow.tasks) expect(workflow.template.Resources[logicalId]?.Type).toBe('AWS::Lambda::Function');
  });

  it('uses Choice, Parallel and Map, with the Map inside the Parallel', () => {
    const states = workflow.definition.States as Record<string, { Type: string; Branches?: Array<{ States: Record<string, { Type: string }> }> }>;
    expect(Object.fromEntries(Object.entries(states).map(([name, state]) => [name, state.Type]))).toEqual({
      Validate: 'Task',
      ReadRejection: 'Pass',
      Rejected: 'Pass',
      Failed: 'Fail',
      Price: 'Parallel',
      Decide: 'Choice',
      Referred: 'Pass',
      Quote: 'Task',
    });
    expect(states.Price?.Branches?.map((branch) => Object.entries(branch.States).map(([name, state]) => `${name}:${state.Type}`))).toEqual([
      ['PriceLines:Map'],
      ['AssessRisk:Task'],
    ]);
  });
});

describe('each branch', () => {
  it('quotes a low-risk order: Validate, then PriceLine once per line in parallel with AssessRisk, then Quote', async () => {
    const run = await runWorkflow(workflow, retailOrder);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      orderId: 'order-1001',
      status: 'quoted',
      currency: 'EUR',
      lines: [
        { sku: 'LAMP-01', quantity: 2, unitPriceCents: 1_999, discountPercent: 0, totalCents: 3_998 },
        { sku: 'BULB-02', quantity: 12, unitPriceCents: 350, discountPercent: 0, totalCents: 4_200 },
      ],
      subtotalCents: 8_198,
      shippingCents: 0,
      totalCents: 8_198,
      risk: 'low',
    });
    expect(run.invocations.filter((i) => i.state === 'PriceLine').map((i) => i.payload)).toEqual(
      expect.arrayContaining(retailOrder.items.map((item) => ({ customerId: 'cust-42', tier: 'retail', item }))),
    );
    expect(run.attempts).toEqual({ Validate: 1, PriceLine: 2, AssessRisk: 1, Quote: 1 });
    expect(run.entered).toEqual(expect.arrayContaining(['Validate', 'Price', 'PriceLines', 'PriceLine', 'AssessRisk', 'Decide', 'Quote']));
    expect(run.entered).not.toContain('Referred');
    expect(run.entered.indexOf('Decide')).toBeGreaterThan(run.entered.lastIndexOf('PriceLine'));
    expect(run.events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(2);
    expect(run.events.filter((e) => e.type === 'ParallelBranchSucceeded')).toHaveLength(2);
  });

  it('gives business customers 10% off and charges express shipping', async () => {
    const run = await runWorkflow(workflow, businessOrder);
    expect(run.output).toMatchObject({
      lines: [{ sku: 'LAMP-01', discountPercent: 10, totalCents: 35_982 }],
      subtotalCents: 35_982,
      shippingCents: 1_295,
      totalCents: 37_277,
      risk: 'low',
    });
  });

  it('charges shipping below the free-shipping threshold', async () => {
    const run = await runWorkflow(workflow, oneLineOrder);
    expect(run.output).toMatchObject({ subtotalCents: 350, shippingCents: 495, totalCents: 845 });
  });

  it('quotes a medium-risk order (the Choice only diverts "high")', async () => {
    const run = await runWorkflow(workflow, largeOrder);
    expect(run.output).toMatchObject({ status: 'quoted', risk: 'medium', totalCents: 240_000, shippingCents: 0 });
  });

  it('refers a high-risk order: the Choice takes Referred, and Quote never runs', async () => {
    const run = await runWorkflow(workflow, riskyOrder);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      orderId: 'order-3001',
      status: 'referred',
      risk: {
        level: 'high',
        score: 100,
        reasons: ['order value over 2000 EUR', 'more than 50 units of one item', 'express delivery of a retail order over 500 EUR'],
      },
    });
    expect(run.entered).toContain('Referred');
    expect(run.attempts.Quote).toBeUndefined();
  });

  it('rejects an invalid order: Catch routes the ValidationError to Rejected, a result rather than a failure', async () => {
    const run = await runWorkflow(workflow, { orderId: 'order 1', customer: { id: 'cust-1', tier: 'gold' }, items: [] });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      status: 'rejected',
      reason:
        'The order is invalid: orderId must be 1 to 64 letters, digits or _.:- (starting with a letter or digit); customer.tier must be one of retail, business; items must be a list of 1 to 100 order lines',
    });
    expect(run.entered).toEqual(['Validate', 'ReadRejection', 'Rejected']);
    expect(run.retried).toEqual({});
  });
});

describe('retries and errors', () => {
  it('retries a throttled invocation and then carries on as if nothing happened', async () => {
    const clean = await runWorkflow(workflow, retailOrder);
    const run = await runWorkflow(workflow, retailOrder, { faults: { Validate: [throttled(), throttled()] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual({ Validate: 2 });
    expect(run.attempts.Validate).toBe(3);
    expect(run.output).toEqual(clean.output);
  });

  it('retries a TransientError thrown by a handler (here PriceLine, inside the Map)', async () => {
    const run = await runWorkflow(workflow, oneLineOrder, { faults: { PriceLine: [new TransientError('price list briefly unavailable')] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual({ PriceLine: 1 });
    expect(run.output).toMatchObject({ status: 'quoted', totalCents: 845 });
  });

  it(`gives up after ${maxRetryAttempts} retries: the Parallel's Catch ends the execution in Failed with the original error`, async () => {
    const faults = Array.from({ length: maxRetryAttempts + 1 }, throttled);
    const run = await runWorkflow(workflow, oneLineOrder, { faults: { PriceLine: faults } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Lambda.TooManyRequestsException');
    expect(run.cause).toMatch(/Rate Exceeded/);
    expect(run.attempts.PriceLine).toBe(maxRetryAttempts + 1);
    expect(run.entered).toContain('Failed');
    expect(run.attempts.Quote).toBeUndefined();
  });

  it('does not retry a handler bug: it fails the execution at once, with the runtime\'s error JSON as the cause', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'level')");
    const run = await runWorkflow(workflow, retailOrder, { faults: { Quote: [bug] } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('TypeError');
    expect(JSON.parse(run.cause!)).toMatchObject({ errorType: 'TypeError', errorMessage: bug.message, trace: expect.any(Array) });
    expect(run.attempts.Quote).toBe(1);
    expect(run.retried).toEqual({});
  });

  it('does not retry Lambda.Unknown (a function timeout or out-of-memory), which would likely happen again', async () => {
    const timeout = lambdaServiceError('Lambda.Unknown', 'The cause could not be determined because Lambda did not return an error type.');
    const run = await runWorkflow(workflow, retailOrder, { faults: { AssessRisk: [timeout] } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Lambda.Unknown');
    expect(run.attempts.AssessRisk).toBe(1);
  });
});

describe('at-least-once (Express started asynchronously)', () => {
  it('gives the same result when an execution runs twice: every task is a pure function of its input', async () => {
    const first = await runWorkflow(workflow, retailOrder);
    const second = await runWorkflow(workflow, retailOrder);
    expect(second.output).toEqual(first.output);
    expect(second.invocations).toEqual(first.invocations);
  });
});

describe('option variants', () => {
  it('express: the same states, and the same results', async () => {
    const express = synthesizeWorkflow({ workflowType: 'express' });
    expect(express.definition.States).toEqual(workflow.definition.States);
    expect((await runWorkflow(express, retailOrder)).output).toEqual((await runWorkflow(workflow, retailOrder)).output);
    expect((await runWorkflow(express, riskyOrder)).output).toMatchObject({ status: 'referred' });
  });

  it('maxRetryAttempts 0: no Retry at all, a throttled task fails the execution at once', async () => {
    const noRetries = synthesizeWorkflow({ maxRetryAttempts: 0 });
    const run = await runWorkflow(noRetries, retailOrder, { faults: { Validate: [throttled()] } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Lambda.TooManyRequestsException');
    expect(run.attempts.Validate).toBe(1);
  });
});
