import { credentialsFor } from '../aws/credentials.js';
import type { StackOutputs } from '../deploy/apps.js';
import type { DeployTarget } from '../deploy/plan.js';
import { ensureRouterInstalled, routerInstallIn } from './router-install.js';

/**
 * `sprout deploy`'s last step for an app with the edge router: the distribution runs the router
 * version the stack declares, and is Deployed everywhere, before the app counts as deployed.
 */
export async function installEdgeRouter(target: DeployTarget, stacks: StackOutputs[], progress: (line: string) => void, sessionName: string): Promise<void> {
  const install = routerInstallIn(stacks);
  if (!install) return;
  const [{ CloudFrontClient }, credentials] = await Promise.all([
    import('@aws-sdk/client-cloudfront'),
    credentialsFor(target.credentials, { region: target.region, sessionName }),
  ]);
  // CloudFront is a global service whose API lives in us-east-1.
  const cloudFront = new CloudFrontClient({ region: 'us-east-1', credentials });
  try {
    const { repaired } = await ensureRouterInstalled(cloudFront, install, { log: progress });
    progress(repaired ? `Edge router ${install.versionArn} installed (${repaired} association(s) repaired)` : `Edge router ${install.versionArn} is live`);
  } finally {
    cloudFront.destroy();
  }
}
