import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

import { credentialsFor } from '../aws/credentials.js';
import { PreconditionError } from '../core/errors.js';
import { recordedOutputs, serviceTarget, stackOutputs } from '../deploy/service-outputs.js';
import type { LoadedConfig } from '../project/config-file.js';
import type { Reporter } from '../ui/reporter.js';
import { localMetricsSource } from './metrics.js';
import { localReleaseUploader } from './release-files.js';
import { localReleaseStore } from './release-store.js';
import type { EdgeDeps } from './service.js';
import type { WatchDeps } from './watch.js';

/** The stack outputs of a web template's edge router (templates/spa: infra/stacks/spa-stack.ts). */
export const EDGE_OUTPUTS = {
  releaseBucket: 'ReleaseBucketName',
  releaseKey: 'ReleaseDocumentKey',
  releaseRegion: 'ReleaseBucketRegion',
  siteBucket: 'SiteBucketName',
} as const;

export interface EdgeRequest {
  stage: string;
  service?: string;
  profile?: string;
}

export interface OpenedEdge extends WatchDeps {
  /** For people and --json: where the release document and the releases live. */
  documentLocation: string;
  releasesLocation: string;
  /** Frees the AWS clients. */
  close(): void;
}

/**
 * The stores behind a stage: files under .sprout/local/ for the local stage (no AWS account
 * needed), otherwise the release bucket and site bucket that the stage's deploy recorded in
 * .sprout/outputs/<stage>.json (or, on another machine such as CI, its stack's outputs).
 */
export async function openEdge(project: LoadedConfig, request: EdgeRequest, reporter: Reporter): Promise<OpenedEdge> {
  const { config, root } = project;
  if (!config.stages[request.stage]) {
    throw new PreconditionError('UNKNOWN_STAGE', `There is no stage "${request.stage}" in sprout.json.`, {
      suggestions: [`Stages: ${Object.keys(config.stages).join(', ')}.`],
    });
  }
  const common = { stage: request.stage, now: () => new Date(), salt: () => randomBytes(6).toString('hex'), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
  if (request.stage === 'local') {
    const store = localReleaseStore(root);
    const uploader = localReleaseUploader(root);
    const actor = process.env.SPROUT_ACTOR ?? `${safeUser()}@${hostname()}`;
    return {
      ...common,
      store,
      uploader,
      metrics: localMetricsSource(root, request.stage),
      actor: async () => actor,
      documentLocation: store.location,
      releasesLocation: uploader.location,
      close() {},
    };
  }

  const target = serviceTarget(project, request, 'releases');
  const credentials = await credentialsFor(target.credentials, { region: target.region, sessionName: `sprout-rollout-${request.stage}` });
  await credentials();
  const recorded = await recordedOutputs(root, request.stage, target);
  const outputs = (recorded?.[EDGE_OUTPUTS.releaseBucket] ? recorded : await stackOutputs(target, credentials)) ?? {};
  const releaseBucket = outputs[EDGE_OUTPUTS.releaseBucket];
  const siteBucket = outputs[EDGE_OUTPUTS.siteBucket];
  if (!releaseBucket || !siteBucket) {
    throw new PreconditionError('EDGE_ROUTER_NOT_DEPLOYED', `${target.name} has no release router in stage ${request.stage}: its stack ${target.stackName} has no ${EDGE_OUTPUTS.releaseBucket} output.`, {
      suggestions: [
        `Deploy it first: sprout deploy --stage ${request.stage}`,
        'Releases and rollouts need a web pattern with the router on (spa, with its releaseRouter option true).',
      ],
    });
  }
  const [{ S3Client }, { CloudWatchClient }, { s3ReleaseStore }, { s3ReleaseUploader }, { cloudWatchMetricsSource }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-cloudwatch'),
    import('./s3-release-store.js'),
    import('./s3-release-uploader.js'),
    import('./cloudwatch-metrics.js'),
  ]);
  const documentS3 = new S3Client({ region: outputs[EDGE_OUTPUTS.releaseRegion] ?? 'us-east-1', credentials });
  const siteS3 = new S3Client({ region: target.region, credentials });
  const cloudWatch = new Map<string, InstanceType<typeof CloudWatchClient>>();
  const store = s3ReleaseStore({ bucket: releaseBucket, key: outputs[EDGE_OUTPUTS.releaseKey] ?? 'release.json', expectedOwner: target.account }, documentS3);
  const uploader = s3ReleaseUploader(siteBucket, siteS3, target.account);
  let actor: Promise<string> | undefined;
  return {
    ...common,
    store,
    uploader,
    metrics: cloudWatchMetricsSource({
      stage: request.stage,
      alarmRegion: target.region,
      client: (region) => cloudWatch.get(region) ?? cloudWatch.set(region, new CloudWatchClient({ region, credentials })).get(region)!,
      warn: (message) => reporter.warn(message),
    }),
    actor: () => (actor ??= callerArn(target.region, credentials)),
    documentLocation: store.location,
    releasesLocation: uploader.location,
    close() {
      documentS3.destroy();
      siteS3.destroy();
      for (const client of cloudWatch.values()) client.destroy();
    },
  };
}

type Credentials = Awaited<ReturnType<typeof credentialsFor>>;

async function callerArn(region: string, credentials: Credentials): Promise<string> {
  if (process.env.SPROUT_ACTOR) return process.env.SPROUT_ACTOR;
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({ region, credentials });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown';
  } finally {
    sts.destroy();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'someone';
  }
}
