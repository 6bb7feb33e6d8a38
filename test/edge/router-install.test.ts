import { CloudFrontClient, type DistributionConfig, GetDistributionCommand, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

import { ensureRouterInstalled, routerInstallIn } from '../../src/edge/router-install.js';

const cloudFront = mockClient(CloudFrontClient);
beforeEach(() => cloudFront.reset());

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:shop-prod-EdgeRouter1A2B';
const OTHER = 'arn:aws:lambda:us-east-1:111111111111:function:security-headers:3';
const install = { distributionId: 'E2QWRUHEXAMPLE', versionArn: `${FN}:8` };

function associations(version: number, extra: Array<{ EventType: 'viewer-request' | 'origin-request' | 'origin-response' | 'viewer-response'; LambdaFunctionARN: string }> = []) {
  const items = [...(['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const).map((EventType) => ({ EventType, LambdaFunctionARN: `${FN}:${version}`, IncludeBody: false })), ...extra];
  return { Quantity: items.length, Items: items };
}

function config(defaultVersion: number, assetsVersion: number): DistributionConfig {
  return {
    CallerReference: 'ref-1',
    Comment: 'shop-prod single-page application',
    Enabled: true,
    Origins: { Quantity: 0, Items: [] },
    DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https', LambdaFunctionAssociations: associations(defaultVersion) },
    CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: '/assets/*', TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https', LambdaFunctionAssociations: associations(assetsVersion) }] },
  };
}

const deployed = { Distribution: { Id: install.distributionId, Status: 'Deployed', ARN: 'arn', LastModifiedTime: new Date(), InProgressInvalidationBatches: 0, DomainName: 'd.cloudfront.net', DistributionConfig: undefined as never } };

describe('ensureRouterInstalled', () => {
  it('changes nothing when every association names the version, and waits until the distribution is Deployed', async () => {
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config(8, 8), ETag: 'E1' });
    cloudFront.on(GetDistributionCommand).resolves(deployed);
    expect(await ensureRouterInstalled(new CloudFrontClient({ region: 'us-east-1' }), install)).toEqual({ repaired: 0 });
    expect(cloudFront).not.toHaveReceivedCommand(UpdateDistributionCommand);
    expect(cloudFront).toHaveReceivedCommandWith(GetDistributionCommand, { Id: install.distributionId });
  });

  it('moves stale associations of the router (and only them) to the version, with IfMatch on the ETag read', async () => {
    const stale = config(7, 8);
    stale.DefaultCacheBehavior!.LambdaFunctionAssociations = associations(7, [{ EventType: 'viewer-response', LambdaFunctionARN: OTHER }]);
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: stale, ETag: 'E1' });
    cloudFront.on(UpdateDistributionCommand).resolves({ ETag: 'E2' });
    cloudFront.on(GetDistributionCommand).resolves(deployed);
    const lines: string[] = [];
    expect(await ensureRouterInstalled(new CloudFrontClient({ region: 'us-east-1' }), install, { log: (l) => lines.push(l) })).toEqual({ repaired: 4 });
    const sent = cloudFront.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ Id: install.distributionId, IfMatch: 'E1' });
    const arns = sent.DistributionConfig!.DefaultCacheBehavior!.LambdaFunctionAssociations!.Items!.map((a) => a.LambdaFunctionARN);
    expect(arns).toEqual([`${FN}:8`, `${FN}:8`, `${FN}:8`, `${FN}:8`, OTHER]);
    // The rest of the configuration goes back whole (UpdateDistribution replaces it).
    expect(sent.DistributionConfig).toMatchObject({ CallerReference: 'ref-1', Comment: 'shop-prod single-page application', CacheBehaviors: { Quantity: 1 } });
    expect(lines).toContain(`Moving 4 edge router association(s) of ${install.distributionId} to ${FN}:8`);
  });

  it('reads again and retries when it loses a race (412), and gives up with exit 4 after five', async () => {
    cloudFront.on(GetDistributionConfigCommand).resolvesOnce({ DistributionConfig: config(7, 7), ETag: 'E1' }).resolves({ DistributionConfig: config(7, 7), ETag: 'E2' });
    cloudFront.on(UpdateDistributionCommand).rejectsOnce(Object.assign(new Error('precondition'), { name: 'PreconditionFailed' })).resolves({ ETag: 'E3' });
    cloudFront.on(GetDistributionCommand).resolves(deployed);
    await ensureRouterInstalled(new CloudFrontClient({ region: 'us-east-1' }), install);
    expect(cloudFront.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['E1', 'E2']);

    cloudFront.reset();
    // A fresh document per read, as CloudFront sends (the code edits what it read).
    cloudFront.on(GetDistributionConfigCommand).callsFake(() => ({ DistributionConfig: config(7, 7), ETag: 'E9' }));
    cloudFront.on(UpdateDistributionCommand).rejects(Object.assign(new Error('precondition'), { name: 'PreconditionFailed' }));
    await expect(ensureRouterInstalled(new CloudFrontClient({ region: 'us-east-1' }), install)).rejects.toMatchObject({ code: 'DISTRIBUTION_CHANGED', exitCode: 4 });
    expect(cloudFront).toHaveReceivedCommandTimes(UpdateDistributionCommand, 5);
    expect(cloudFront).not.toHaveReceivedCommand(GetDistributionCommand);
  });

  it('finds the router in a deployed app\'s outputs', () => {
    expect(routerInstallIn([{ outputs: { DistributionId: 'E1' } }, { outputs: { RouterVersionArn: `${FN}:8` } }])).toEqual({ distributionId: 'E1', versionArn: `${FN}:8` });
    expect(routerInstallIn([{ outputs: { DistributionId: 'E1' } }])).toBeUndefined();
  });
});
