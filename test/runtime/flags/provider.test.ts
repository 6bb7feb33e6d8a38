import { type EvaluationContext, type Logger, OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';

import { encodeEnv, FlagCodecError } from '../../../src/runtime/flags/codec.js';
import { type Flag, type FlagDocument, newBooleanFlag } from '../../../src/runtime/flags/model.js';
import { createFlagsClient, SproutFlagsProvider } from '../../../src/runtime/flags/provider.js';
import { environmentSource, fileSource, type FlagSnapshot, sourceFromEnvironment } from '../../../src/runtime/flags/sources.js';
import { localFlagsFile, localFlagStore } from '../../../src/feature-flags/local-store.js';
import { tempDir } from '../../helpers/cli.js';

const everyone: Flag = { ...newBooleanFlag('new-checkout'), enabled: true, targets: { on: ['tester'] }, split: { on: 10_000 } };
const theme: Flag = { enabled: true, type: 'string', variants: { classic: 'classic', bold: 'bold' }, defaultVariant: 'bold', offVariant: 'classic', salt: 'theme' };
const documentOf = (flags: Record<string, Flag>): FlagDocument => ({ version: 1, flags });
const v1 = documentOf({ 'new-checkout': everyone, theme });
const user: EvaluationContext = { targetingKey: 'user-1' };

const logger = () => ({ error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() }) satisfies Logger;

/** A fetch function whose answers the test scripts: a snapshot, or an error to throw. */
function scriptedFetch(...answers: Array<FlagSnapshot | Error>) {
  const fetch = vi.fn(async () => {
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return fetch;
}

let domain = 0;
const nextDomain = () => `flags-test-${++domain}`;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
});

afterEach(async () => {
  vi.useRealTimers();
  await OpenFeature.clearProviders();
});

describe('SproutFlagsProvider through an OpenFeature client', () => {
  it('evaluates with evaluateFlag and reports the evaluator’s reason, variant and metadata', async () => {
    const client = createFlagsClient({ domain: nextDomain(), source: scriptedFetch({ document: v1 }) });
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      flagMetadata: { source: 'custom', cached: false, ageSeconds: 0, bucket: expect.any(Number) },
    });
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'tester' })).toMatchObject({ reason: 'TARGETING_MATCH', flagMetadata: { rule: 'targeting key listed for "on"' } });
    expect(await client.getStringDetails('theme', 'classic')).toMatchObject({ value: 'bold', variant: 'bold', reason: 'STATIC' });
  });

  it('caches the document for maxAge seconds (45 by default), then fetches again', async () => {
    const fetch = scriptedFetch({ document: v1 }, { document: documentOf({ 'new-checkout': { ...everyone, enabled: false }, theme }) });
    const client = createFlagsClient({ domain: nextDomain(), source: fetch });
    await client.getBooleanValue('new-checkout', false, user);
    vi.advanceTimersByTime(44_000);
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: true, reason: 'SPLIT', flagMetadata: { cached: true, ageSeconds: 44 } });
    expect(fetch).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(await client.getBooleanDetails('new-checkout', true, user)).toMatchObject({ value: false, reason: 'DISABLED', flagMetadata: { cached: false, ageSeconds: 0 } });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch).toHaveBeenCalledWith(45);
  });

  it('fetches once for evaluations that arrive together', async () => {
    const fetch = scriptedFetch({ document: v1 });
    const client = createFlagsClient({ domain: nextDomain(), source: fetch });
    const values = await Promise.all(Array.from({ length: 10 }, () => client.getBooleanValue('new-checkout', false, user)));
    expect(values).toEqual(Array(10).fill(true));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('serves the older copy as STALE when a refresh fails, retries after 5 s, and recovers', async () => {
    const fetch = scriptedFetch({ document: v1 }, new Error('AppConfig is down'), new Error('still down'), { document: v1 });
    const provider = new SproutFlagsProvider({ source: { name: 'appconfig', fetch } });
    const events = { stale: vi.fn(), ready: vi.fn() };
    provider.events.addHandler(ProviderEvents.Stale, events.stale);
    provider.events.addHandler(ProviderEvents.Ready, events.ready);
    const log = logger();

    await provider.resolveBooleanEvaluation('new-checkout', false, user, log);
    vi.advanceTimersByTime(50_000);
    expect(await provider.resolveBooleanEvaluation('new-checkout', false, user, log)).toEqual({
      value: true,
      variant: 'on',
      reason: 'STALE',
      flagMetadata: { source: 'appconfig', cached: true, ageSeconds: 50, stale: true, bucket: expect.any(Number), evaluationReason: 'SPLIT' },
    });
    expect(events.stale).toHaveBeenCalledWith(expect.objectContaining({ message: 'could not load flags from appconfig: AppConfig is down' }));
    expect(log.warn).toHaveBeenCalledWith('could not load flags from appconfig: AppConfig is down; serving the copy from 2025-06-01T12:00:00.000Z');

    // Within 5 s of the failure: no new fetch, still stale.
    vi.advanceTimersByTime(4_000);
    expect(await provider.resolveBooleanEvaluation('new-checkout', false, user, log)).toMatchObject({ reason: 'STALE' });
    expect(fetch).toHaveBeenCalledTimes(2);

    vi.advanceTimersByTime(1_000);
    expect(await provider.resolveBooleanEvaluation('new-checkout', false, user, log)).toMatchObject({ reason: 'STALE', flagMetadata: { ageSeconds: 55 } });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(events.stale).toHaveBeenCalledTimes(1); // one event per change of state, not per failure

    vi.advanceTimersByTime(5_000);
    expect(await provider.resolveBooleanEvaluation('new-checkout', false, user, log)).toMatchObject({ reason: 'SPLIT', flagMetadata: { cached: false, ageSeconds: 0 } });
    expect(events.ready).toHaveBeenCalledTimes(1);
  });

  it('keeps an evaluator error an ERROR when serving a stale copy', async () => {
    const provider = new SproutFlagsProvider({ source: scriptedFetch({ document: v1 }, new Error('down')) });
    await provider.resolveBooleanEvaluation('new-checkout', false, user, logger());
    vi.advanceTimersByTime(46_000);
    expect(await provider.resolveBooleanEvaluation('missing', false, user, logger())).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', flagMetadata: { stale: true } });
  });

  it('with nothing ever fetched, a failure is the caller’s default with ERROR: GENERAL, or PARSE_ERROR for content it cannot decode', async () => {
    const down = createFlagsClient({ domain: nextDomain(), source: scriptedFetch(new Error('connect ETIMEDOUT')) });
    expect(await down.getBooleanDetails('new-checkout', true, user)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: 'could not load flags from custom: connect ETIMEDOUT',
    });
    const garbled = createFlagsClient({ domain: nextDomain(), source: scriptedFetch(new FlagCodecError('the AppConfig content is not JSON')) });
    expect(await garbled.getStringDetails('theme', 'classic')).toMatchObject({ value: 'classic', reason: 'ERROR', errorCode: 'PARSE_ERROR' });
  });

  it('emits ERROR when the first fetch fails and READY when one succeeds', async () => {
    const provider = new SproutFlagsProvider({ source: scriptedFetch(new Error('down'), { document: v1 }) });
    const events = { error: vi.fn(), ready: vi.fn() };
    provider.events.addHandler(ProviderEvents.Error, events.error);
    provider.events.addHandler(ProviderEvents.Ready, events.ready);
    await provider.resolveBooleanEvaluation('new-checkout', false, user, logger());
    expect(events.error).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_000);
    expect(await provider.resolveBooleanEvaluation('new-checkout', false, user, logger())).toMatchObject({ value: true, reason: 'SPLIT' });
    expect(events.ready).toHaveBeenCalledTimes(1);
  });

  it('emits CONFIGURATION_CHANGED with the flags that changed', async () => {
    const v2 = documentOf({ 'new-checkout': everyone, theme: { ...theme, defaultVariant: 'classic' }, added: newBooleanFlag('added') });
    const provider = new SproutFlagsProvider({ source: scriptedFetch({ document: v1 }, { document: v1 }, { document: v2 }) });
    const changed = vi.fn();
    provider.events.addHandler(ProviderEvents.ConfigurationChanged, changed);
    await provider.resolveStringEvaluation('theme', '', {}, logger());
    vi.advanceTimersByTime(45_000);
    await provider.resolveStringEvaluation('theme', '', {}, logger());
    expect(changed).not.toHaveBeenCalled(); // the same document again
    vi.advanceTimersByTime(45_000);
    expect(await provider.resolveStringEvaluation('theme', '', {}, logger())).toMatchObject({ value: 'classic' });
    expect(changed).toHaveBeenCalledWith(expect.objectContaining({ flagsChanged: ['theme', 'added'] }));
  });

  it('passes the evaluator’s errors to the SDK, which returns the caller’s default', async () => {
    const client = createFlagsClient({ domain: nextDomain(), source: scriptedFetch({ document: v1 }) });
    expect(await client.getBooleanDetails('missing', true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(await client.getNumberDetails('theme', 3)).toMatchObject({ value: 3, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(await client.getObjectDetails('theme', { a: 1 })).toMatchObject({ value: { a: 1 }, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  });

  it('serves a split flag’s own default variant without a targeting key, as a warning, not an error', async () => {
    const provider = new SproutFlagsProvider({ source: scriptedFetch({ document: v1 }) });
    const log = logger();
    expect(await provider.resolveBooleanEvaluation('new-checkout', true, {}, log)).toEqual({
      value: false,
      variant: 'off',
      reason: 'DEFAULT',
      flagMetadata: { source: 'custom', cached: false, ageSeconds: 0, warning: 'TARGETING_KEY_MISSING' },
    });
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('splits users by targetingKey'));
  });

  it('answers DISABLED with the caller’s default for a flag AppConfig delivered switched off, without its spec', async () => {
    const delivered: FlagSnapshot = { document: { version: 1, flags: { theme: { enabled: false } as Flag } }, switchedOff: ['theme'] };
    const client = createFlagsClient({ domain: nextDomain(), source: scriptedFetch(delivered) });
    expect(await client.getStringDetails('theme', 'classic')).toMatchObject({ value: 'classic', reason: 'DISABLED', flagMetadata: { offVariantUnknown: true } });
    expect(await client.getBooleanDetails('theme', true)).toEqual(expect.objectContaining({ value: true, reason: 'DISABLED' }));
    expect((await client.getBooleanDetails('theme', true)).variant).toBeUndefined();
  });

  it('never refreshes faster than its source allows (AppConfig: 15 s)', async () => {
    const fetch = scriptedFetch({ document: v1 });
    const provider = new SproutFlagsProvider({ source: { name: 'appconfig', minimumMaxAgeSeconds: 15, fetch }, maxAge: 5 });
    await provider.resolveBooleanEvaluation('new-checkout', false, user, logger());
    vi.advanceTimersByTime(10_000);
    await provider.resolveBooleanEvaluation('new-checkout', false, user, logger());
    expect(fetch).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_000);
    await provider.resolveBooleanEvaluation('new-checkout', false, user, logger());
    expect(fetch).toHaveBeenLastCalledWith(15);
  });

  it('registers as the default provider when no domain is given', async () => {
    const client = createFlagsClient({ source: scriptedFetch({ document: v1 }) });
    expect(OpenFeature.getProviderMetadata().name).toBe('sprout-flags');
    expect(await client.getBooleanValue('new-checkout', false, user)).toBe(true);
  });
});

describe('flag sources from the function’s environment', () => {
  it('reads the lambda-env store’s SPROUT_FLAGS', async () => {
    const client = createFlagsClient({ domain: nextDomain(), source: environmentSource({ SPROUT_FLAGS: encodeEnv(v1) }) });
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: true, flagMetadata: { source: 'lambda-env' } });
  });

  it('says so when SPROUT_FLAGS is not set', async () => {
    const client = createFlagsClient({ domain: nextDomain(), source: sourceFromEnvironment({}) });
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({
      value: false,
      errorCode: 'GENERAL',
      errorMessage: expect.stringContaining('the SPROUT_FLAGS environment variable is not set'),
    });
  });

  it('chooses AppConfig when the stack set all three AppConfig variables, and refuses half a setup', async () => {
    expect(sourceFromEnvironment({ SPROUT_FLAGS_APPLICATION: 'shop', SPROUT_FLAGS_ENVIRONMENT: 'dev', SPROUT_FLAGS_PROFILE: 'flags', SPROUT_FLAGS: '{}' })).toMatchObject({
      name: 'appconfig',
      minimumMaxAgeSeconds: 15,
    });
    expect(sourceFromEnvironment({ SPROUT_FLAGS: '{}' }).name).toBe('lambda-env');
    const half = sourceFromEnvironment({ SPROUT_FLAGS_APPLICATION: 'shop', SPROUT_FLAGS_ENVIRONMENT: 'dev' });
    await expect(half.fetch(45)).rejects.toThrow('SPROUT_FLAGS_PROFILE not set, while SPROUT_FLAGS_APPLICATION, SPROUT_FLAGS_ENVIRONMENT is: the stack must set all three');
  });

  it('reads the local store’s file when SPROUT_FLAGS_FILE is set (sprout dev), over AppConfig, and sees a change within a second', async () => {
    const dir = await tempDir();
    onTestFinished(dir.cleanup);
    const root = dir.path;
    const file = localFlagsFile(root);
    const source = sourceFromEnvironment({ SPROUT_FLAGS_FILE: file, SPROUT_FLAGS_APPLICATION: 'shop', SPROUT_FLAGS_ENVIRONMENT: 'dev', SPROUT_FLAGS_PROFILE: 'flags' });
    expect(source).toMatchObject({ name: 'local', maximumMaxAgeSeconds: 1 });
    // The default maxAge (45 s) is capped at the source's maximum.
    const client = createFlagsClient({ domain: nextDomain(), source });
    // No file yet: every flag at its default, not an error.
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });

    const store = localFlagStore(root);
    const before = await store.read();
    await store.write(v1, { expected: before.version, description: 'test', wait: true });
    // Still the cached copy until a second has passed.
    expect((await client.getBooleanDetails('new-checkout', false, user)).value).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(await client.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: true, flagMetadata: { source: 'local' } });
  });

  it('says which file holds no document', async () => {
    const dir = await tempDir();
    onTestFinished(dir.cleanup);
    const root = dir.path;
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(`${root}/.sprout/local`, { recursive: true });
    await writeFile(localFlagsFile(root), '{"version":3}');
    await expect(fileSource(localFlagsFile(root)).fetch(1)).rejects.toThrow(`${localFlagsFile(root)} holds no flag document`);
  });
});
