import { CloudFrontClient, type DistributionConfig, GetDistributionCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { type Keyring, parseKeyring, requiredEnv, rotateKeyring } from '../lib/origin-verify.js';
import { logger, tracer } from '../lib/powertools.js';

const distributionId = requiredEnv('DISTRIBUTION_ID');
const headerName = requiredEnv('ORIGIN_VERIFY_HEADER');
/**
 * The shortest time between two rotations: longer than the authorizers keep the secret in memory,
 * so every authorizer has read the keyring holding today's `next` before CloudFront switches to it.
 */
const minIntervalSeconds = Number(requiredEnv('MIN_ROTATION_INTERVAL_SECONDS'));

const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const cloudFront = tracer.captureAWSv3Client(new CloudFrontClient({}));

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

/**
 * The Secrets Manager rotation function of the origin-verify secret (see src/lib/origin-verify.ts
 * for the keyring it rotates). Secrets Manager calls it four times per rotation:
 *
 * 1. createSecret: the next keyring, as the AWSPENDING version (refused while the last change is
 *    still reaching the edge locations, or sooner than the authorizers' cache allows);
 * 2. setSecret: points the distribution's origin header at the new `current` (the old `next`,
 *    which every authorizer already accepts), with the distribution's ETag so nothing else is undone;
 * 3. testSecret: reads the distribution back to check it sends that value;
 * 4. finishSecret: makes the pending version AWSCURRENT, which the authorizers read within minutes.
 *
 * Every step can run again after a failure without doing anything twice.
 */
export async function handler(event: SecretsManagerRotationEvent, context: Context): Promise<void> {
  logger.addContext(context);
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  logger.appendKeys({ step, token });
  try {
    const metadata = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (!metadata.RotationEnabled) throw new Error(`Secret ${secretId} does not have rotation enabled`);
    const stages = metadata.VersionIdsToStages?.[token];
    if (!stages) throw new Error(`Secret ${secretId} has no version ${token} to rotate to`);
    if (stages.includes(CURRENT)) {
      logger.info('This version is already AWSCURRENT: nothing to do');
      return;
    }
    if (!stages.includes(PENDING)) throw new Error(`Version ${token} of secret ${secretId} is not AWSPENDING`);

    switch (step) {
      case 'createSecret':
        return await createSecret(secretId, token);
      case 'setSecret':
        return await setSecret(secretId, token);
      case 'testSecret':
        return await testSecret(secretId, token);
      case 'finishSecret':
        return await finishSecret(secretId, token, metadata);
      default:
        throw new Error(`Unknown rotation step ${String(step)}`);
    }
  } finally {
    logger.resetKeys();
  }
}

async function createSecret(secretId: string, token: string): Promise<void> {
  if (await pendingKeyring(secretId, token).catch(notFoundAsUndefined)) {
    logger.info('The pending version already exists');
    return;
  }
  const current = parseKeyring((await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: CURRENT }))).SecretString);
  if (current.next !== undefined) {
    // This rotation drops `previous` and makes CloudFront send `next`: both need the last rotation settled.
    await requireDeployedDistribution();
    await requireMinimumInterval(secretId);
  }
  const pending = rotateKeyring(current);
  await secretsManager.send(
    new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: JSON.stringify(pending), VersionStages: [PENDING] }),
  );
  logger.info(current.next === undefined ? 'Added the first next value; the distribution keeps its header' : 'Created the next keyring');
}

async function setSecret(secretId: string, token: string): Promise<void> {
  const pending = await pendingKeyring(secretId, token);
  const { ETag, Distribution } = await cloudFront.send(new GetDistributionCommand({ Id: distributionId }));
  const config = Distribution?.DistributionConfig;
  if (!config || !ETag) throw new Error(`Distribution ${distributionId} returned no configuration`);
  if (originHeaders(config).every((h) => h.HeaderValue === pending.current)) {
    logger.info('The distribution already sends the pending value');
    return;
  }
  for (const customHeader of originHeaders(config)) customHeader.HeaderValue = pending.current;
  // IfMatch: if anything (a deploy, another rotation) changed the distribution since we read it,
  // CloudFront refuses with PreconditionFailed, the step fails, and Secrets Manager tries again later.
  await cloudFront.send(new UpdateDistributionCommand({ Id: distributionId, IfMatch: ETag, DistributionConfig: config }));
  logger.info('Pointed the distribution at the new value', { distributionId });
}

async function testSecret(secretId: string, token: string): Promise<void> {
  const pending = await pendingKeyring(secretId, token);
  const { Distribution } = await cloudFront.send(new GetDistributionCommand({ Id: distributionId }));
  const config = Distribution?.DistributionConfig;
  if (!config || !originHeaders(config).every((h) => h.HeaderValue === pending.current)) {
    throw new Error(`Distribution ${distributionId} does not send the pending origin-verify value`);
  }
}

async function finishSecret(secretId: string, token: string, metadata: DescribeSecretCommandOutput): Promise<void> {
  const currentVersion = Object.entries(metadata.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(CURRENT))?.[0];
  await secretsManager.send(
    new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: currentVersion }),
  );
  logger.info('Rotation finished');
}

async function pendingKeyring(secretId: string, token: string): Promise<Keyring> {
  const pending = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: PENDING }));
  return parseKeyring(pending.SecretString);
}

/**
 * The origin custom headers named like the origin-verify header (any letter case), on every
 * origin that sends it. A distribution without one is a broken setup, not something to add.
 */
function originHeaders(config: DistributionConfig) {
  const wanted = headerName.toLowerCase();
  const found = (config.Origins?.Items ?? []).flatMap((origin) => (origin.CustomHeaders?.Items ?? []).filter((h) => h.HeaderName?.toLowerCase() === wanted));
  if (found.length === 0) throw new Error(`No origin of distribution ${distributionId} sends the ${headerName} header`);
  return found;
}

async function requireDeployedDistribution(): Promise<void> {
  const { Distribution } = await cloudFront.send(new GetDistributionCommand({ Id: distributionId }));
  if (Distribution?.Status !== 'Deployed') {
    throw new Error(
      `Distribution ${distributionId} is ${Distribution?.Status ?? 'unknown'}: some edge locations may still send the previous value, which this rotation would stop accepting. Rotate again once it is Deployed.`,
    );
  }
}

async function requireMinimumInterval(secretId: string): Promise<void> {
  const { Versions = [] } = await secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
  const created = Versions.find((version) => version.VersionStages?.includes(CURRENT))?.CreatedDate;
  if (!created) return;
  const readyAt = new Date(created.getTime() + minIntervalSeconds * 1000);
  if (Date.now() < readyAt.getTime()) {
    throw new Error(
      `The last rotation was at ${created.toISOString()}; authorizers may not have read its next value yet. Rotate again after ${readyAt.toISOString()}.`,
    );
  }
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return undefined;
  throw error;
}
