import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, vi } from 'vitest';

import { outputsFile } from '../../src/deploy/outputs.js';
import { repoRoot, tempDir } from './cli.js';

/**
 * A project with a deployed stage `dev` (account 111111111111, eu-west-1) whose recorded outputs
 * name an edge router's buckets, for running the release, rollout and experiment commands in this
 * process with their AWS clients mocked. Registers the setup and teardown of every test.
 */
export const DEPLOYED = {
  releaseBucket: 'sprout-releases-0123456789ab',
  siteBucket: 'shop-dev-sitebucket',
  actor: 'arn:aws:sts::111111111111:assumed-role/deployer/alice',
} as const;

export function useDeployedStage(mocks: Array<{ reset(): unknown }>): { path: () => string } {
  const sts = mockClient(STSClient);
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    scratch = await tempDir();
    for (const mock of [...mocks, sts]) mock.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Arn: DEPLOYED.actor });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIA');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
    vi.stubEnv('SPROUT_ACTOR', undefined as unknown as string);
    await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ name: 'shop', pattern: 'spa', options: {}, stages: { local: {}, dev: { account: '111111111111', region: 'eu-west-1' } }, defaultStage: 'local' }));
    await mkdir(join(scratch.path, '.sprout', 'outputs'), { recursive: true });
    await recordOutputs(scratch.path, { ReleaseBucketName: DEPLOYED.releaseBucket, ReleaseDocumentKey: 'release.json', ReleaseBucketRegion: 'us-east-1', SiteBucketName: DEPLOYED.siteBucket, DistributionId: 'E123' });
    vi.spyOn(process, 'cwd').mockReturnValue(scratch.path);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
    await scratch.cleanup();
  });
  return { path: () => scratch.path };
}

/** What the stage's last deploy recorded as its stack's outputs. */
export async function recordOutputs(root: string, outputs: Record<string, string>): Promise<void> {
  await writeFile(outputsFile(root, 'dev'), JSON.stringify({ stage: 'dev', updatedAt: 'x', services: { shop: { account: '111111111111', region: 'eu-west-1', deployedAt: 'x', stacks: { 'shop-dev': outputs } } } }));
}

/** Runs a command class here on stage dev with --json: its exit code, the one JSON document it printed, and its stderr. */
export async function runOnDeployedStage(command: { run(argv: string[], root: string): Promise<unknown> }, argv: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  await command.run([...argv, '--stage', 'dev', '--json'], repoRoot).catch(() => undefined);
  (process.stdout.write as unknown as { mockRestore(): void }).mockRestore();
  (process.stderr.write as unknown as { mockRestore(): void }).mockRestore();
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { exitCode, stderr, json: JSON.parse(stdout) as { status: number; result?: any; error?: any } };
}
