import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { asyncConfigKey, createLambdaRuntime, type AsyncInvokeConfig, type LambdaRuntime, type LocalFunction } from '../../../src/dev/lambda/index.js';
import { CodeDirs, localFunction, recordingDeliver, recordingLog } from './helpers.js';

/** Fails the first `failures` attempts of each event id (counted in a file, so a new environment still knows). */
const FLAKY = `
const { appendFileSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
exports.handler = async (event) => {
  const file = join(__dirname, 'attempts-' + event.id);
  appendFileSync(file, 'x');
  const attempt = readFileSync(file, 'utf8').length;
  if (event.timeout && attempt <= event.failures) await new Promise((resolve) => setTimeout(resolve, 5000));
  if (attempt <= event.failures) throw new Error('attempt ' + attempt + ' failed');
  return { processed: event.id, attempt };
};
`;

const FAILURES_QUEUE = 'arn:aws:sqs:us-east-1:000000000000:failures';
const SUCCESS_BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/results';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:dlq';

const dirs = new CodeDirs();
let runtime: LambdaRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});
afterAll(() => dirs.cleanup());

let flakyDir: string;
beforeAll(() => {
  flakyDir = dirs.make({ 'index.js': FLAKY });
});

function start(fn: LocalFunction, config?: AsyncInvokeConfig, scale = 0.001) {
  const log = recordingLog();
  const delivered = recordingDeliver();
  runtime = createLambdaRuntime({
    functions: [fn],
    asyncConfigs: new Map(config ? [[asyncConfigKey(fn.name), config]] : []),
    baseEnv: {},
    log: log.log,
    timing: { scale },
    deliver: delivered.deliver,
  });
  return { runtime, log, delivered };
}

describe('asynchronous invocations', () => {
  it('retries a failing event twice, a minute then two apart (scaled), then sends the invocation record to the on-failure destination', async () => {
    const { runtime, log, delivered } = start(localFunction('flaky', flakyDir), { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: FAILURES_QUEUE });
    const started = Date.now();
    runtime.invokeAsync('flaky', { id: 'a', failures: 5 });
    await runtime.idle();
    // 60 s and 120 s × 0.001.
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(log.of('invoke', 'flaky').map((event) => [event.data?.mode, event.data?.attempt, event.data?.ok])).toEqual([
      ['async', 1, false],
      ['async', 2, false],
      ['async', 3, false],
    ]);
    expect(log.of('warning', 'flaky').map((event) => event.message)).toEqual([
      'asynchronous invocation failed (Error): retry 1 of 2 in 60 ms',
      'asynchronous invocation failed (Error): retry 2 of 2 in 120 ms',
      expect.stringMatching(/^asynchronous event failed \(3 attempts failed\), sent to on-failure destination arn:aws:sqs/),
    ]);
    // One request id for the event across its attempts.
    const requestIds = new Set(log.of('invoke', 'flaky').map((event) => event.data?.requestId));
    expect(requestIds.size).toBe(1);

    expect(delivered.sent).toHaveLength(1);
    const [{ arn, message }] = delivered.sent as [(typeof delivered.sent)[0]];
    expect(arn).toBe(FAILURES_QUEUE);
    expect(message.event).toBeUndefined();
    const record = JSON.parse(message.body);
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      requestContext: {
        requestId: [...requestIds][0],
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { id: 'a', failures: 5 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'attempt 3 failed', trace: expect.arrayContaining(['Error: attempt 3 failed']) },
    });
  });

  it('stops retrying once an attempt succeeds and sends the success record (to an event bus as a Lambda result event)', async () => {
    const { runtime, delivered } = start(localFunction('flaky', flakyDir), { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onSuccess: SUCCESS_BUS, onFailure: FAILURES_QUEUE });
    runtime.invokeAsync('flaky', { id: 'b', failures: 1 });
    await runtime.idle();
    expect(delivered.sent.map((sent) => sent.arn)).toEqual([SUCCESS_BUS]);
    const { message } = delivered.sent[0]!;
    expect(message.event).toEqual({
      source: 'lambda',
      detailType: 'Lambda Function Invocation Result - Success',
      detail: message.body,
      resources: [SUCCESS_BUS, 'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST'],
    });
    expect(JSON.parse(message.body)).toMatchObject({
      requestContext: { condition: 'Success', approximateInvokeCount: 2 },
      requestPayload: { id: 'b', failures: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { processed: 'b', attempt: 2 },
    });
    expect(JSON.parse(message.body).responseContext).not.toHaveProperty('functionError');
  });

  it("with no config: two retries, then the event itself to the function's dead-letter queue with the error attributes", async () => {
    const { runtime, log, delivered } = start(localFunction('flaky', flakyDir, { deadLetterArn: DLQ }));
    runtime.invokeAsync('flaky', { id: 'c', failures: 9 });
    await runtime.idle();
    expect(log.of('invoke', 'flaky')).toHaveLength(3);
    expect(delivered.sent).toHaveLength(1);
    const { arn, message } = delivered.sent[0]!;
    expect(arn).toBe(DLQ);
    expect(JSON.parse(message.body)).toEqual({ id: 'c', failures: 9 });
    expect(message.attributes).toEqual({
      RequestID: { DataType: 'String', StringValue: log.of('invoke', 'flaky')[0]!.data?.requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'attempt 3 failed' },
    });
  });

  it('MaximumRetryAttempts 0: one attempt; a timed-out attempt counts as a failure', async () => {
    const { runtime, log, delivered } = start(localFunction('flaky', flakyDir, { timeoutSeconds: 1 }), { maximumRetryAttempts: 0, maximumEventAgeSeconds: 21600, onFailure: FAILURES_QUEUE });
    runtime.invokeAsync('flaky', { id: 'd', failures: 1, timeout: true });
    await runtime.idle();
    expect(log.of('invoke', 'flaky')).toHaveLength(1);
    const record = JSON.parse(delivered.sent[0]!.message.body);
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    expect(record.responsePayload).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });
  });

  it('drops an event older than MaximumEventAgeInSeconds before its retry (EventAgeExceeded)', async () => {
    // A 60 s event age and a 60 s first retry delay: the retry comes too late.
    const { runtime, log, delivered } = start(localFunction('flaky', flakyDir), { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60, onFailure: FAILURES_QUEUE });
    runtime.invokeAsync('flaky', { id: 'e', failures: 9 });
    await runtime.idle();
    expect(log.of('invoke', 'flaky')).toHaveLength(1);
    expect(JSON.parse(delivered.sent[0]!.message.body)).toMatchObject({
      requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
      responseContext: { functionError: 'Unhandled' },
    });
  });

  it('keeps a throttled event queued without using up retries, until it is too old', async () => {
    const { runtime, log, delivered } = start(localFunction('off', flakyDir, { reservedConcurrency: 0 }), { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60, onFailure: FAILURES_QUEUE }, 0.002);
    runtime.invokeAsync('off', { id: 'f', failures: 0 });
    await runtime.idle();
    expect(log.of('invoke', 'off')).toHaveLength(0);
    expect(log.of('warning', 'off').filter((event) => event.message.startsWith('throttled')).length).toBeGreaterThan(1);
    const record = JSON.parse(delivered.sent[0]!.message.body);
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 0 });
    expect(record).not.toHaveProperty('responseContext');
  });

  it('reads the async config of the invoked qualifier and logs a discarded event when nothing is configured', async () => {
    const { runtime, log, delivered } = start(localFunction('flaky', flakyDir), { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 });
    runtime.invokeAsync('arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST', { id: 'g', failures: 9 });
    await runtime.idle();
    expect(log.of('invoke', 'flaky')).toHaveLength(1);
    expect(delivered.sent).toHaveLength(0);
    expect(log.of('error', 'flaky').map((event) => event.message)).toEqual(['asynchronous event discarded: 1 attempt failed']);
  });

  it('close() drops events waiting for a retry', async () => {
    const { runtime, log } = start(localFunction('flaky', flakyDir), { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 }, 1);
    runtime.invokeAsync('flaky', { id: 'h', failures: 9 });
    await expect.poll(() => log.of('warning', 'flaky').length, { timeout: 5000 }).toBe(1);
    await runtime.close();
    await runtime.idle();
    expect(log.of('invoke', 'flaky')).toHaveLength(1);
  });

  it('throws for an unknown function', () => {
    const { runtime } = start(localFunction('flaky', flakyDir));
    expect(() => runtime.invokeAsync('nope', {})).toThrow(/Function not found/);
  });
});
