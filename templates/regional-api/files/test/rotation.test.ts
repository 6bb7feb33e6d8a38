import { GetDistributionCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Keyring } from '../src/lib/origin-verify.js';
import { lambdaContext } from './helpers/api-event.js';
import { DISTRIBUTION_ID, FakeCloudFront } from './helpers/cloudfront.js';
import { type Authorizer, authorizerEvent, effectOf, FakeSecretsManager, HEADER, SECRET_ARN, useFunctionEnvironment, value } from './helpers/secrets.js';

type RotationHandler = (event: SecretsManagerRotationEvent, context: Context) => Promise<void>;
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const MINUTE = 60_000;

let rotationHandler: RotationHandler;
let secrets: FakeSecretsManager;
let cloudFront: FakeCloudFront;

beforeAll(async () => {
  useFunctionEnvironment({ DISTRIBUTION_ID, MIN_ROTATION_INTERVAL_SECONDS: '900' });
  rotationHandler = (await import('../src/functions/rotate-origin-verify.js')).handler;
});

/** The secret and distribution as a deployed stack has them: the distribution sends `keyring.current`. */
function deployed(keyring: Keyring, { age = 60 * MINUTE } = {}) {
  vi.setSystemTime(Date.now() - age);
  secrets = new FakeSecretsManager(keyring);
  vi.setSystemTime(Date.now() + age);
  cloudFront = new FakeCloudFront(HEADER, keyring.current);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-26T12:00:00Z'));
});
afterEach(() => {
  secrets?.mock.restore();
  cloudFront?.mock.restore();
  vi.useRealTimers();
});

const step = (Step: (typeof STEPS)[number], token: string) =>
  rotationHandler({ Step, SecretId: SECRET_ARN, ClientRequestToken: token }, lambdaContext('rotate-origin-verify'));

/** One whole rotation, as Secrets Manager runs it. */
async function rotate(): Promise<string> {
  const token = secrets.startRotation();
  for (const name of STEPS) await step(name, token);
  return token;
}

describe('rotating the origin-verify secret', () => {
  it('first adds a next value (the rotation right after the stack is created), leaving the distribution alone', async () => {
    deployed({ current: value('created') }, { age: 0 });
    await rotate();
    expect(secrets.current()).toEqual({ current: value('created'), next: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(cloudFront.mock.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    expect(cloudFront.headerValue()).toBe(value('created'));
  });

  it('then makes CloudFront send the old next value and shifts the keyring, changing nothing else in the distribution', async () => {
    deployed({ current: value('current'), next: value('next') });
    const before = structuredClone(cloudFront.config);
    await rotate();

    expect(secrets.current()).toEqual({ previous: value('current'), current: value('next'), next: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const [update] = cloudFront.mock.commandCalls(UpdateDistributionCommand);
    expect(update!.args[0].input).toMatchObject({ Id: DISTRIBUTION_ID, IfMatch: 'E1' });
    expect(cloudFront.headerValue()).toBe(value('next'));
    // Only the origin-verify value changed: other headers, origins and settings are as they were.
    const expected = structuredClone(before);
    expected.Origins!.Items![0]!.CustomHeaders!.Items![1]!.HeaderValue = value('next');
    expect(cloudFront.config).toEqual(expected);
    expect(secrets.mock.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toMatchObject({ SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' });
  });

  it('refuses to start while the distribution is still deploying its last change (edges may send the value it would drop)', async () => {
    deployed({ previous: value('previous'), current: value('current'), next: value('next') });
    cloudFront.status = 'InProgress';
    const token = secrets.startRotation();
    await expect(step('createSecret', token)).rejects.toThrow(/is InProgress.*Rotate again once it is Deployed/);
    expect(secrets.mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.current().previous).toBe(value('previous'));
  });

  it('refuses to rotate again before every authorizer can have read the last next value', async () => {
    deployed({ current: value('current'), next: value('next') }, { age: 5 * MINUTE });
    const token = secrets.startRotation();
    await expect(step('createSecret', token)).rejects.toThrow(/authorizers may not have read its next value yet\. Rotate again after 2026-11-26T12:10:00\.000Z/);
    vi.setSystemTime(Date.now() + 10 * MINUTE);
    await expect(step('createSecret', token)).resolves.toBeUndefined();
  });

  it('runs every step again after a failure without doing anything twice', async () => {
    deployed({ current: value('current'), next: value('next') });
    const token = secrets.startRotation();
    for (const name of STEPS) {
      await step(name, token);
      await step(name, token);
    }
    expect(secrets.mock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(cloudFront.mock.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    expect(secrets.mock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(secrets.current().current).toBe(value('next'));
  });

  it('never undoes a change made to the distribution since it read it: CloudFront refuses the stale ETag, and a retry keeps both', async () => {
    deployed({ current: value('current'), next: value('next') });
    const token = secrets.startRotation();
    await step('createSecret', token);
    cloudFront.onUpdate = () => {
      cloudFront.onUpdate = undefined;
      cloudFront.changeElsewhere();
    };
    await expect(step('setSecret', token)).rejects.toThrow(/If-Match/);
    expect(cloudFront.config.Comment).toBe('changed by a deploy');
    expect(cloudFront.headerValue()).toBe(value('current'));

    await step('setSecret', token);
    expect(cloudFront.config.Comment).toBe('changed by a deploy');
    expect(cloudFront.headerValue()).toBe(value('next'));
  });

  it('fails the test step when the distribution does not send the pending value', async () => {
    deployed({ current: value('current'), next: value('next') });
    const token = secrets.startRotation();
    await step('createSecret', token);
    await expect(step('testSecret', token)).rejects.toThrow(/does not send the pending origin-verify value/);
  });

  it('refuses a distribution whose origin does not send the header at all', async () => {
    deployed({ current: value('current'), next: value('next') });
    cloudFront.config.Origins!.Items![0]!.CustomHeaders!.Items = [];
    const token = secrets.startRotation();
    await step('createSecret', token);
    await expect(step('setSecret', token)).rejects.toThrow(`No origin of distribution ${DISTRIBUTION_ID} sends the ${HEADER} header`);
  });

  it('checks the version it is asked to rotate to', async () => {
    deployed({ current: value('current'), next: value('next') });
    await expect(step('createSecret', 'no-such-version')).rejects.toThrow(/has no version no-such-version/);
    const [current] = [...secrets.versions].find(([, v]) => v.stages.includes('AWSCURRENT'))!;
    await expect(step('createSecret', current)).resolves.toBeUndefined();
    expect(secrets.mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    secrets.rotationEnabled = false;
    await expect(step('createSecret', secrets.startRotation())).rejects.toThrow(/does not have rotation enabled/);
  });
});

describe('rotation never locks CloudFront out', () => {
  /** A new execution environment of the authorizer, its cache filled now. */
  async function authorizerStartedNow(sent: string): Promise<Authorizer> {
    vi.resetModules();
    const { handler } = await import('../src/functions/origin-verify-authorizer.js');
    expect(effectOf(await handler(authorizerEvent({ [HEADER]: sent }), lambdaContext()))).toBe('Allow');
    return handler;
  }

  it('accepts whatever any edge location sends, in every authorizer, at every step of four rotations', async () => {
    useFunctionEnvironment();
    deployed({ current: value('created') }, { age: 0 });
    const authorizers: Authorizer[] = [];
    const sentEver: string[] = [value('created')];

    const expectEveryEdgeAccepted = async (moment: string) => {
      for (const [i, authorize] of authorizers.entries()) {
        for (const sent of cloudFront.inFlight) {
          const result = await authorize(authorizerEvent({ [HEADER]: sent }), lambdaContext());
          expect(effectOf(result), `${moment}: authorizer ${i}, value ${sentEver.indexOf(sent)}`).toBe('Allow');
        }
      }
    };

    // The rotation CloudFormation starts when it creates the stack: adds `next` only.
    await rotate();
    for (let round = 1; round <= 4; round++) {
      vi.setSystemTime(Date.now() + 20 * MINUTE);
      // One environment that read the keyring just before the rotation, and keeps it 5 minutes.
      authorizers.push(await authorizerStartedNow(cloudFront.inFlight[0]!));
      vi.setSystemTime(Date.now() + MINUTE);

      const token = secrets.startRotation();
      for (const name of STEPS) {
        await step(name, token);
        await expectEveryEdgeAccepted(`round ${round}, after ${name}`);
      }
      sentEver.push(cloudFront.headerValue()!);
      vi.setSystemTime(Date.now() + 3 * MINUTE);
      await expectEveryEdgeAccepted(`round ${round}, edges still deploying, caches as before`);
      vi.setSystemTime(Date.now() + 3 * MINUTE);
      await expectEveryEdgeAccepted(`round ${round}, edges still deploying, caches renewed`);
      cloudFront.finishDeploying();
      await expectEveryEdgeAccepted(`round ${round}, deployed`);
    }

    // And what CloudFront sent three rotations ago is refused everywhere once caches renew.
    vi.setSystemTime(Date.now() + 10 * MINUTE);
    for (const authorize of authorizers) {
      expect(effectOf(await authorize(authorizerEvent({ [HEADER]: sentEver[1]! }), lambdaContext()))).toBe('Deny');
      expect(effectOf(await authorize(authorizerEvent({ [HEADER]: sentEver[3]! }), lambdaContext()))).toBe('Allow');
    }
    expect(new Set(sentEver).size).toBe(5);
    expect(cloudFront.mock.commandCalls(GetDistributionCommand).length).toBeGreaterThan(0);
  });
});
