import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXCLUDE_STOP_WORDS, initialFlags } from '../src/lib/flags.js';
import type { ReduceResult, WordCountOutput } from '../src/lib/reduce.js';
import { STOP_WORDS } from '../src/lib/stop-words.js';
import { bucketOf } from '../src/sprout/flags/bucket.js';
import { decodeAppConfig, encodeAppConfig, encodeEnv } from '../src/sprout/flags/codec.js';
import { evaluateFlag } from '../src/sprout/flags/evaluate.js';
import { type Flag, type FlagDocument, validateDocument } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { asObject, generateText } from './helpers/corpus.js';
import { runJob, type SynthesizedJob, synthesizeJob } from './helpers/map-run.js';
import { INPUT_BUCKET, type LocalS3, RESULTS_BUCKET, startS3rver } from './helpers/s3rver.js';

// The sample flag, exclude-stop-words, evaluated by the real reducer (once per job, targeted by the
// job's name) inside whole jobs over s3rver, with the flags in the lambda-env store's format
// (SPROUT_FLAGS): no AppConfig, no network.

const sampleFlag = initialFlags.flags[EXCLUDE_STOP_WORDS] as Flag;
/** The sample flag changed as `sprout flags set exclude-stop-words …` would change it. */
const withSampleFlag = (change: Partial<Flag>): FlagDocument => ({ version: 1, flags: { [EXCLUDE_STOP_WORDS]: { ...sampleFlag, ...change } } });

let s3: LocalS3;
let job: SynthesizedJob;
const { text, counts } = generateText(11, 2_000);
const stopWordOccurrences = [...counts.entries()].filter(([word]) => STOP_WORDS.has(word)).reduce((sum, [, n]) => sum + n, 0);

beforeAll(async () => {
  s3 = await startS3rver();
  job = synthesizeJob();
  await s3.put(INPUT_BUCKET, 'input/text.txt', text);
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await s3?.stop();
});

/** Serves `flags` to the reducer from now on, as a fresh execution environment would read them. */
async function useFlags(flags: FlagDocument | (() => Promise<never>)) {
  const source = typeof flags === 'function' ? flags : environmentSource({ SPROUT_FLAGS: encodeEnv(flags) });
  await OpenFeature.setProviderAndWait(new SproutFlagsProvider({ source }));
}

async function output(name: string): Promise<WordCountOutput> {
  const run = await runJob(job, s3, { name });
  expect(run.status).toBe('SUCCEEDED');
  return s3.json<WordCountOutput>(RESULTS_BUCKET, (run.output as ReduceResult).output.key);
}

describe('the sample flag as the stack first writes it', () => {
  it('is a valid boolean flag, off, that survives the AppConfig encoding unchanged', () => {
    expect(validateDocument(initialFlags)).toEqual([]);
    expect(sampleFlag).toMatchObject({ type: 'boolean', enabled: false, offVariant: 'off' });
    expect(decodeAppConfig(encodeAppConfig(initialFlags))).toEqual(initialFlags);
    expect(evaluateFlag(initialFlags, EXCLUDE_STOP_WORDS, true, { targetingKey: 'nightly' })).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});

describe('exclude-stop-words in the reducer', () => {
  // The generated corpus has stop words ("the", "and", "of", "a", "to"), or the checks below prove nothing.
  it('has stop words to exclude', () => {
    expect(stopWordOccurrences).toBeGreaterThan(100);
  });

  it('is read from SPROUT_FLAGS by the reducer\'s own provider (off, as the stack writes it)', async () => {
    const out = await output('flag-default');
    expect(out.settings.excludeStopWords).toBe(false);
    expect(out.counts).toEqual(asObject(counts));
  });

  it('on for everyone: the stop words are left out, counted in excludedStopWords, and the rest is unchanged', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 10_000 } }));
    const out = await output('flag-on');
    expect(out.settings.excludeStopWords).toBe(true);
    expect(out.excludedStopWords).toBe(stopWordOccurrences);
    expect(out.counts).toEqual(asObject(new Map([...counts].filter(([word]) => !STOP_WORDS.has(word)))));
    expect(out.top.map((t) => t.word).filter((w) => STOP_WORDS.has(w))).toEqual([]);
  });

  it('for a targeting list (--target nightly-report=on): only that job', async () => {
    await useFlags(withSampleFlag({ enabled: true, targets: { on: ['nightly-report'] } }));
    expect((await output('nightly-report')).settings.excludeStopWords).toBe(true);
    expect((await output('ad-hoc-1')).settings.excludeStopWords).toBe(false);
  });

  it('for 50% of jobs (--on --percent 50): exactly the job names in the first 5,000 buckets', async () => {
    await useFlags(withSampleFlag({ enabled: true, split: { on: 5_000 } }));
    const names = Array.from({ length: 8 }, (_, i) => `daily-${i}`);
    const inSplit = (name: string) => bucketOf(EXCLUDE_STOP_WORDS, sampleFlag.salt, name) < 5_000;
    expect(names.filter(inSplit).length).toBeGreaterThan(0);
    expect(names.filter(inSplit).length).toBeLessThan(names.length);
    for (const name of names) expect((await output(name)).settings.excludeStopWords, name).toBe(inSplit(name));
  });

  it('when the flags cannot be read: every word is counted (the default), and a warning says why', async () => {
    const warnings: unknown[] = [];
    OpenFeature.setLogger({ error: vi.fn(), warn: (...args: unknown[]) => warnings.push(args.join(' ')), info: vi.fn(), debug: vi.fn() });
    await useFlags(() => Promise.reject(new Error('AppConfig is unavailable')));
    const out = await output('flag-unreadable');
    expect(out.settings.excludeStopWords).toBe(false);
    expect(out.counts).toEqual(asObject(counts));
    expect(warnings).toContainEqual(expect.stringMatching(/could not load flags from custom: AppConfig is unavailable/));
  });
});
