import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acceptedValues, isAccepted, type Keyring, newSecretValue, parseKeyring, rotateKeyring } from '../src/lib/origin-verify.js';
import { lambdaContext } from './helpers/api-event.js';
import { type Authorizer, authorizerEvent, effectOf, FakeSecretsManager, HEADER, SECRET_ARN, useFunctionEnvironment, value } from './helpers/secrets.js';

describe('the keyring', () => {
  const ring: Keyring = { previous: value('previous'), current: value('current'), next: value('next') };

  it('accepts exactly its previous, current and next values', () => {
    expect(acceptedValues(ring)).toEqual([ring.previous, ring.current, ring.next]);
    for (const accepted of acceptedValues(ring)) expect(isAccepted(accepted, ring)).toBe(true);
    for (const refused of [undefined, '', value('other'), ring.current.slice(0, -1), `${ring.current}x`, ring.current.toUpperCase()]) {
      expect(isAccepted(refused, ring), String(refused)).toBe(false);
    }
  });

  it('compares values of any length without throwing (timingSafeEqual on equal-length digests)', () => {
    expect(isAccepted('x', ring)).toBe(false);
    expect(isAccepted('x'.repeat(10_000), ring)).toBe(false);
  });

  it('adds a next value on the first rotation, leaving current (what CloudFront sends) alone', () => {
    const created = { current: value('created') };
    expect(rotateKeyring(created, value('fresh'))).toEqual({ current: value('created'), next: value('fresh') });
  });

  it('shifts by one on every later rotation: previous ← current ← next ← fresh', () => {
    expect(rotateKeyring(ring, value('fresh'))).toEqual({ previous: ring.current, current: ring.next, next: value('fresh') });
  });

  it('generates 43-character base64url values, different every time', () => {
    const values = Array.from({ length: 50 }, newSecretValue);
    for (const generated of values) expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(values).size).toBe(values.length);
  });

  it.each([
    ['text that is not JSON', 'not json', /not valid JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['no current value', JSON.stringify({ next: value('next') }), /"current" must be a string of at least 32/],
    ['a short, typed-by-hand value', JSON.stringify({ current: 'letmein' }), /"current" must be a string of at least 32/],
    ['a non-string next', JSON.stringify({ current: value('current'), next: 42 }), /"next" must be a string/],
  ])('refuses a secret holding %s', (_, secret, message) => {
    expect(() => parseKeyring(secret)).toThrow(message);
  });
});

describe('the origin-verify authorizer', () => {
  let secrets: FakeSecretsManager;
  const start = new Date('2026-11-26T12:00:00Z');

  /** A new execution environment of the authorizer (module state, and so its cache, starts empty). */
  async function coldStart(): Promise<Authorizer> {
    vi.resetModules();
    return (await import('../src/functions/origin-verify-authorizer.js')).handler;
  }
  const ask = async (authorize: Authorizer, headers: Record<string, string>) => authorize(authorizerEvent(headers), lambdaContext('origin-verify'));

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    useFunctionEnvironment();
    secrets = new FakeSecretsManager({ current: value('current'), next: value('next') });
  });
  afterEach(() => {
    secrets.mock.restore();
    vi.useRealTimers();
  });
  afterAll(() => vi.resetModules());

  it('denies a request without the header', async () => {
    const authorize = await coldStart();
    expect(effectOf(await ask(authorize, {}))).toBe('Deny');
    expect(effectOf(await ask(authorize, { [HEADER]: '' }))).toBe('Deny');
  });

  it('denies a wrong value, even one that differs only in its last character', async () => {
    const authorize = await coldStart();
    expect(effectOf(await ask(authorize, { [HEADER]: value('guess') }))).toBe('Deny');
    expect(effectOf(await ask(authorize, { [HEADER]: `${value('current').slice(0, -1)}y` }))).toBe('Deny');
  });

  it('allows the right value, under whatever letter case the header name arrives in', async () => {
    const authorize = await coldStart();
    expect(effectOf(await ask(authorize, { [HEADER]: value('current') }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER.toLowerCase()]: value('current') }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER]: value('next') }))).toBe('Allow');
  });

  it('answers for the whole stage, since API Gateway reuses a cached answer for every method and path', async () => {
    const result = await ask(await coldStart(), { [HEADER]: value('current') });
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*' },
    ]);
    expect(result.principalId).toBe('cloudfront');
  });

  it('reads the secret once per cache period with the Powertools parameters utility, not once per request', async () => {
    const authorize = await coldStart();
    for (let i = 0; i < 5; i++) await ask(authorize, { [HEADER]: value('current') });
    expect(secrets.mock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.mock.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
    vi.setSystemTime(start.getTime() + 301_000);
    await ask(authorize, { [HEADER]: value('current') });
    expect(secrets.mock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('follows a rotation: the new values work once its cache expires, the oldest stops working, the one before stays accepted', async () => {
    const authorize = await coldStart();
    const before = secrets.current();
    expect(effectOf(await ask(authorize, { [HEADER]: before.current }))).toBe('Allow');

    // Two rotations, as the rotation function writes them.
    secrets.put(rotateKeyring(rotateKeyring(before, value('third')), value('fourth')));
    expect(secrets.current()).toEqual({ previous: value('next'), current: value('third'), next: value('fourth') });

    // Still the cached keyring: what CloudFront sent a moment ago keeps working.
    expect(effectOf(await ask(authorize, { [HEADER]: before.current }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER]: value('third') }))).toBe('Deny');

    vi.setSystemTime(start.getTime() + 301_000);
    expect(effectOf(await ask(authorize, { [HEADER]: value('third') }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER]: value('fourth') }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER]: value('next') }))).toBe('Allow');
    expect(effectOf(await ask(authorize, { [HEADER]: before.current }))).toBe('Deny');
  });

  it('fails (API Gateway answers 500 and caches nothing) rather than denying when the secret cannot be read', async () => {
    secrets.failReads = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const authorize = await coldStart();
    await expect(ask(authorize, { [HEADER]: value('current') })).rejects.toThrow();
  });

  it('fails on a secret that is not a keyring instead of letting anything through', async () => {
    secrets.put({ current: 'short' } as Keyring);
    const authorize = await coldStart();
    await expect(ask(authorize, { [HEADER]: 'short' })).rejects.toThrow(/at least 32 characters/);
  });
});
