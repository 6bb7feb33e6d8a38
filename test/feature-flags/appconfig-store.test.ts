import {
  AppConfigClient,
  BadRequestException,
  ConflictException,
  CreateHostedConfigurationVersionCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
  StartDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { appConfigFlagStore } from '../../src/feature-flags/appconfig-store.js';
import { createFlag, setFlag } from '../../src/feature-flags/edit.js';
import { changeFlags } from '../../src/feature-flags/flags.js';
import { decodeAppConfig, encodeAppConfig } from '../../src/runtime/flags/codec.js';
import { emptyDocument } from '../../src/runtime/flags/model.js';

const appconfig = mockClient(AppConfigClient);
const ids = { applicationId: 'app1', environmentId: 'env1', profileId: 'prof1' };
const store = () => appConfigFlagStore(ids, new AppConfigClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), { maxWaitSeconds: 60 });
const document = createFlag(emptyDocument(), { key: 'new-checkout', type: 'boolean' });
const options = { command: 'sprout flags set new-checkout --on --percent 25', dryRun: false, wait: false, now: new Date('2026-11-26T10:00:00.000Z') };

beforeEach(() => {
  appconfig.reset();
  appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [{ VersionNumber: 6 }, { VersionNumber: 7 }, { VersionNumber: 5 }] });
  appconfig.on(GetHostedConfigurationVersionCommand).resolves({ VersionNumber: 7, Content: new TextEncoder().encode(encodeAppConfig(document)) as never, ContentType: 'application/json' });
  appconfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 8 });
  appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 12, State: 'DEPLOYING', PercentageComplete: 0 });
});
afterEach(() => vi.useRealTimers());

describe('appConfigFlagStore', () => {
  it('reads the latest hosted version, whatever order AppConfig lists them in', async () => {
    const read = await store().read();
    expect(read.version).toBe('7');
    expect(read.document).toEqual(document);
    expect(appconfig).toHaveReceivedCommandWith(GetHostedConfigurationVersionCommand, { ApplicationId: 'app1', ConfigurationProfileId: 'prof1', VersionNumber: 7 });
  });

  it('writes with LatestVersionNumber, then deploys that version with the chosen strategy', async () => {
    const result = await changeFlags(store(), (d) => setFlag(d, 'new-checkout', { enabled: true, percent: 25 }), { ...options, strategy: 'AppConfig.Linear50PercentEvery30Seconds' });
    const created = appconfig.commandCalls(CreateHostedConfigurationVersionCommand)[0]!.args[0].input;
    expect(created).toMatchObject({ ApplicationId: 'app1', ConfigurationProfileId: 'prof1', ContentType: 'application/json', LatestVersionNumber: 7 });
    expect(created.Description).toMatch(/^sprout flags set new-checkout --on --percent 25 · by .+ · 2026-11-26T10:00:00.000Z$/);
    const written = decodeAppConfig(new TextDecoder().decode(created.Content as Uint8Array));
    expect(written.flags['new-checkout']).toMatchObject({ enabled: true, split: { on: 2500 } });
    expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, {
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      ConfigurationProfileId: 'prof1',
      ConfigurationVersion: '8',
      DeploymentStrategyId: 'AppConfig.Linear50PercentEvery30Seconds',
    });
    expect(result.deployment).toEqual({ id: '12', state: 'DEPLOYING', strategy: 'AppConfig.Linear50PercentEvery30Seconds', percentage: 0 });
  });

  it('a lost race on LatestVersionNumber is a conflict (exit 4), and nothing is deployed', async () => {
    appconfig.on(CreateHostedConfigurationVersionCommand).rejects(new ConflictException({ message: 'The version number is not the latest', $metadata: {} }));
    await expect(changeFlags(store(), (d) => setFlag(d, 'new-checkout', { enabled: true }), options)).rejects.toMatchObject({ code: 'FLAGS_CHANGED', exitCode: 4 });
    expect(appconfig).not.toHaveReceivedCommand(StartDeploymentCommand);
  });

  it('also treats a BadRequest about LatestVersionNumber as the lost race', async () => {
    appconfig.on(CreateHostedConfigurationVersionCommand).rejects(new BadRequestException({ message: 'LatestVersionNumber 7 does not match 8', $metadata: {} }));
    await expect(store().write(document, { expected: '7', description: 'd', wait: false })).rejects.toMatchObject({ exitCode: 4 });
  });

  it('waits for a deployment already in flight, then deploys the new version', async () => {
    vi.useFakeTimers();
    appconfig.on(StartDeploymentCommand).rejectsOnce(new ConflictException({ message: 'Deployment #11 is in progress', $metadata: {} })).resolves({ DeploymentNumber: 12, State: 'DEPLOYING' });
    appconfig.on(GetEnvironmentCommand).resolvesOnce({ State: 'DEPLOYING' }).resolves({ State: 'READY_FOR_DEPLOYMENT' });
    const writing = store().write(document, { expected: '7', description: 'd', wait: false });
    await vi.runAllTimersAsync();
    expect((await writing).deployment).toMatchObject({ id: '12', state: 'DEPLOYING' });
    expect(appconfig).toHaveReceivedCommandTimes(StartDeploymentCommand, 2);
    expect(appconfig).toHaveReceivedCommandWith(GetEnvironmentCommand, { ApplicationId: 'app1', EnvironmentId: 'env1' });
  });

  it('says the version was saved but not deployed when the one in flight does not finish (exit 69)', async () => {
    vi.useFakeTimers();
    appconfig.on(StartDeploymentCommand).rejects(new ConflictException({ message: 'Deployment #11 is in progress', $metadata: {} }));
    appconfig.on(GetEnvironmentCommand).resolves({ State: 'DEPLOYING' });
    const writing = store().write(document, { expected: '7', description: 'd', wait: false }).catch((error) => error);
    await vi.runAllTimersAsync();
    expect(await writing).toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS', exitCode: 69, message: expect.stringContaining('Version 8 was saved') });
    // The store in these tests waits at most 60 s, polling every 5 s.
    expect(appconfig.commandCalls(GetEnvironmentCommand).length).toBe(13);
  });

  it('with wait, follows the deployment until it completes', async () => {
    vi.useFakeTimers();
    appconfig
      .on(GetDeploymentCommand)
      .resolvesOnce({ DeploymentNumber: 12, State: 'DEPLOYING', PercentageComplete: 50 })
      .resolves({ DeploymentNumber: 12, State: 'COMPLETE', PercentageComplete: 100 });
    const writing = store().write(document, { expected: '7', description: 'd', wait: true });
    await vi.runAllTimersAsync();
    expect((await writing).deployment).toEqual({ id: '12', state: 'COMPLETE', strategy: 'AppConfig.AllAtOnce', percentage: 100 });
    expect(appconfig).toHaveReceivedCommandWith(GetDeploymentCommand, { ApplicationId: 'app1', EnvironmentId: 'env1', DeploymentNumber: 12 });
  });

  it('refuses a hosted version sprout did not write, pointing at rollback (exit 3)', async () => {
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: new TextEncoder().encode('{"version":"1","flags":{"x":{"name":"x"}},"values":{"x":{"enabled":true}}}') as never });
    await expect(store().read()).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('appConfigFlagStore.rollback', () => {
  it('stops a deployment that is still rolling out', async () => {
    appconfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 12, ConfigurationProfileId: 'prof1', ConfigurationVersion: '8', State: 'DEPLOYING' }, { DeploymentNumber: 11, ConfigurationProfileId: 'prof1', ConfigurationVersion: '7', State: 'COMPLETE' }] });
    appconfig.on(StopDeploymentCommand).resolves({ DeploymentNumber: 12, State: 'ROLLED_BACK' });
    const result = await store().rollback({ wait: false, description: 'r' });
    expect(result).toMatchObject({ action: 'stopped-deployment', version: '8' });
    expect(appconfig).toHaveReceivedCommandWith(StopDeploymentCommand, { ApplicationId: 'app1', EnvironmentId: 'env1', DeploymentNumber: 12 });
    expect(appconfig.commandCalls(StopDeploymentCommand)[0]!.args[0].input.AllowRevert).toBeUndefined();
  });

  it('reverts a deployment completed within 72 hours', async () => {
    appconfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 12, ConfigurationProfileId: 'prof1', ConfigurationVersion: '8', State: 'COMPLETE', CompletedAt: new Date(Date.now() - 3600_000) }] });
    appconfig.on(StopDeploymentCommand).resolves({ DeploymentNumber: 12, State: 'REVERTED' });
    expect((await store().rollback({ wait: false, description: 'r' })).action).toBe('reverted-deployment');
    expect(appconfig).toHaveReceivedCommandWith(StopDeploymentCommand, { DeploymentNumber: 12, AllowRevert: true });
  });

  it('redeploys the previous version after 72 hours', async () => {
    const old = new Date(Date.now() - 100 * 3600_000);
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 12, ConfigurationProfileId: 'prof1', ConfigurationVersion: '8', State: 'COMPLETE', CompletedAt: old },
        { DeploymentNumber: 11, ConfigurationProfileId: 'prof1', ConfigurationVersion: '7', State: 'COMPLETE', CompletedAt: old },
        { DeploymentNumber: 10, ConfigurationProfileId: 'other', ConfigurationVersion: '3', State: 'COMPLETE', CompletedAt: old },
      ],
    });
    const result = await store().rollback({ wait: false, description: 'r' });
    expect(result).toMatchObject({ action: 'redeployed-previous', version: '7' });
    expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, { ConfigurationVersion: '7', ConfigurationProfileId: 'prof1' });
  });
});
