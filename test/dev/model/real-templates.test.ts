import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import type { CfnTemplate } from '../../../src/dev/model/assembly.js';
import { findUnresolved, loadApp } from '../../../src/dev/model/index.js';
import { appOf, endpoints, resource } from './helpers.js';

// Trimmed copies of templates the sprout patterns really synthesize (see fixtures/).
const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const template = (file: string) => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as CfnTemplate;

describe('backend-api (a function and its tables)', () => {
  const app = appOf({ 'backend-api-local': template('backend-api-function.template.json') });

  it('resolves the function\'s environment to the local table names and flag ids', () => {
    const fn = resource(app, 'CreateItemFunction4680EAD5');
    const variables = fn.properties.Environment.Variables;
    expect(variables.TABLE_NAME).toBe('backend-api-local-StoreItemsAD47348C');
    expect(variables.IDEMPOTENCY_TABLE_NAME).toBe('backend-api-local-StoreIdempotency158CA310');
    expect(app.find(variables.TABLE_NAME)?.type).toBe('AWS::DynamoDB::Table');
    expect(variables.SPROUT_FLAGS_APPLICATION).toBe(resource(app, 'FlagsApplication0590EBEF').attributes.ApplicationId);
    expect(variables.SPROUT_FLAGS_APPLICATION).toMatch(/^[a-z0-9]{7}$/);
    expect(findUnresolved(fn.properties)).toEqual([]);
  });

  it('resolves the role, log group and asset bucket', () => {
    const fn = resource(app, 'CreateItemFunction4680EAD5');
    expect(fn.properties.Role).toBe('arn:aws:iam::000000000000:role/backend-api-local-CreateItemRole800170BB');
    expect(fn.properties.LoggingConfig.LogGroup).toBe('backend-api-local-CreateItemLogs76A82DE2');
    expect(fn.properties.Code).toEqual({
      S3Bucket: 'cdk-hnb659fds-assets-000000000000-us-east-1',
      S3Key: '50c9af2ec3b803dea66789c8a6a51614a66739e9f161bd805e08e1410a28c492.zip',
    });
  });

  it('keeps CDK metadata (its condition holds in us-east-1) and resolves outputs, marking a missing resource', () => {
    expect(app.ofType('AWS::CDK::Metadata')).toHaveLength(1);
    const outputs = Object.fromEntries(app.outputs.map((output) => [output.key, output.value]));
    expect(outputs['ItemsTableName']).toBe('backend-api-local-StoreItemsAD47348C');
    // the trimmed fixture has no RestApi: the output says why instead of failing the load
    expect(outputs['ApiRestApiEndpoint4DEFB5CC']).toMatch(/^<unresolved: Ref to ApiRestApiE35FEAFE/);
  });
});

describe('spa (the edge router version behind CloudFront)', () => {
  const app = appOf({ 'spa-local': template('spa-edge.template.json') });

  it('gives the distribution the edge function\'s version ARN', () => {
    const distribution = app.ofType('AWS::CloudFront::Distribution')[0]!;
    const associations = distribution.properties.DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations as Array<{ EventType: string; LambdaFunctionARN: string }>;
    const versionArn = 'arn:aws:lambda:us-east-1:000000000000:function:spa-local-ReleaseRouterEdgeRouterFnB481730E:1';
    expect(associations.map((association) => association.LambdaFunctionARN)).toEqual([versionArn, versionArn, versionArn, versionArn]);
    expect(app.find(versionArn)?.type).toBe('AWS::Lambda::Version');
    expect(app.find(versionArn)?.properties.FunctionName).toBe('spa-local-ReleaseRouterEdgeRouterFnB481730E');
  });

  it('points the origin at the site bucket\'s regional domain and resolves policy ids', () => {
    const config = app.ofType('AWS::CloudFront::Distribution')[0]!.properties.DistributionConfig;
    const site = resource(app, 'SiteBucket978D4AEB');
    expect(config.Origins[0].DomainName).toBe(`${site.ref}.s3.us-east-1.amazonaws.com`);
    expect(app.find(config.Origins[0].DomainName)?.logicalId).toBe('SiteBucket978D4AEB');
    expect(config.Origins[0].OriginAccessControlId).toBe(resource(app, 'SiteDistributionOrigin1S3OriginAccessControl4F95283E').ref);
    expect(config.DefaultCacheBehavior.CachePolicyId).toBe(resource(app, 'SiteHtmlCacheFB6D99FD').ref);
    const outputs = Object.fromEntries(app.outputs.map((output) => [output.key, output.value]));
    expect(outputs['SiteUrl']).toBe(`https://${resource(app, 'SiteDistribution390DED28').attributes.DomainName}`);
    expect(outputs['ReleaseBucketName']).toBe('sprout-releases-a330019cd115');
    expect(resource(app, 'ReleaseRouterReleasesF6C1541C').ref).toBe('sprout-releases-a330019cd115');
  });
});

describe('storage-first (a whole synthesized assembly)', () => {
  it('loads every resource with nothing unresolved in Lambda environments', async () => {
    const app = await loadApp(join(fixtures, 'storage-first'), endpoints);
    expect(app.stacks).toEqual(['storage-first-local']);
    const functions = app.ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(findUnresolved(fn.properties.Environment ?? {}), fn.logicalId).toEqual([]);
    expect(app.resources.flatMap((item) => findUnresolved(item.properties).map((marker) => `${item.logicalId}.${marker.path}`))).toEqual([]);
  });

  it('resolves the buffer queue, its DLQ, and the event source mapping between them and the function', async () => {
    const app = await loadApp(join(fixtures, 'storage-first'), endpoints);
    const queue = resource(app, 'BufferQueue404A7D55');
    const dlq = resource(app, 'BufferDeadLetterQueue2CA076D7');
    expect(queue.ref).toBe('http://127.0.0.1:4569/000000000000/storage-first-local-BufferQueue404A7D55');
    expect(queue.attributes.Arn).toBe('arn:aws:sqs:us-east-1:000000000000:storage-first-local-BufferQueue404A7D55');
    expect(queue.properties.RedrivePolicy).toEqual({ deadLetterTargetArn: dlq.attributes.Arn, maxReceiveCount: 3 });
    const mapping = app.ofType('AWS::Lambda::EventSourceMapping')[0]!;
    expect(mapping.properties.EventSourceArn).toBe(queue.attributes.Arn);
    const target = app.find(mapping.properties.FunctionName)!;
    expect(target.type).toBe('AWS::Lambda::Function');
    expect(app.assetDir(target.properties.Code.S3Key)).toBe(join(fixtures, 'storage-first', 'asset.96c0181049447ee956b344025bf4ecd823ed3360e322ec4181e679a5f70020bf'));
  });
});
