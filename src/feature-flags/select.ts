import type { AwsCredentialIdentityProvider } from '@smithy/types';

import { credentialsFor } from '../aws/credentials.js';
import { PreconditionError, UsageError } from '../core/errors.js';
import { readOutputs } from '../deploy/outputs.js';
import { type DeployTarget, resolvePlan } from '../deploy/plan.js';
import type { LoadedConfig } from '../project/config-file.js';
import { type AppConfigIds, appConfigFlagStore } from './appconfig-store.js';
import { lambdaEnvFlagStore } from './lambda-env-store.js';
import { localFlagStore } from './local-store.js';
import type { FlagStore } from './store.js';

export interface FlagStoreRequest {
  stage: string;
  /** In a workspace: whose flags (each service has its own). */
  service?: string;
  profile?: string;
  /** lambda-env: the functions, instead of the stage's configured ones. */
  functions?: string[];
}

/** The stack outputs a template's flag plumbing exports (templates/README.md, "Feature flags"). */
export const FLAG_OUTPUTS = {
  applicationId: 'FlagsApplicationId',
  environmentId: 'FlagsEnvironmentId',
  profileId: 'FlagsProfileId',
  strategyId: 'FlagsDeploymentStrategyId',
} as const;

/**
 * The store holding a stage's flags: the local file for the local stage, otherwise what the
 * stage's `flags` section says (AppConfig by default). For AWS stores the credentials are
 * checked first, so a missing login is reported as such (exit 3) before anything else.
 */
export async function openFlagStore(project: LoadedConfig, request: FlagStoreRequest): Promise<FlagStore> {
  const { config, root } = project;
  const stage = config.stages[request.stage];
  if (!stage) {
    throw new PreconditionError('UNKNOWN_STAGE', `There is no stage "${request.stage}" in sprout.json.`, {
      suggestions: [`Stages: ${Object.keys(config.stages).join(', ')}.`],
    });
  }
  const flags = stage.flags ?? {};
  const kind = flags.store ?? (request.stage === 'local' ? 'local' : 'appconfig');
  if (kind === 'local') return localFlagStore(root);

  const target = serviceTarget(project, request);
  const credentials = await credentialsFor(target.credentials, { region: target.region, sessionName: `sprout-flags-${request.stage}` });
  await credentials();

  if (kind === 'lambda-env') {
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    return lambdaEnvFlagStore({ functions: request.functions ?? flags.functions ?? [], alias: flags.alias }, new LambdaClient({ region: target.region, credentials }));
  }
  const ids =
    flags.application && flags.environment && flags.profile
      ? { applicationId: flags.application, environmentId: flags.environment, profileId: flags.profile }
      : ((await idsFromOutputs(root, request.stage, target)) ?? (await idsFromStack(target, credentials)));
  if (!ids) {
    throw new PreconditionError('FLAGS_NOT_DEPLOYED', `No feature flag store found for ${target.name} in stage ${request.stage}: its stack ${target.stackName} has no Flags* outputs yet.`, {
      suggestions: [
        `Deploy it first: sprout deploy --stage ${request.stage}${target.kind === 'service' && config.services ? ` --service ${target.name}` : ''}`,
        `Or name the AppConfig application, environment and profile in sprout.json: stages.${request.stage}.flags`,
      ],
    });
  }
  const { AppConfigClient } = await import('@aws-sdk/client-appconfig');
  return appConfigFlagStore({ ...ids, ...(flags.strategy ? { strategyId: flags.strategy } : {}) }, new AppConfigClient({ region: target.region, credentials }));
}

function serviceTarget(project: LoadedConfig, request: FlagStoreRequest): DeployTarget {
  const plan = resolvePlan(project.config, project.root, { stage: request.stage, services: request.service ? [request.service] : undefined, profile: request.profile });
  const services = plan.targets.filter((t) => t.kind === 'service');
  if (services.length > 1) {
    throw new UsageError('SERVICE_REQUIRED', `Each service of ${project.config.name} has its own flags: say whose with --service.`, {
      suggestions: [`Services: ${services.map((s) => s.name).join(', ')}.`],
    });
  }
  return services[0]!;
}

async function idsFromOutputs(root: string, stage: string, target: DeployTarget): Promise<AppConfigIds | undefined> {
  const outputs = await readOutputs(root, stage);
  const stacks = outputs?.services[target.name]?.stacks ?? {};
  return idsIn(Object.values(stacks).reduce((all, values) => ({ ...all, ...values }), {}));
}

/** Another machine (CI) may have deployed: the stack itself has the outputs. */
async function idsFromStack(target: DeployTarget, credentials: AwsCredentialIdentityProvider): Promise<AppConfigIds | undefined> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region: target.region, credentials });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: target.stackName }));
    return idsIn(Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') return undefined; // the stack does not exist
    throw error;
  } finally {
    client.destroy();
  }
}

function idsIn(outputs: Record<string, string>): AppConfigIds | undefined {
  const applicationId = outputs[FLAG_OUTPUTS.applicationId];
  const environmentId = outputs[FLAG_OUTPUTS.environmentId];
  const profileId = outputs[FLAG_OUTPUTS.profileId];
  if (!applicationId || !environmentId || !profileId) return undefined;
  const strategyId = outputs[FLAG_OUTPUTS.strategyId];
  return { applicationId, environmentId, profileId, ...(strategyId ? { strategyId } : {}) };
}
