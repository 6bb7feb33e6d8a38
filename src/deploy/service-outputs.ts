import type { AwsCredentialIdentityProvider } from '@smithy/types';

import { UsageError } from '../core/errors.js';
import type { LoadedConfig } from '../project/config-file.js';
import { readOutputs } from './outputs.js';
import { type DeployTarget, resolvePlan } from './plan.js';

/**
 * Finding a deployed service's stack outputs, for the commands that work on what a deploy made
 * (flags, releases): the service of the stage, the outputs this machine recorded, or the stack's.
 */

/** The one service of the stage a command works on (in a workspace, the one --service names). */
export function serviceTarget(project: LoadedConfig, request: { stage: string; service?: string; profile?: string }, whose: string): DeployTarget {
  const plan = resolvePlan(project.config, project.root, { stage: request.stage, services: request.service ? [request.service] : undefined, profile: request.profile });
  const services = plan.targets.filter((t) => t.kind === 'service');
  if (services.length > 1) {
    throw new UsageError('SERVICE_REQUIRED', `Each service of ${project.config.name} has its own ${whose}: say whose with --service.`, {
      suggestions: [`Services: ${services.map((s) => s.name).join(', ')}.`],
    });
  }
  return services[0]!;
}

/** The outputs of every stack of the service, merged, as .sprout/outputs/<stage>.json recorded them (undefined: never deployed from here). */
export async function recordedOutputs(root: string, stage: string, target: DeployTarget): Promise<Record<string, string> | undefined> {
  const stacks = (await readOutputs(root, stage))?.services[target.name]?.stacks;
  return stacks ? Object.values(stacks).reduce<Record<string, string>>((all, values) => ({ ...all, ...values }), {}) : undefined;
}

/** Another machine (CI) may have deployed: the main stack itself has the outputs (undefined: no such stack). */
export async function stackOutputs(target: DeployTarget, credentials: AwsCredentialIdentityProvider): Promise<Record<string, string> | undefined> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region: target.region, credentials });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: target.stackName }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') return undefined; // the stack does not exist
    throw error;
  } finally {
    client.destroy();
  }
}
