// The provider on the AppConfig store, for real through Powertools' AppConfigProvider, with the
// AppConfigData client mocked: the exact calls, the retrieval-time content, the poll interval.
import {
  AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  type GetLatestConfigurationCommandOutput,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { OpenFeature } from '@openfeature/server-sdk';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { encodeAppConfig } from '../../../src/runtime/flags/codec.js';
import { type FlagDocument, newBooleanFlag } from '../../../src/runtime/flags/model.js';
import { createFlagsClient } from '../../../src/runtime/flags/provider.js';
import { appConfigSource, sourceFromEnvironment } from '../../../src/runtime/flags/sources.js';

const appConfigData = mockClient(AppConfigDataClient);

const document: FlagDocument = {
  version: 1,
  flags: {
    'new-checkout': { ...newBooleanFlag('new-checkout'), enabled: true, rules: [{ conditions: [{ attribute: 'country', op: 'equals', value: 'DE' }], variant: 'on' }] },
    theme: { enabled: false, type: 'string', variants: { classic: 'classic', bold: 'bold' }, defaultVariant: 'bold', offVariant: 'classic', salt: 'theme' },
  },
};

/**
 * The retrieval-time JSON AppConfigData returns for our hosted content: each flag's values, and a
 * disabled flag reduced to { "enabled": false } (AppConfig user guide, type reference for
 * AWS.AppConfig.FeatureFlags).
 */
function retrieved(doc: FlagDocument): string {
  const { values } = JSON.parse(encodeAppConfig(doc)) as { values: Record<string, { enabled: boolean }> };
  return JSON.stringify(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value.enabled ? value : { enabled: false }])));
}

const configuration = (text: string) => new TextEncoder().encode(text) as unknown as GetLatestConfigurationCommandOutput['Configuration'];

let domain = 0;
const ids = { application: 'shop', environment: 'dev', profile: 'flags' };

beforeEach(() => {
  appConfigData.reset();
  vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
});

afterEach(async () => {
  vi.useRealTimers();
  await OpenFeature.clearProviders();
});

describe('SproutFlagsProvider on AppConfig (Powertools parameters)', () => {
  it('starts a session with the poll interval of its maxAge, then polls with the next token', async () => {
    appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
    appConfigData
      .on(GetLatestConfigurationCommand)
      .resolvesOnce({ Configuration: configuration(retrieved(document)), NextPollConfigurationToken: 'token-2', NextPollIntervalInSeconds: 45, ContentType: 'application/json' })
      // Unchanged since the last poll: AppConfig sends no content, Powertools keeps the last one.
      .resolvesOnce({ Configuration: configuration(''), NextPollConfigurationToken: 'token-3', NextPollIntervalInSeconds: 45 });
    const flags = createFlagsClient({ domain: `appconfig-${++domain}`, source: appConfigSource(ids) });

    expect(await flags.getBooleanDetails('new-checkout', false, { targetingKey: 'u1', country: 'DE' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      flagMetadata: { source: 'appconfig', cached: false },
    });
    expect(appConfigData).toHaveReceivedCommandTimes(StartConfigurationSessionCommand, 1);
    expect(appConfigData).toHaveReceivedCommandWith(StartConfigurationSessionCommand, {
      ApplicationIdentifier: 'shop',
      EnvironmentIdentifier: 'dev',
      ConfigurationProfileIdentifier: 'flags',
      RequiredMinimumPollIntervalInSeconds: 45,
    });
    expect(appConfigData).toHaveReceivedNthCommandWith(GetLatestConfigurationCommand, 1, { ConfigurationToken: 'token-1' });

    vi.advanceTimersByTime(45_000);
    expect(await flags.getBooleanDetails('new-checkout', false, { targetingKey: 'u1', country: 'FR' })).toMatchObject({ value: false, reason: 'DEFAULT', flagMetadata: { cached: false } });
    expect(appConfigData).toHaveReceivedCommandTimes(StartConfigurationSessionCommand, 1);
    expect(appConfigData).toHaveReceivedNthCommandWith(GetLatestConfigurationCommand, 2, { ConfigurationToken: 'token-2' });
  });

  it('reads a disabled flag from the retrieval-time form: DISABLED, with the caller’s default for a string', async () => {
    appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
    appConfigData.on(GetLatestConfigurationCommand).resolves({ Configuration: configuration(retrieved(document)), NextPollConfigurationToken: 'token-2' });
    const flags = createFlagsClient({ domain: `appconfig-${++domain}`, source: appConfigSource(ids) });
    expect(await flags.getStringDetails('theme', 'classic')).toMatchObject({ value: 'classic', reason: 'DISABLED', flagMetadata: { offVariantUnknown: true } });
  });

  it('serves the last document as STALE when AppConfig refuses a poll', async () => {
    appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
    appConfigData
      .on(GetLatestConfigurationCommand)
      .resolvesOnce({ Configuration: configuration(retrieved(document)), NextPollConfigurationToken: 'token-2' })
      .rejects(new BadRequestException({ message: 'Request too early', $metadata: {} }));
    const flags = createFlagsClient({ domain: `appconfig-${++domain}`, source: appConfigSource(ids) });
    await flags.getBooleanValue('new-checkout', false, { country: 'DE' });
    vi.advanceTimersByTime(60_000);
    expect(await flags.getBooleanDetails('new-checkout', false, { country: 'DE' })).toMatchObject({
      value: true,
      reason: 'STALE',
      flagMetadata: { stale: true, evaluationReason: 'TARGETING_MATCH', ageSeconds: 60 },
    });
  });

  it('answers ERROR with the caller’s default when the first fetch fails', async () => {
    appConfigData.on(StartConfigurationSessionCommand).rejects(new Error('AccessDeniedException: not authorized to perform appconfig:StartConfigurationSession'));
    const flags = createFlagsClient({ domain: `appconfig-${++domain}`, source: appConfigSource(ids) });
    expect(await flags.getBooleanDetails('new-checkout', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: expect.stringContaining('not authorized to perform appconfig:StartConfigurationSession'),
    });
  });

  it('is what a function gets from its environment when the stack set the AppConfig variables', async () => {
    appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
    appConfigData.on(GetLatestConfigurationCommand).resolves({ Configuration: configuration(retrieved(document)), NextPollConfigurationToken: 'token-2' });
    const source = sourceFromEnvironment({ SPROUT_FLAGS_APPLICATION: 'shop', SPROUT_FLAGS_ENVIRONMENT: 'prod', SPROUT_FLAGS_PROFILE: 'flags' });
    const flags = createFlagsClient({ domain: `appconfig-${++domain}`, source, maxAge: 60 });
    expect(await flags.getBooleanValue('new-checkout', false, { country: 'DE' })).toBe(true);
    expect(appConfigData).toHaveReceivedCommandWith(StartConfigurationSessionCommand, { EnvironmentIdentifier: 'prod', RequiredMinimumPollIntervalInSeconds: 60 });
  });
});
