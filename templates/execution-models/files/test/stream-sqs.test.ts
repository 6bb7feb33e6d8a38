import { OpenFeature } from '@openfeature/server-sdk';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../src/lib/powertools.js';
import { lambdaContext, sqsRecord } from './helpers/events.js';
import { createIdempotencyTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/emulators.js';

// The SQS consumer against dynalite (Powertools idempotency), with batches shaped as the event
// source mapping delivers them. What it returns decides which messages SQS keeps: only the ones in
// batchItemFailures come back after the visibility timeout (and, after 5 receives, go to the DLQ).
const table = 'stream-sqs-idempotency';
let db: LocalDynamoDb;
let handler: (typeof import('../src/functions/stream-sqs.js'))['handler'];

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, { IDEMPOTENCY_TABLE_NAME: table });
  await createIdempotencyTable(db.client, table);
  handler = (await import('../src/functions/stream-sqs.js')).handler;
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

const batch = (...records: ReturnType<typeof sqsRecord>[]): SQSEvent => ({ Records: records });
const doneJobs = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.filter(([message]) => message === 'Job done').map(([, extra]) => (extra as { jobId: string }).jobId);

describe('the SQS consumer', () => {
  it('reports only the failed message of a batch; the others succeed and are deleted', async () => {
    const done = vi.spyOn(logger, 'info');
    const ok1 = sqsRecord({ id: 'sqs-1', input: {} });
    const poison = sqsRecord({ id: 'sqs-2', input: { fail: true } });
    const ok2 = sqsRecord({ id: 'sqs-3', input: { message: 'after the poison' } });
    const response = await handler(batch(ok1, poison, ok2), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(doneJobs(done)).toEqual(['sqs-1', 'sqs-3']);
  });

  it('reports a message that is not a job, so it ends in the dead-letter queue instead of blocking anything', async () => {
    const garbage = { ...sqsRecord({}), body: 'not json' };
    const wrongShape = sqsRecord({ id: 'sqs-4', input: { retries: 9 } });
    const ok = sqsRecord({ id: 'sqs-5', input: {} });
    const response = await handler(batch(garbage, wrongShape, ok), lambdaContext());
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([garbage.messageId, wrongShape.messageId]);
  });

  it('processes a job sent twice (two messages, one job id) only once', async () => {
    const done = vi.spyOn(logger, 'info');
    const first = sqsRecord({ id: 'sqs-dup', input: {} });
    const again = sqsRecord({ id: 'sqs-dup', input: {} });
    expect(first.messageId).not.toBe(again.messageId);
    expect(await handler(batch(first), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(batch(again), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(doneJobs(done)).toEqual(['sqs-dup']);
  });

  it('fails the whole invocation when every message fails, as Lambda expects for a full-batch failure', async () => {
    await expect(handler(batch(sqsRecord({ id: 'sqs-6', input: { fail: true } })), lambdaContext())).rejects.toThrow(/All records failed/);
  });
});
