import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PreconditionFailedException,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createFlag, setFlag } from '../../src/feature-flags/edit.js';
import { changeFlags } from '../../src/feature-flags/flags.js';
import { lambdaEnvFlagStore } from '../../src/feature-flags/lambda-env-store.js';
import { decodeEnv, encodeEnv, SPROUT_FLAGS_VARIABLE } from '../../src/runtime/flags/codec.js';
import { emptyDocument } from '../../src/runtime/flags/model.js';

const lambda = mockClient(LambdaClient);
const client = () => new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const document = createFlag(emptyDocument(), { key: 'kill-switch', type: 'boolean' });
const options = { command: 'sprout flags enable kill-switch', dryRun: false, wait: false, now: new Date('2026-11-26T10:00:00.000Z') };

beforeEach(() => {
  lambda.reset();
  vi.useFakeTimers();
  lambda.on(GetFunctionConfigurationCommand).resolves({ RevisionId: 'rev-1', Environment: { Variables: { TABLE_NAME: 'items', [SPROUT_FLAGS_VARIABLE]: encodeEnv(document) } } });
  lambda.on(UpdateFunctionConfigurationCommand).resolves({ RevisionId: 'rev-2', LastUpdateStatus: 'InProgress' });
  // waitUntilFunctionUpdatedV2 polls GetFunction until LastUpdateStatus is Successful.
  lambda.on(GetFunctionCommand).resolvesOnce({ Configuration: { LastUpdateStatus: 'InProgress' } }).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
});
afterEach(() => vi.useRealTimers());

async function settle<T>(promise: Promise<T>): Promise<T> {
  const guarded = promise.catch((error) => error as T);
  await vi.runAllTimersAsync();
  const value = await guarded;
  if (value instanceof Error) throw value;
  return value;
}

describe('lambdaEnvFlagStore', () => {
  it('merges the flags into the environment with the RevisionId read, then waits for the update', async () => {
    const store = lambdaEnvFlagStore({ functions: ['api-get'] }, client());
    const result = await settle(changeFlags(store, (d) => setFlag(d, 'kill-switch', { enabled: true }), options));
    expect(result.version).toBe('rev-2');
    const update = lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input;
    expect(update).toMatchObject({ FunctionName: 'api-get', RevisionId: 'rev-1' });
    expect(update.Environment!.Variables!.TABLE_NAME).toBe('items');
    expect(decodeEnv(update.Environment!.Variables![SPROUT_FLAGS_VARIABLE]!).flags['kill-switch']!.enabled).toBe(true);
    expect(lambda).toHaveReceivedCommandTimes(GetFunctionCommand, 2);
  });

  it('a changed RevisionId is a conflict (exit 4)', async () => {
    lambda.on(UpdateFunctionConfigurationCommand).rejects(new PreconditionFailedException({ message: 'The Revision Id provided does not match', $metadata: {} }));
    const store = lambdaEnvFlagStore({ functions: ['api-get'] }, client());
    await expect(settle(store.write(document, { expected: 'rev-1', description: 'd', wait: false }))).rejects.toMatchObject({ code: 'FLAGS_CHANGED', exitCode: 4 });
  });

  it('refuses to exceed the 4 KB environment limit and writes nothing', async () => {
    const store = lambdaEnvFlagStore({ functions: ['api-get'] }, client());
    const huge = setFlag(document, 'kill-switch', { targets: Array.from({ length: 400 }, (_, i) => `customer-${i}=on`) });
    await expect(settle(store.write(huge, { expected: 'rev-1', description: 'd', wait: false }))).rejects.toMatchObject({ code: 'ENVIRONMENT_TOO_LARGE', exitCode: 3 });
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it('checks every function before changing any', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'api-put' }).resolves({ RevisionId: 'moved-on', Environment: { Variables: {} } });
    const store = lambdaEnvFlagStore({ functions: ['api-get', 'api-put'] }, client());
    await expect(settle(store.write(document, { expected: 'rev-1,rev-1', description: 'd', wait: false }))).rejects.toMatchObject({ exitCode: 4 });
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it('with an alias, publishes a version and moves the alias to it', async () => {
    lambda.on(PublishVersionCommand).resolves({ Version: '9' });
    lambda.on(GetAliasCommand).resolves({ Name: 'live', FunctionVersion: '8', RevisionId: 'alias-rev' });
    lambda.on(UpdateAliasCommand).resolves({});
    const store = lambdaEnvFlagStore({ functions: ['api-get'], alias: 'live' }, client());
    await settle(store.write(document, { expected: 'rev-1', description: 'sprout flags enable kill-switch', wait: false }));
    expect(lambda).toHaveReceivedCommandWith(PublishVersionCommand, { FunctionName: 'api-get' });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { FunctionName: 'api-get', Name: 'live', FunctionVersion: '9', RevisionId: 'alias-rev' });
  });

  it('needs the functions that carry the flags (exit 2)', () => {
    expect(() => lambdaEnvFlagStore({ functions: [] }, client())).toThrow(expect.objectContaining({ code: 'NO_FUNCTIONS', exitCode: 2 }));
  });
});
