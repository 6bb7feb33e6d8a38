import { OpenFeature } from '@openfeature/server-sdk';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialFlags, SIMULATED_FAILURES } from '../src/lib/flags.js';
import { SimulatedFailureError } from '../src/lib/job.js';
import { encodeEnv } from '../src/sprout/flags/codec.js';
import type { Flag } from '../src/sprout/flags/model.js';
import { SproutFlagsProvider } from '../src/sprout/flags/provider.js';
import { environmentSource } from '../src/sprout/flags/sources.js';
import { lambdaContext, syncEvent } from './helpers/events.js';
import { useEmulatorEnvironment } from './helpers/emulators.js';

// The synchronous model needs no emulator: the function only answers its caller.
type Handler = (typeof import('../src/functions/sync.js'))['handler'];
let handler: Handler;

beforeAll(async () => {
  useEmulatorEnvironment('http://127.0.0.1:9');
  handler = (await import('../src/functions/sync.js')).handler;
});
afterAll(() => OpenFeature.clearProviders());

const call = async (body: unknown, requestId?: string) => {
  const response = (await handler(syncEvent(body, requestId), lambdaContext())) as APIGatewayProxyResult;
  return { statusCode: response.statusCode, body: JSON.parse(response.body) };
};

describe('the synchronous function (POST /sync)', () => {
  it('answers the caller with the result, keyed by the API request id', async () => {
    const { statusCode, body } = await call({ message: 'hello' }, 'req-1');
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({ id: 'req-1', model: 'sync', message: 'hello', sleptSeconds: 0 });
  });

  it('makes the caller wait for a slow job: the answer comes only after the sleep', async () => {
    const started = performance.now();
    const { body } = await call({ sleepSeconds: 0.3 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(body.sleptSeconds).toBe(0.3);
  });

  it('throws a failing job out of the handler, so API Gateway answers 502 and nothing retries it', async () => {
    await expect(handler(syncEvent({ fail: true }), lambdaContext())).rejects.toBeInstanceOf(SimulatedFailureError);
  });

  it('answers 400 for a body the API model would refuse (a direct invocation skips API Gateway)', async () => {
    expect(await call({ sleepSeconds: 901 })).toMatchObject({ statusCode: 400, body: { error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(/sleepSeconds/) } } });
    expect(await call({ retries: 3 })).toMatchObject({ statusCode: 400, body: { error: { message: 'Unknown field(s): retries' } } });
    expect(await call('not json')).toMatchObject({ statusCode: 400, body: { error: { message: 'The request body must be valid JSON' } } });
  });

  it('ignores fail and sleepSeconds once simulated-failures is off', async () => {
    const off: Flag = { ...(initialFlags.flags[SIMULATED_FAILURES] as Flag), enabled: false };
    await OpenFeature.setProviderAndWait(
      new SproutFlagsProvider({ source: environmentSource({ SPROUT_FLAGS: encodeEnv({ version: 1, flags: { [SIMULATED_FAILURES]: off } }) }) }),
    );
    const started = performance.now();
    const { statusCode, body } = await call({ fail: true, sleepSeconds: 5 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(statusCode).toBe(200);
    expect(body.sleptSeconds).toBe(0);
  });
});
