import validator from 'asl-validator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../src/lib/errors.js';
import type { MapResult } from '../src/lib/job.js';
import type { ReduceResult, WordCountOutput } from '../src/lib/reduce.js';
import { MAX_OBJECT_BYTES } from '../src/lib/settings.js';
import { addCounts, asObject, generateText } from './helpers/corpus.js';
import { runJob, type SynthesizedJob, synthesizeJob } from './helpers/map-run.js';
import { INPUT_BUCKET, type LocalS3, RESULTS_BUCKET, startS3rver } from './helpers/s3rver.js';

// Whole jobs over a generated corpus in s3rver: the synthesized state machine's Distributed Map
// (played by test/helpers/map-run.ts from the definition), the real mapper per object, the result
// writer's files in the format AWS writes, the real reducer. Every expected count is summed from
// what the generator wrote, never by tokenizing the text.

const PREFIX = 'input/';
let s3: LocalS3;
let job: SynthesizedJob;
let jobs = 0;
const nextName = () => `job-${++jobs}`;

beforeAll(async () => {
  s3 = await startS3rver();
  job = synthesizeJob();
});
afterAll(async () => {
  await s3?.stop();
});
beforeEach(async () => {
  // Each test lists its own objects: the input prefix starts empty.
  for (const key of await s3.keys(INPUT_BUCKET)) await s3.delete(INPUT_BUCKET, key);
});

/** Uploads `files` generated texts under the prefix, returns the expected counts by key. */
async function uploadCorpus(files: number, seed: number, forms = 1_500): Promise<Map<string, Map<string, number>>> {
  const expected = new Map<string, Map<string, number>>();
  for (let i = 0; i < files; i++) {
    const { text, counts } = generateText(seed + i, forms + i * 37);
    const key = `${PREFIX}${i % 3 === 0 ? 'books/' : ''}text-${seed}-${i}.txt`;
    await s3.put(INPUT_BUCKET, key, text);
    expected.set(key, counts);
  }
  return expected;
}

const total = (byKey: Map<string, Map<string, number>>, except: string[] = []) =>
  [...byKey.entries()].filter(([key]) => !except.includes(key)).reduce((sum, [, counts]) => addCounts(sum, counts), new Map<string, number>());
const wordsIn = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
const outputOf = (result: ReduceResult) => s3.json<WordCountOutput>(RESULTS_BUCKET, result.output.key);

it('synthesizes a definition asl-validator accepts (Distributed Map, ItemReader and ResultWriter included)', () => {
  const { isValid, errorsText } = validator(job.definition, { checkPaths: true, checkArn: true });
  expect(errorsText('\n')).toBe('');
  expect(isValid).toBe(true);
});

describe('a job over a generated corpus', () => {
  it('writes one output object whose counts equal the direct count of what was generated', async () => {
    const expected = await uploadCorpus(10, 100);
    // Folder placeholders (what the S3 console's "Create folder" makes) are listed too, and skipped.
    await s3.put(INPUT_BUCKET, PREFIX, '');
    await s3.put(INPUT_BUCKET, `${PREFIX}books/`, '');
    const name = nextName();

    const run = await runJob(job, s3, { name });

    expect(run.status).toBe('SUCCEEDED');
    const direct = total(expected);
    const result = run.output as ReduceResult;
    expect(result).toEqual({
      output: { bucket: RESULTS_BUCKET, key: `output/${name}/word-counts.json` },
      complete: true,
      totalWords: wordsIn(direct),
      distinctWords: direct.size,
      objects: { listed: 12, counted: 10, reused: 0, skipped: 2, missing: 0 },
    });
    const output = await outputOf(result);
    expect(output.counts).toEqual(asObject(direct));
    expect(output).toMatchObject({ job: name, complete: true, settings: { excludeStopWords: false }, tooLong: 0, excludedStopWords: 0 });
    expect(output.objects.skipped.map((s) => s.key)).toEqual([PREFIX, `${PREFIX}books/`]);
    expect(output.top[0]).toEqual({ word: 'the', count: direct.get('the') });
    // Precomposed and combining accents, case variants and prototype names each count as one word.
    expect(output.counts['café']).toBe(direct.get('café'));
    expect(output.counts.constructor).toBe(direct.get('constructor'));
    expect(Object.keys(output.counts)).not.toContain('Café');
  });

  it('passes only a pointer through the workflow: each child output is a few hundred bytes, whatever the object size', async () => {
    await uploadCorpus(3, 200, 20_000);
    const run = await runJob(job, s3, { name: nextName() });
    const succeeded = run.children.filter((c) => c.Status === 'SUCCEEDED');
    expect(succeeded).toHaveLength(3);
    for (const child of succeeded) {
      expect(Buffer.byteLength(child.Output!)).toBeLessThan(512);
      const pointer = JSON.parse(child.Output!) as MapResult;
      expect(pointer).toMatchObject({ status: 'counted', partialKey: expect.stringMatching(/^partials\/input\/.+\/[0-9a-f]{32}\.json$/) });
    }
  });

  it('runs at most MaxConcurrency children at once', async () => {
    await uploadCorpus(9, 300, 200);
    const limited = synthesizeJob({ maxConcurrency: 3 });
    expect(limited.definition.States.MapObjects.MaxConcurrency).toBe(3);
    const run = await runJob(limited, s3, { name: nextName() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.peakConcurrency).toBe(3);
  });

  it('lists only under the input prefix', async () => {
    const expected = await uploadCorpus(2, 400, 100);
    await s3.put(INPUT_BUCKET, 'elsewhere/notes.txt', 'not part of the job');
    const run = await runJob(job, s3, { name: nextName() });
    expect((run.output as ReduceResult).objects.listed).toBe(2);
    expect((await outputOf(run.output as ReduceResult)).counts).toEqual(asObject(total(expected)));
  });

  it('handles an empty input prefix: an output with no words, complete', async () => {
    const run = await runJob(job, s3, { name: nextName() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.children).toEqual([]);
    const output = await outputOf(run.output as ReduceResult);
    expect(output).toMatchObject({ complete: true, totalWords: 0, distinctWords: 0, counts: {}, top: [], objects: { listed: 0, counted: 0, skipped: [], missing: [] } });
  });

  it('streams a large object (8 MiB) and counts it exactly', async () => {
    const { text, counts } = generateText(7, 1_400_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(8 * 1024 * 1024);
    await s3.put(INPUT_BUCKET, `${PREFIX}large.txt`, text);
    const run = await runJob(job, s3, { name: nextName() });
    expect(run.status).toBe('SUCCEEDED');
    expect((await outputOf(run.output as ReduceResult)).counts).toEqual(asObject(counts));
  });
});

describe('idempotency: one partial result per object version', () => {
  it('counts an object once when its child runs twice (a retry, a redrive, an Express re-run): the second run reuses the partial', async () => {
    const { handler } = await import('../src/functions/map-words.js');
    const { text } = generateText(500, 300);
    const key = `${PREFIX}twice.txt`;
    const eTag = await s3.put(INPUT_BUCKET, key, text);
    const item = { key, eTag, size: Buffer.byteLength(text) };
    const writes = () => s3.writes[RESULTS_BUCKET]!.filter((k) => k.startsWith('partials/')).length;
    const before = writes();

    const first = (await handler(item, {} as never)) as Extract<MapResult, { status: 'counted' }>;
    const partial = await s3.text(RESULTS_BUCKET, first.partialKey);
    const second = await handler(item, {} as never);

    expect(first.reused).toBe(false);
    expect(second).toEqual({ ...first, reused: true });
    expect(writes() - before).toBe(1);
    expect(await s3.text(RESULTS_BUCKET, first.partialKey)).toBe(partial);
  });

  it('re-running a job over unchanged objects reuses every partial and gives the same counts', async () => {
    const expected = await uploadCorpus(4, 600, 300);
    const first = await runJob(job, s3, { name: nextName() });
    const partialWrites = s3.writes[RESULTS_BUCKET]!.filter((k) => k.startsWith('partials/')).length;
    const second = await runJob(job, s3, { name: nextName() });
    expect((second.output as ReduceResult).objects).toMatchObject({ counted: 4, reused: 4 });
    expect(s3.writes[RESULTS_BUCKET]!.filter((k) => k.startsWith('partials/')).length).toBe(partialWrites);
    expect((await outputOf(second.output as ReduceResult)).counts).toEqual((await outputOf(first.output as ReduceResult)).counts);
    expect((await outputOf(second.output as ReduceResult)).counts).toEqual(asObject(total(expected)));
  });

  it('counts a new version of an object again (new ETag, new partial)', async () => {
    const key = `${PREFIX}versioned.txt`;
    await s3.put(INPUT_BUCKET, key, 'one two two');
    await runJob(job, s3, { name: nextName() });
    await s3.put(INPUT_BUCKET, key, 'three three three');
    const run = await runJob(job, s3, { name: nextName() });
    expect((run.output as ReduceResult).objects).toMatchObject({ counted: 1, reused: 0 });
    expect((await outputOf(run.output as ReduceResult)).counts).toEqual({ three: 3 });
  });

  it('retries a transient error (S3 throttling) and counts the object once', async () => {
    const expected = await uploadCorpus(2, 700, 100);
    const key = [...expected.keys()][0]!;
    const throttled = () => new TransientError('reading s3://corpus-input/…: SlowDown');
    const run = await runJob(job, s3, { name: nextName(), faults: { [key]: [throttled(), throttled()] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.mapperCalls).toBe(4);
    expect((await outputOf(run.output as ReduceResult)).counts).toEqual(asObject(total(expected)));
  });
});

describe('failure tolerance', () => {
  it('with 0% tolerated (sprout.json): one object deleted after the listing fails the job, and nothing is reduced', async () => {
    const expected = await uploadCorpus(4, 800, 100);
    const gone = [...expected.keys()][1]!;
    const name = nextName();
    const run = await runJob(job, s3, { name, afterListing: () => s3.delete(INPUT_BUCKET, gone) });
    expect(job.definition.States.MapObjects).not.toHaveProperty('ToleratedFailurePercentage');
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(run.children.find((c) => c.Status === 'FAILED')).toMatchObject({ Error: 'ObjectGoneError', Input: expect.stringContaining(gone) });
    expect(await s3.keys(RESULTS_BUCKET, `output/${name}/`)).toEqual([]);
  });

  it('with 25% tolerated: 2 of 8 objects fail, the rest is reduced, and the output names the missing objects and why', async () => {
    const tolerant = synthesizeJob({ toleratedFailurePercentage: 25 });
    expect(tolerant.definition.States.MapObjects.ToleratedFailurePercentage).toBe(25);
    const expected = await uploadCorpus(8, 900, 150);
    const [, gone, , changed] = [...expected.keys()] as [string, string, string, string];
    const run = await runJob(tolerant, s3, {
      name: nextName(),
      afterListing: async () => {
        await s3.delete(INPUT_BUCKET, gone);
        await s3.put(INPUT_BUCKET, changed, 'overwritten while the job ran');
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    const result = run.output as ReduceResult;
    expect(result).toMatchObject({ complete: false, objects: { listed: 8, counted: 6, missing: 2 } });
    const output = await outputOf(result);
    expect(output.counts).toEqual(asObject(total(expected, [gone, changed])));
    expect(output.objects.missing).toEqual(
      [
        { key: gone, eTag: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'FAILED', error: 'ObjectGoneError', cause: `s3://${INPUT_BUCKET}/${gone} was deleted after the job listed it`, execution: expect.any(String) },
        { key: changed, eTag: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'FAILED', error: 'ObjectChangedError', cause: expect.stringContaining('changed after the job listed it'), execution: expect.any(String) },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
  });

  it('with 25% tolerated: losing 3 objects of 8 fails the job', async () => {
    const tolerant = synthesizeJob({ toleratedFailurePercentage: 25 });
    const expected = await uploadCorpus(8, 1000, 50);
    const keys = [...expected.keys()];
    const run = await runJob(tolerant, s3, { name: nextName(), afterListing: async () => { for (const key of keys.slice(0, 3)) await s3.delete(INPUT_BUCKET, key); } });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('refuses an object over the size limit without downloading it', async () => {
    const { handler } = await import('../src/functions/map-words.js');
    const reads = s3.writes[RESULTS_BUCKET]!.length;
    await expect(handler({ key: `${PREFIX}huge.txt`, eTag: '"d41d8cd98f00b204e9800998ecf8427e"', size: MAX_OBJECT_BYTES + 1 }, {} as never)).rejects.toMatchObject({ name: 'ObjectTooLargeError' });
    expect(s3.writes[RESULTS_BUCKET]!.length).toBe(reads);
  });
});
