import type { AppConfigClient } from '@aws-sdk/client-appconfig';

import { ConflictError, PreconditionError, SproutError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { decodeAppConfig, encodeAppConfig } from '../runtime/flags/codec.js';
import { emptyDocument, validateDocument } from '../runtime/flags/model.js';
import type { Deployment, FlagStore, HistoryEntry, WriteRequest } from './store.js';

export interface AppConfigIds {
  applicationId: string;
  environmentId: string;
  profileId: string;
  /** Deployment strategy used when a write gives none. */
  strategyId?: string;
}

/** AWS's predefined deployment strategies (their names work as ids); --strategy lists them in help. */
export const PREDEFINED_STRATEGIES = [
  'AppConfig.AllAtOnce',
  'AppConfig.Linear50PercentEvery30Seconds',
  'AppConfig.Canary10Percent20Minutes',
  'AppConfig.Linear20PercentEvery6Minutes',
] as const;

const DEFAULT_STRATEGY = 'AppConfig.AllAtOnce';
const ENVIRONMENT_POLL_MS = 5000;

/**
 * The `appconfig` store: a hosted `AWS.AppConfig.FeatureFlags` configuration profile. A write is
 * read latest version → change → validate → CreateHostedConfigurationVersion with
 * LatestVersionNumber (a lost race is exit 4) → StartDeployment with the chosen strategy.
 */
export function appConfigFlagStore(ids: AppConfigIds, client: AppConfigClient, options: { maxWaitSeconds?: number } = {}): FlagStore {
  const location = `AppConfig application ${ids.applicationId}, environment ${ids.environmentId}, profile ${ids.profileId}`;

  async function latestVersion(): Promise<number> {
    const { ListHostedConfigurationVersionsCommand } = await import('@aws-sdk/client-appconfig');
    let latest = 0;
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListHostedConfigurationVersionsCommand({ ApplicationId: ids.applicationId, ConfigurationProfileId: ids.profileId, MaxResults: 50, NextToken }));
      for (const item of page.Items ?? []) latest = Math.max(latest, item.VersionNumber ?? 0);
      NextToken = page.NextToken;
    } while (NextToken);
    return latest;
  }

  async function readVersion(version: number) {
    const { GetHostedConfigurationVersionCommand } = await import('@aws-sdk/client-appconfig');
    const result = await client.send(new GetHostedConfigurationVersionCommand({ ApplicationId: ids.applicationId, ConfigurationProfileId: ids.profileId, VersionNumber: version }));
    const document = decodeAppConfig(new TextDecoder().decode(result.Content ?? new Uint8Array()));
    const problems = validateDocument(document);
    if (problems.length) {
      throw new PreconditionError('FLAGS_INVALID', `Hosted version ${version} in ${location} is not a sprout flag document:\n  ${problems.join('\n  ')}`, {
        suggestions: ['Was it edited in the AppConfig console? Roll back to a version sprout wrote: sprout flags rollback'],
      });
    }
    return document;
  }

  async function deploy(version: string, strategy: string | undefined, description: string, wait: boolean): Promise<Deployment> {
    const { StartDeploymentCommand } = await import('@aws-sdk/client-appconfig');
    const strategyId = strategy ?? ids.strategyId ?? DEFAULT_STRATEGY;
    const start = () =>
      client.send(
        new StartDeploymentCommand({
          ApplicationId: ids.applicationId,
          EnvironmentId: ids.environmentId,
          ConfigurationProfileId: ids.profileId,
          ConfigurationVersion: version,
          DeploymentStrategyId: strategyId,
          Description: description.slice(0, 1024),
        }),
      );
    let started;
    try {
      started = await start();
    } catch (error) {
      if ((error as Error).name !== 'ConflictException') throw error;
      // An environment takes one deployment at a time: wait for the one in flight, then ours.
      await environmentReady(version);
      started = await start();
    }
    const deployment = toDeployment(started.DeploymentNumber, started.State, strategyId, started.PercentageComplete);
    return wait ? follow(deployment) : deployment;
  }

  /**
   * Polls the environment until it takes deployments again. (The SDK's
   * waitUntilEnvironmentReadyForDeployment compares the state with "ReadyForDeployment", while
   * the API answers READY_FOR_DEPLOYMENT, so it would never succeed.)
   */
  async function environmentReady(version: string): Promise<void> {
    const { GetEnvironmentCommand } = await import('@aws-sdk/client-appconfig');
    const deadline = Date.now() + (options.maxWaitSeconds ?? 600) * 1000;
    for (;;) {
      const environment = await client.send(new GetEnvironmentCommand({ ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId }));
      if (['READY_FOR_DEPLOYMENT', 'ROLLED_BACK', 'REVERTED'].includes(environment.State ?? '')) return;
      if (Date.now() >= deadline) {
        throw new SproutError('DEPLOYMENT_IN_PROGRESS', `Version ${version} was saved, but another deployment in ${ids.environmentId} did not finish in time (it is ${environment.State}), so it was not deployed.`, {
          exitCode: ExitCode.inProgress,
          suggestions: ['See it with: sprout flags list. Run the same command again once it is done, or roll it back: sprout flags rollback'],
        });
      }
      await new Promise((resolve) => setTimeout(resolve, ENVIRONMENT_POLL_MS));
    }
  }

  async function follow(deployment: Deployment): Promise<Deployment> {
    const { GetDeploymentCommand, waitUntilDeploymentComplete } = await import('@aws-sdk/client-appconfig');
    const input = { ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId, DeploymentNumber: Number(deployment.id) };
    try {
      await waitUntilDeploymentComplete({ client, maxWaitTime: options.maxWaitSeconds ?? 3600 }, input);
    } catch {
      // The waiter gives up on ROLLED_BACK and on a timeout; the deployment's state says which.
    }
    const finished = await client.send(new GetDeploymentCommand(input));
    return toDeployment(finished.DeploymentNumber, finished.State, deployment.strategy, finished.PercentageComplete);
  }

  return {
    kind: 'appconfig',
    location,
    async read() {
      const version = await latestVersion();
      return { document: version ? await readVersion(version) : emptyDocument(), version: String(version) };
    },

    async write(document, request: WriteRequest) {
      const { CreateHostedConfigurationVersionCommand } = await import('@aws-sdk/client-appconfig');
      let created;
      try {
        created = await client.send(
          new CreateHostedConfigurationVersionCommand({
            ApplicationId: ids.applicationId,
            ConfigurationProfileId: ids.profileId,
            Content: new TextEncoder().encode(encodeAppConfig(document)),
            ContentType: 'application/json',
            Description: request.description.slice(0, 1024),
            ...(Number(request.expected) > 0 ? { LatestVersionNumber: Number(request.expected) } : {}),
          }),
        );
      } catch (error) {
        if (isLostRace(error)) {
          throw new ConflictError('FLAGS_CHANGED', `Someone saved a new version of the flags in ${location} after you read version ${request.expected}; nothing was written.`, {
            suggestions: ['Run the command again: it will start from the latest version.'],
          });
        }
        throw error;
      }
      const version = String(created.VersionNumber);
      return { version, deployment: await deploy(version, request.strategy, request.description, request.wait) };
    },

    async history(): Promise<HistoryEntry[]> {
      const { ListDeploymentsCommand, ListHostedConfigurationVersionsCommand } = await import('@aws-sdk/client-appconfig');
      const versions = await client.send(new ListHostedConfigurationVersionsCommand({ ApplicationId: ids.applicationId, ConfigurationProfileId: ids.profileId, MaxResults: 50 }));
      const deployments = await client.send(new ListDeploymentsCommand({ ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId, MaxResults: 50 }));
      const ours = (deployments.Items ?? []).filter((d) => d.ConfigurationVersion !== undefined);
      return (versions.Items ?? [])
        .sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0))
        .map((item) => {
          const deployed = ours.find((d) => d.ConfigurationVersion === String(item.VersionNumber));
          return {
            version: String(item.VersionNumber),
            ...(item.Description ? { description: item.Description } : {}),
            ...(deployed?.StartedAt ? { at: deployed.StartedAt.toISOString() } : {}),
            ...(deployed ? { deployed: `deployment ${deployed.DeploymentNumber} ${deployed.State}` } : {}),
          };
        });
    },

    /**
     * A deployment still rolling out is stopped (AppConfig rolls it back); a completed one is
     * reverted (allowed for 72 hours); past that, the previous version is deployed again.
     */
    async rollback({ wait, description }) {
      const { ListDeploymentsCommand, StopDeploymentCommand } = await import('@aws-sdk/client-appconfig');
      const listed = await client.send(new ListDeploymentsCommand({ ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId, MaxResults: 50 }));
      const deployments = (listed.Items ?? []).filter((d) => d.ConfigurationProfileId === ids.profileId).sort((a, b) => (b.DeploymentNumber ?? 0) - (a.DeploymentNumber ?? 0));
      const latest = deployments[0];
      if (!latest) throw new PreconditionError('NOTHING_TO_ROLL_BACK', `No flag deployment in ${location} to roll back.`);
      const inFlight = ['DEPLOYING', 'BAKING', 'VALIDATING'].includes(latest.State ?? '');
      const recent = latest.State === 'COMPLETE' && latest.CompletedAt && Date.now() - latest.CompletedAt.getTime() < 72 * 3600_000;
      if (inFlight || recent) {
        const stopped = await client.send(
          new StopDeploymentCommand({ ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId, DeploymentNumber: latest.DeploymentNumber, ...(recent ? { AllowRevert: true } : {}) }),
        );
        return {
          action: inFlight ? 'stopped-deployment' : 'reverted-deployment',
          version: latest.ConfigurationVersion ?? '',
          deployment: toDeployment(stopped.DeploymentNumber, stopped.State, undefined, stopped.PercentageComplete),
        };
      }
      const previous = deployments.find((d) => d.State === 'COMPLETE' && d.ConfigurationVersion !== latest.ConfigurationVersion);
      if (!previous?.ConfigurationVersion) throw new PreconditionError('NOTHING_TO_ROLL_BACK', `No earlier deployed version in ${location} to go back to.`);
      return { action: 'redeployed-previous', version: previous.ConfigurationVersion, deployment: await deploy(previous.ConfigurationVersion, undefined, description, wait) };
    },

    async deployed() {
      const { ListDeploymentsCommand } = await import('@aws-sdk/client-appconfig');
      const listed = await client.send(new ListDeploymentsCommand({ ApplicationId: ids.applicationId, EnvironmentId: ids.environmentId, MaxResults: 50 }));
      const latest = (listed.Items ?? []).filter((d) => d.ConfigurationProfileId === ids.profileId).sort((a, b) => (b.DeploymentNumber ?? 0) - (a.DeploymentNumber ?? 0))[0];
      return latest ? `version ${latest.ConfigurationVersion} ${latest.State}${latest.State === 'COMPLETE' ? '' : ` (${latest.PercentageComplete ?? 0}%)`}` : undefined;
    },
  };
}

/** AppConfig reports a stale LatestVersionNumber as a conflict in the resource's current state. */
function isLostRace(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return name === 'ConflictException' || (name === 'BadRequestException' && /LatestVersionNumber/i.test(message ?? ''));
}

function toDeployment(number: number | undefined, state: string | undefined, strategy: string | undefined, percentage: number | undefined): Deployment {
  if (number === undefined) throw new SproutError('APPCONFIG_UNEXPECTED', 'AppConfig returned a deployment without a number.', { exitCode: ExitCode.failure });
  return { id: String(number), state: (state ?? 'DEPLOYING') as Deployment['state'], ...(strategy ? { strategy } : {}), ...(percentage !== undefined ? { percentage } : {}) };
}
