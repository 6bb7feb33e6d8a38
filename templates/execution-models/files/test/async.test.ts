import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidJobError, SimulatedFailureError } from '../src/lib/job.js';
import { logger } from '../src/lib/powertools.js';
import { lambdaContext } from './helpers/events.js';
import { createIdempotencyTable, idempotencyRecords, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/emulators.js';

// The asynchronous function against dynalite (Powertools idempotency), invoked the way Lambda
// invokes it from its event queue: the same event may come twice, and a failure is retried.
const table = 'async-idempotency';
let db: LocalDynamoDb;
let handler: (typeof import('../src/functions/async.js'))['handler'];

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, { IDEMPOTENCY_TABLE_NAME: table });
  await createIdempotencyTable(db.client, table);
  handler = (await import('../src/functions/async.js')).handler;
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await OpenFeature.clearProviders();
  await db?.stop();
});

/** How many times the job really ran (processJob logs "Job done" or "Job failed" once per run). */
function countRuns() {
  const done = vi.spyOn(logger, 'info');
  const failed = vi.spyOn(logger, 'error');
  const runs = (spy: typeof done, jobId: string) => spy.mock.calls.filter(([, extra]) => (extra as { jobId?: string })?.jobId === jobId).length;
  return { done: (jobId: string) => runs(done, jobId), failed: (jobId: string) => runs(failed, jobId) };
}

describe('the asynchronous function', () => {
  it('returns the result Lambda sends to the on-success destination', async () => {
    const result = await handler({ id: 'job-ok', input: { message: 'hi' } }, lambdaContext('request-1'));
    expect(result).toMatchObject({ id: 'job-ok', model: 'async', message: 'hi', processedBy: 'request-1' });
  });

  it('processes an event delivered twice only once: the second delivery gets the first result', async () => {
    const runs = countRuns();
    const first = await handler({ id: 'job-twice', input: {} }, lambdaContext('request-a'));
    const second = await handler({ id: 'job-twice', input: {} }, lambdaContext('request-b'));
    expect(runs.done('job-twice')).toBe(1);
    expect(second).toEqual(first);
    expect(second.processedBy).toBe('request-a');
    const records = await idempotencyRecords(db.client, table);
    expect(records.filter((r) => r.data?.id === 'job-twice')).toEqual([{ status: 'COMPLETED', data: first }]);
  });

  it('throws a failing job so that Lambda retries it, and keeps no record: each retry runs it again', async () => {
    const runs = countRuns();
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(handler({ id: 'job-fails', input: { fail: true } }, lambdaContext())).rejects.toBeInstanceOf(SimulatedFailureError);
    }
    expect(runs.failed('job-fails')).toBe(3);
    const records = await idempotencyRecords(db.client, table);
    expect(records.some((r) => r.data?.id === 'job-fails')).toBe(false);
  });

  it('rejects an event that is not a job (it will fail every retry and land in the on-failure queue)', async () => {
    await expect(handler({ input: {} }, lambdaContext())).rejects.toBeInstanceOf(InvalidJobError);
    await expect(handler({ id: 'job-bad', input: { sleepSeconds: -1 } }, lambdaContext())).rejects.toThrow(/sleepSeconds/);
  });
});
