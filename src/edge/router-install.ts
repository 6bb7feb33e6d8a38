import { type CloudFrontClient, type DistributionConfig, GetDistributionConfigCommand, UpdateDistributionCommand, waitUntilDistributionDeployed } from '@aws-sdk/client-cloudfront';

import { ConflictError } from '../core/errors.js';

/**
 * Installing or upgrading the edge router is the one step that changes the distribution: its
 * Lambda@Edge associations must name the router's new numbered version. CloudFormation makes that
 * change when the stack deploys; this checks that the live distribution does run the version the
 * stack declares (repairing an association changed by hand: GetDistributionConfig, then
 * UpdateDistribution with IfMatch, retried on a lost race), then waits until the distribution is
 * Deployed, so `sprout deploy` returns when every edge location runs the new router.
 */
export interface RouterInstall {
  distributionId: string;
  /** arn:aws:lambda:us-east-1:<account>:function:<name>:<version> */
  versionArn: string;
}

export interface RouterInstallResult {
  /** Associations that named another version of the router and were moved to this one. */
  repaired: number;
}

const ATTEMPTS = 5;
/** CloudFront says propagation "typically takes a few minutes but can take up to 15 minutes". */
export const DEPLOYED_WAIT_SECONDS = 1800;

export async function ensureRouterInstalled(cloudFront: CloudFrontClient, install: RouterInstall, options: { log?: (line: string) => void; maxWaitSeconds?: number } = {}): Promise<RouterInstallResult> {
  const functionArn = install.versionArn.replace(/:\d+$/, '');
  let repaired = 0;
  for (let attempt = 1; ; attempt++) {
    const { DistributionConfig: config, ETag } = await cloudFront.send(new GetDistributionConfigCommand({ Id: install.distributionId }));
    if (!config) throw new Error(`CloudFront returned no configuration for distribution ${install.distributionId}`);
    repaired = pointAtVersion(config, functionArn, install.versionArn);
    if (repaired === 0) break;
    options.log?.(`Moving ${repaired} edge router association(s) of ${install.distributionId} to ${install.versionArn}`);
    try {
      await cloudFront.send(new UpdateDistributionCommand({ Id: install.distributionId, IfMatch: ETag, DistributionConfig: config }));
      break;
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'PreconditionFailed' && name !== 'InvalidIfMatchVersion') throw error;
      if (attempt >= ATTEMPTS) {
        throw new ConflictError('DISTRIBUTION_CHANGED', `Distribution ${install.distributionId} kept changing while the edge router was being installed (${ATTEMPTS} attempts).`, {
          suggestions: ['Wait for the other change to finish, then run sprout deploy again.'],
        });
      }
      options.log?.('The distribution changed meanwhile; reading it again.');
    }
  }
  options.log?.(`Waiting until distribution ${install.distributionId} is Deployed (usually a few minutes)`);
  await waitUntilDistributionDeployed({ client: cloudFront, maxWaitTime: options.maxWaitSeconds ?? DEPLOYED_WAIT_SECONDS }, { Id: install.distributionId });
  return { repaired };
}

/** Points every association of the router's function at `versionArn`; returns how many changed. */
function pointAtVersion(config: DistributionConfig, functionArn: string, versionArn: string): number {
  let changed = 0;
  for (const behavior of [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])]) {
    for (const association of behavior?.LambdaFunctionAssociations?.Items ?? []) {
      const arn = association.LambdaFunctionARN ?? '';
      if (arn.startsWith(`${functionArn}:`) && arn !== versionArn) {
        association.LambdaFunctionARN = versionArn;
        changed++;
      }
    }
  }
  return changed;
}

/** The stack outputs that name the router's distribution and version (templates/spa: infra/stacks/spa-stack.ts). */
export const ROUTER_OUTPUTS = { distributionId: 'DistributionId', versionArn: 'RouterVersionArn' } as const;

/** The router to check in a deployed app's outputs, if it has one. */
export function routerInstallIn(stacks: Array<{ outputs: Record<string, string> }>): RouterInstall | undefined {
  const outputs = stacks.reduce<Record<string, string>>((all, stack) => ({ ...all, ...stack.outputs }), {});
  const distributionId = outputs[ROUTER_OUTPUTS.distributionId];
  const versionArn = outputs[ROUTER_OUTPUTS.versionArn];
  return distributionId && versionArn ? { distributionId, versionArn } : undefined;
}
