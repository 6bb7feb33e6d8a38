import { credentialsFor } from '../aws/credentials.js';
import { PreconditionError } from '../core/errors.js';
import { recordedOutputs, serviceTarget, stackOutputs } from '../deploy/service-outputs.js';
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

  const target = serviceTarget(project, request, 'flags');
  const credentials = await credentialsFor(target.credentials, { region: target.region, sessionName: `sprout-flags-${request.stage}` });
  await credentials();

  if (kind === 'lambda-env') {
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    return lambdaEnvFlagStore({ functions: request.functions ?? flags.functions ?? [], alias: flags.alias }, new LambdaClient({ region: target.region, credentials }));
  }
  const ids =
    flags.application && flags.environment && flags.profile
      ? { applicationId: flags.application, environmentId: flags.environment, profileId: flags.profile }
      : (idsIn((await recordedOutputs(root, request.stage, target)) ?? {}) ?? idsIn((await stackOutputs(target, credentials)) ?? {}));
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

function idsIn(outputs: Record<string, string>): AppConfigIds | undefined {
  const applicationId = outputs[FLAG_OUTPUTS.applicationId];
  const environmentId = outputs[FLAG_OUTPUTS.environmentId];
  const profileId = outputs[FLAG_OUTPUTS.profileId];
  if (!applicationId || !environmentId || !profileId) return undefined;
  const strategyId = outputs[FLAG_OUTPUTS.strategyId];
  return { applicationId, environmentId, profileId, ...(strategyId ? { strategyId } : {}) };
}
