import type { AwsCredentialIdentityProvider } from '@smithy/types';

import { recordedOutputs } from '../deploy/service-outputs.js';
import type { DeployTarget } from '../deploy/plan.js';
import { EDGE_OUTPUTS } from './open.js';

/** The CDK context value the web templates bake into their edge router as the fallback stable release. */
export const STABLE_RELEASE_CONTEXT = 'sprout:stableRelease';

/**
 * What `sprout deploy` adds to an app's context so the router it builds knows today's stable
 * release: the one it serves when it cannot read the release document at all. Read from the
 * document the app's last deploy recorded; absent on a first deploy (the router then serves the
 * site as deployed) or when the document cannot be read (a deploy must not fail for it).
 */
export async function stableReleaseContext(
  root: string,
  target: DeployTarget,
  credentials: AwsCredentialIdentityProvider,
  warn: (message: string) => void,
): Promise<Record<string, string>> {
  const outputs = (await recordedOutputs(root, target.stage, target)) ?? {};
  const bucket = outputs[EDGE_OUTPUTS.releaseBucket];
  if (!bucket) return {};
  const [{ S3Client }, { s3ReleaseStore }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3-release-store.js')]);
  const s3 = new S3Client({ region: outputs[EDGE_OUTPUTS.releaseRegion] ?? 'us-east-1', credentials });
  try {
    const stable = (await s3ReleaseStore({ bucket, key: outputs[EDGE_OUTPUTS.releaseKey] ?? 'release.json', expectedOwner: target.account }, s3).read())?.document.stable;
    return stable ? { [STABLE_RELEASE_CONTEXT]: stable } : {};
  } catch (error) {
    warn(`Could not read the release document of ${target.name} (${(error as Error).message}); its router falls back to the site as deployed until it reads it.`);
    return {};
  } finally {
    s3.destroy();
  }
}
