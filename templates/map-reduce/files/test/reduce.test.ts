import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapResult } from '../src/lib/job.js';
import type { ReduceResult, WordCountOutput } from '../src/lib/reduce.js';
import { type LocalS3, RESULTS_BUCKET, startS3rver } from './helpers/s3rver.js';

// The reducer on result writer files written by hand, in the format of the Step Functions
// developer guide ("ResultWriter (Map)"): several files per status, a failed child with a Lambda
// error's Cause, a PENDING item, and a child that appears twice.

let s3: LocalS3;
let handler: (input: unknown, context: never) => Promise<ReduceResult>;
beforeAll(async () => {
  s3 = await startS3rver();
  handler = (await import('../src/functions/reduce-counts.js')).handler as never;
});
afterAll(async () => {
  await s3?.stop();
});

const MAP_RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:WordCount/WordCount:2c4e1c7a-0d6e-3a0b-9c1f-6f3f3b1f7a10';
const put = (key: string, body: unknown) => s3.client.send(new PutObjectCommand({ Bucket: RESULTS_BUCKET, Key: key, Body: JSON.stringify(body) }));

/** A child execution record as the result writer writes it. */
function child(status: 'SUCCEEDED' | 'FAILED' | 'PENDING', item: { key: string; eTag: string }, extra: Record<string, unknown>) {
  const name = `${item.key.replace(/\W/g, '')}-${status}`;
  return {
    ExecutionArn: `arn:aws:states:us-east-1:123456789012:express:WordCount/WordCount:${name}`,
    Input: JSON.stringify({ ...item, size: 10 }),
    InputDetails: { Included: true },
    Name: name,
    RedriveCount: 0,
    RedriveStatus: status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    RedriveStatusReason: '',
    StartDate: '2026-11-26T10:00:01.000Z',
    StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:WordCount/WordCount',
    Status: status,
    StopDate: '2026-11-26T10:00:02.000Z',
    ...extra,
  };
}

async function partial(key: string, eTag: string, counts: Record<string, number>): Promise<MapResult> {
  const partialKey = `partials/${key}/${eTag}.json`;
  const words = Object.values(counts).reduce((a, b) => a + b, 0);
  await put(partialKey, { version: 1, source: { bucket: 'corpus-input', key, eTag, size: 10 }, words, distinctWords: Object.keys(counts).length, tooLong: 0, counts });
  return { status: 'counted', key, eTag, partialKey, words, distinctWords: Object.keys(counts).length, reused: false };
}

describe('reducing a map run from its result files', () => {
  it('sums every SUCCEEDED file, counts a child listed twice once, and names FAILED and PENDING items', async () => {
    const run = 'map-runs/2c4e1c7a';
    const a = await partial('input/a.txt', 'aaaa', { map: 2, reduce: 1 });
    const b = await partial('input/b.txt', 'bbbb', { map: 1, count: 4 });
    await put(`${run}/SUCCEEDED_0.json`, [child('SUCCEEDED', { key: a.key, eTag: '"aaaa"' }, { Output: JSON.stringify(a), OutputDetails: { Included: true } })]);
    await put(`${run}/SUCCEEDED_1.json`, [
      child('SUCCEEDED', { key: b.key, eTag: '"bbbb"' }, { Output: JSON.stringify(b), OutputDetails: { Included: true } }),
      child('SUCCEEDED', { key: b.key, eTag: '"bbbb"' }, { Output: JSON.stringify({ ...b, reused: true }), OutputDetails: { Included: true } }),
      child('SUCCEEDED', { key: 'input/folder/', eTag: '"d41d8cd98f00b204e9800998ecf8427e"' }, { Output: JSON.stringify({ status: 'skipped', key: 'input/folder/', reason: 'a folder placeholder' }) }),
    ]);
    await put(`${run}/FAILED_0.json`, [
      child('FAILED', { key: 'input/c.txt', eTag: '"cccc"' }, { Error: 'ObjectGoneError', Cause: JSON.stringify({ errorType: 'ObjectGoneError', errorMessage: 'it was deleted', trace: [] }) }),
      child('FAILED', { key: 'input/d.txt', eTag: '"dddd"' }, { Error: 'States.Timeout', Cause: 'The task timed out' }),
    ]);
    await put(`${run}/PENDING_0.json`, [child('PENDING', { key: 'input/e.txt', eTag: '"eeee"' }, {})]);
    await put(`${run}/manifest.json`, {
      DestinationBucket: RESULTS_BUCKET,
      MapRunArn: MAP_RUN,
      ResultFiles: {
        FAILED: [{ Key: `${run}/FAILED_0.json`, Size: 1 }],
        PENDING: [{ Key: `${run}/PENDING_0.json`, Size: 1 }],
        SUCCEEDED: [{ Key: `${run}/SUCCEEDED_0.json`, Size: 1 }, { Key: `${run}/SUCCEEDED_1.json`, Size: 1 }],
      },
    });

    const result = await handler({ manifest: { Bucket: RESULTS_BUCKET, Key: `${run}/manifest.json` }, mapRunArn: MAP_RUN, job: 'by-hand', startedAt: '2026-11-26T10:00:00.000Z' }, {} as never);

    expect(result).toEqual({
      output: { bucket: RESULTS_BUCKET, key: 'output/by-hand/word-counts.json' },
      complete: false,
      totalWords: 8,
      distinctWords: 3,
      objects: { listed: 6, counted: 2, reused: 0, skipped: 1, missing: 3 },
    });
    const output = await s3.json<WordCountOutput>(RESULTS_BUCKET, result.output.key);
    expect(output.counts).toEqual({ count: 4, map: 3, reduce: 1 });
    expect(output.top).toEqual([{ word: 'count', count: 4 }, { word: 'map', count: 3 }, { word: 'reduce', count: 1 }]);
    expect(output.objects.missing).toEqual([
      { key: 'input/c.txt', eTag: 'cccc', status: 'FAILED', error: 'ObjectGoneError', cause: 'it was deleted', execution: expect.stringContaining(':express:') },
      { key: 'input/d.txt', eTag: 'dddd', status: 'FAILED', error: 'States.Timeout', cause: 'The task timed out', execution: expect.any(String) },
      { key: 'input/e.txt', eTag: 'eeee', status: 'PENDING', execution: expect.any(String) },
    ]);
  });

  it('writes the same output when retried (deterministic for a map run)', async () => {
    const run = 'map-runs/retried';
    const a = await partial('input/r.txt', 'rrrr', { again: 2 });
    await put(`${run}/SUCCEEDED_0.json`, [child('SUCCEEDED', { key: a.key, eTag: '"rrrr"' }, { Output: JSON.stringify(a) })]);
    await put(`${run}/manifest.json`, { DestinationBucket: RESULTS_BUCKET, MapRunArn: MAP_RUN, ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${run}/SUCCEEDED_0.json`, Size: 1 }] } });
    const input = { manifest: { Bucket: RESULTS_BUCKET, Key: `${run}/manifest.json` }, mapRunArn: MAP_RUN, job: 'retried', startedAt: '2026-11-26T10:00:00.000Z' };
    await handler(input, {} as never);
    const first = await s3.text(RESULTS_BUCKET, 'output/retried/word-counts.json');
    await handler(input, {} as never);
    expect(await s3.text(RESULTS_BUCKET, 'output/retried/word-counts.json')).toBe(first);
  });

  it('refuses a manifest that is not this stack\'s result writer output', async () => {
    const job = { mapRunArn: MAP_RUN, job: 'x', startedAt: '2026-11-26T10:00:00.000Z' };
    await expect(handler({ ...job, manifest: { Bucket: 'someone-elses-bucket', Key: 'map-runs/1/manifest.json' } }, {} as never)).rejects.toMatchObject({ name: 'InvalidMapRunError' });
    await expect(handler({ ...job, manifest: { Bucket: RESULTS_BUCKET, Key: 'output/x/manifest.json' } }, {} as never)).rejects.toMatchObject({ name: 'InvalidMapRunError' });
  });
});
