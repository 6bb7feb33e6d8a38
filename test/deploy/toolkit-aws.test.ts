import { fileURLToPath } from 'node:url';

import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { GetBucketEncryptionCommand, GetBucketLocationCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { DeployTarget } from '../../src/deploy/plan.js';
import { toolkitRunner } from '../../src/deploy/toolkit-runner.js';

/**
 * The CDK Toolkit Library adapter against mocked AWS: a real synth of a tiny app, then the
 * exact CloudFormation, S3, SSM and STS calls of a deploy, a diff and a destroy.
 */
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);

const ACCOUNT = '111111111111';
const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/tiny-dev/1`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deployer`;

function target(extraContext: Record<string, unknown> = {}): DeployTarget {
  return {
    kind: 'service',
    name: 'tiny',
    stage: 'dev',
    dir: fileURLToPath(new URL('../fixtures/tiny-app', import.meta.url)),
    account: ACCOUNT,
    region: 'eu-west-1',
    credentials: { roleArn: ROLE },
    stackName: 'tiny-dev',
    context: { 'sprout:deployment': { stage: 'dev', project: 'tiny', service: 'tiny', stackName: 'tiny-dev', account: ACCOUNT, region: 'eu-west-1' }, ...extraContext } as DeployTarget['context'],
  };
}

let stackExists = false;

beforeEach(() => {
  for (const mock of [cfn, s3, ssm, sts]) mock.reset();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIABASE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'base-secret');
  vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
  stackExists = false;
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIADEPLOYER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/sprout-dev`, UserId: 'AROA:sprout-dev' });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '30' } });
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'eu-west-1' });
  s3.on(GetBucketEncryptionCommand).resolves({});
  s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (!stackExists || input.StackName === 'CDKToolkit') throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    return {
      Stacks: [
        {
          StackName: 'tiny-dev',
          StackId: STACK_ID,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'TopicArn', OutputValue: `arn:aws:sns:eu-west-1:${ACCOUNT}:tiny` },
            { OutputKey: 'ApiUrl', OutputValue: 'https://example.execute-api.eu-west-1.amazonaws.com/prod/' },
          ],
        },
      ],
    };
  });
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs-1', StackId: STACK_ID });
  cfn.on(DescribeChangeSetCommand).resolves({
    StackId: STACK_ID,
    StackName: 'tiny-dev',
    ChangeSetName: 'cdk-deploy-change-set',
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Events', ResourceType: 'AWS::SNS::Topic' } }],
  });
  cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    stackExists = true;
    return {};
  });
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{}' });
});
afterEach(() => vi.unstubAllEnvs());

const runner = (confirm?: (q: string) => Promise<boolean>) => toolkitRunner({ sessionName: () => 'sprout-dev', ...(confirm ? { confirm } : {}) });

describe('toolkitRunner.deploy', () => {
  it('deploys with the target\'s own role and returns the stack outputs', async () => {
    const lines: string[] = [];
    const stacks = await runner().deploy(target(), { requireApproval: 'broadening', progress: (l) => lines.push(l) });
    expect(stacks).toEqual([
      { stackName: 'tiny-dev', outputs: { TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:tiny`, ApiUrl: 'https://example.execute-api.eu-west-1.amazonaws.com/prod/' } },
    ]);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE, RoleSessionName: 'sprout-dev' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: `cdk-hnb659fds-assets-${ACCOUNT}-eu-west-1` });
    expect(cfn).toHaveReceivedCommandWith(CreateChangeSetCommand, { StackName: 'tiny-dev', ChangeSetType: 'CREATE' });
    expect(cfn).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
    expect(lines).toContain('tiny-dev: creating CloudFormation changeset...');
  }, 60_000);

  it('refuses changes that widen permissions when nobody can approve them, and executes nothing (exit 3)', async () => {
    const deploying = runner().deploy(target({ 'tiny:withRole': true }), { requireApproval: 'broadening', progress: () => {} });
    await expect(deploying).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED', exitCode: 3 });
    expect(cfn).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
  }, 60_000);

  it('asks a person about widened permissions, and deploys on yes', async () => {
    const questions: string[] = [];
    await runner(async (q) => {
      questions.push(q);
      return true;
    }).deploy(target({ 'tiny:withRole': true }), { requireApproval: 'broadening', progress: () => {} });
    expect(questions).toEqual(['tiny: the deploy widens permissions (IAM or security groups). Deploy it?']);
    expect(cfn).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
  }, 60_000);

  it('deploys widened permissions without asking under --require-approval never', async () => {
    const confirm = vi.fn(async () => false);
    await runner(confirm).deploy(target({ 'tiny:withRole': true }), { requireApproval: 'never', progress: () => {} });
    expect(confirm).not.toHaveBeenCalled();
    expect(cfn).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
  }, 60_000);
});

describe('toolkitRunner.destroy and diff', () => {
  it('deletes the deployed stack', async () => {
    stackExists = true;
    cfn.on(DeleteStackCommand).callsFake(() => {
      stackExists = false;
      return {};
    });
    const result = await runner().destroy(target(), () => {});
    // CloudFormation deletes through the bootstrap's execution role, as `cdk destroy` does.
    expect(cfn).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID, RoleARN: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1` });
    expect(result).toEqual({ stacks: [{ stackName: 'tiny-dev', existed: true }], edgeFunctions: [] });
  }, 60_000);

  it('counts the differences against the deployed template', async () => {
    stackExists = true;
    const diffs = await runner().diff(target(), () => {});
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ stackName: 'tiny-dev', permissionChanges: 'none' });
    expect(diffs[0]!.changes).toBeGreaterThanOrEqual(3);
    expect(cfn).toHaveReceivedCommandWith(GetTemplateCommand, { StackName: 'tiny-dev' });
  }, 60_000);
});
