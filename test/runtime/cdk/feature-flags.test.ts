import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';

import { FLAG_OUTPUTS } from '../../../src/feature-flags/select.js';
import { FeatureFlags, FLAG_SOURCE_ENVIRONMENT, FLAG_STACK_OUTPUTS, INITIAL_FLAGS_SOURCE } from '../../../src/runtime/cdk/feature-flags.js';
import { encodeAppConfig } from '../../../src/runtime/flags/codec.js';
import { newBooleanFlag } from '../../../src/runtime/flags/model.js';
import { FLAG_SOURCE_VARIABLES } from '../../../src/runtime/flags/sources.js';

const initialContent = encodeAppConfig({ version: 1, flags: { 'new-checkout': newBooleanFlag('new-checkout', 'The new checkout') } });

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A stack with the flags and one function that reads them; `env` pins account and region as `sprout deploy` does. */
function build({ env, nag = false }: { env?: { account: string; region: string }; nag?: boolean } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'feature-flags-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { '@aws-cdk/core:enablePartitionLiterals': true } });
  const stack = new Stack(app, 'Service', { env });
  const flags = new FeatureFlags(stack, 'Flags', { initialContent, environmentName: 'dev' });
  const reader = new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  flags.grantRead(reader);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, flags, reader, outdir };
}

/** An intrinsic as one readable string, references written <Ref> and <LogicalId.Attribute>. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, unknown>;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (intrinsic['Fn::GetAtt']) return `<${(intrinsic['Fn::GetAtt'] as string[]).join('.')}>`;
  if (intrinsic.Ref) return `<${intrinsic.Ref as string}>`;
  return JSON.stringify(node);
}

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

describe('FeatureFlags: the AppConfig resources', () => {
  const template = Template.fromStack(build().stack);
  const [applicationId] = only(template, 'AWS::AppConfig::Application');
  const [environmentId] = only(template, 'AWS::AppConfig::Environment');
  const [profileId] = only(template, 'AWS::AppConfig::ConfigurationProfile');
  const [strategyId] = only(template, 'AWS::AppConfig::DeploymentStrategy');

  it('creates an application named after the stack, and an environment named after the stage in it', () => {
    template.hasResourceProperties('AWS::AppConfig::Application', { Name: 'Service' });
    template.hasResourceProperties('AWS::AppConfig::Environment', { Name: 'dev', ApplicationId: { 'Fn::GetAtt': [applicationId, 'ApplicationId'] } });
  });

  it('creates a hosted profile of type AWS.AppConfig.FeatureFlags, with no version of its own in the template', () => {
    template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
      ApplicationId: { 'Fn::GetAtt': [applicationId, 'ApplicationId'] },
      LocationUri: 'hosted',
      Type: 'AWS.AppConfig.FeatureFlags',
    });
    // A CloudFormation-owned version or deployment would be written again on redeploys.
    template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    template.resourceCountIs('AWS::AppConfig::Deployment', 0);
  });

  it('deploys with a fast linear strategy: 50% then 100% over 2 minutes, a 1-minute bake, no SSM copy', () => {
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      GrowthType: 'LINEAR',
      GrowthFactor: 50,
      DeploymentDurationInMinutes: 2,
      FinalBakeTimeInMinutes: 1,
      ReplicateTo: 'NONE',
    });
  });

  it('outputs exactly the four ids the CLI looks for, under fixed logical ids', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(['FlagsApplicationId', 'FlagsDeploymentStrategyId', 'FlagsEnvironmentId', 'FlagsProfileId']);
    // The same keys src/feature-flags/select.ts reads to find the store.
    expect(Object.values(FLAG_STACK_OUTPUTS).sort()).toEqual(Object.values(FLAG_OUTPUTS).sort());
    expect(outputs.FlagsApplicationId?.Value).toEqual({ 'Fn::GetAtt': [applicationId, 'ApplicationId'] });
    expect(outputs.FlagsEnvironmentId?.Value).toEqual({ 'Fn::GetAtt': [environmentId, 'EnvironmentId'] });
    expect(outputs.FlagsProfileId?.Value).toEqual({ 'Fn::GetAtt': [profileId, 'ConfigurationProfileId'] });
    expect(outputs.FlagsDeploymentStrategyId?.Value).toEqual({ 'Fn::GetAtt': [strategyId, 'Id'] });
  });

  it('names AppConfig resources within their 64-character limit, whatever the stack name', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'feature-flags-')) });
    outdirs.push(app.outdir);
    const stack = new Stack(app, `shop-${'x'.repeat(100)}-prod`);
    new FeatureFlags(stack, 'Flags', { initialContent, environmentName: 'prod' });
    const long = Template.fromStack(stack);
    expect(only(long, 'AWS::AppConfig::Application')[1].Properties.Name).toHaveLength(64);
    expect(only(long, 'AWS::AppConfig::DeploymentStrategy')[1].Properties.Name).toMatch(/^shop-x{53}-flags$/);
  });

  it('refuses initial content that is not AppConfig hosted content', () => {
    const stack = new Stack(new App(), 'Service');
    expect(() => new FeatureFlags(stack, 'NotJson', { initialContent: '{version', environmentName: 'dev' })).toThrow(/initialContent is not JSON/);
    const sproutDocument = JSON.stringify({ version: 1, flags: {} });
    expect(() => new FeatureFlags(stack, 'Document', { initialContent: sproutDocument, environmentName: 'dev' })).toThrow(/pass encodeAppConfig\(document\)/);
  });
});

describe('FeatureFlags: the first version, written once', () => {
  const template = Template.fromStack(build().stack);
  const [applicationId] = only(template, 'AWS::AppConfig::Application');
  const [environmentId] = only(template, 'AWS::AppConfig::Environment');
  const [profileId] = only(template, 'AWS::AppConfig::ConfigurationProfile');
  const [strategyId] = only(template, 'AWS::AppConfig::DeploymentStrategy');
  const [, writer] = only(template, 'Custom::SproutInitialFeatureFlags');

  it('hands the custom resource the initial content and the four ids', () => {
    expect(writer.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^FlagsInitialVersionFunction/), 'Arn'] },
      ApplicationId: { 'Fn::GetAtt': [applicationId, 'ApplicationId'] },
      EnvironmentId: { 'Fn::GetAtt': [environmentId, 'EnvironmentId'] },
      ConfigurationProfileId: { 'Fn::GetAtt': [profileId, 'ConfigurationProfileId'] },
      DeploymentStrategyId: { 'Fn::GetAtt': [strategyId, 'Id'] },
      Content: initialContent,
    });
  });

  it('runs its handler inline on Node.js 24, arm64, under the 4 KB inline limit', () => {
    const writerFunction = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Code.ZipFile === INITIAL_FLAGS_SOURCE);
    expect(writerFunction?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(Buffer.byteLength(INITIAL_FLAGS_SOURCE)).toBeLessThan(4096);
  });

  it('lets the writer list, create and delete versions of its own profile, and deploy to its own environment, nothing else', () => {
    const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('FlagsInitialVersionRole')) ?? [];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const app = `arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<${applicationId}.ApplicationId>`;
    const profile = `${app}/configurationprofile/<${profileId}.ConfigurationProfileId>`;
    const environment = `${app}/environment/<${environmentId}.EnvironmentId>`;
    expect(statements.filter((s) => String(s.Action).includes('appconfig:')).map((s) => ({ Action: s.Action, Resource: s.Resource.map(flatten) }))).toEqual([
      {
        Action: ['appconfig:ListHostedConfigurationVersions', 'appconfig:CreateHostedConfigurationVersion', 'appconfig:DeleteHostedConfigurationVersion'],
        Resource: [app, profile, `${profile}/hostedconfigurationversion/*`],
      },
      {
        Action: 'appconfig:StartDeployment',
        Resource: [
          app,
          environment,
          `${environment}/deployment/*`,
          profile,
          `arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:deploymentstrategy/<${strategyId}.Id>`,
        ],
      },
    ]);
    // Besides that, only its own log group.
    expect(statements.filter((s) => !String(s.Action).includes('appconfig:'))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FlagsInitialVersionLogs/), 'Arn'] } },
    ]);
  });
});

describe('FeatureFlags.grantRead', () => {
  const { stack, reader } = build();
  const template = Template.fromStack(stack);
  const [applicationId] = only(template, 'AWS::AppConfig::Application');
  const [environmentId] = only(template, 'AWS::AppConfig::Environment');
  const [profileId] = only(template, 'AWS::AppConfig::ConfigurationProfile');
  const readerRole = stack.resolve((reader.role!.node.defaultChild as iam.CfnRole).logicalId) as string;

  it('sets the three variables the provider reads (FLAG_SOURCE_VARIABLES) to the ids', () => {
    expect(FLAG_SOURCE_ENVIRONMENT).toEqual({
      application: FLAG_SOURCE_VARIABLES.application,
      environment: FLAG_SOURCE_VARIABLES.environment,
      profile: FLAG_SOURCE_VARIABLES.profile,
    });
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Reader')) ?? [];
    expect(fn?.Properties.Environment.Variables).toEqual({
      SPROUT_FLAGS_APPLICATION: { 'Fn::GetAtt': [applicationId, 'ApplicationId'] },
      SPROUT_FLAGS_ENVIRONMENT: { 'Fn::GetAtt': [environmentId, 'EnvironmentId'] },
      SPROUT_FLAGS_PROFILE: { 'Fn::GetAtt': [profileId, 'ConfigurationProfileId'] },
    });
  });

  it('grants exactly StartConfigurationSession and GetLatestConfiguration on this one configuration', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === readerRole));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.map((s) => ({ ...s, Resource: flatten(s.Resource) }))).toEqual([
      {
        Action: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        Effect: 'Allow',
        Resource: `arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<${applicationId}.ApplicationId>/environment/<${environmentId}.EnvironmentId>/configuration/<${profileId}.ConfigurationProfileId>`,
      },
    ]);
  });

  it('names the account, region and partition when the stack has an environment', () => {
    const pinned = Template.fromStack(build({ env: { account: '111111111111', region: 'eu-west-1' } }).stack);
    const statement = Object.values(pinned.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .find((s) => s.Action.includes('appconfig:GetLatestConfiguration'));
    expect(flatten(statement.Resource)).toMatch(/^arn:aws:appconfig:eu-west-1:111111111111:application\/<FlagsApplication\w+\.ApplicationId>\/environment\/<\w+\.EnvironmentId>\/configuration\/<\w+\.ConfigurationProfileId>$/);
  });
});

describe('FeatureFlags under cdk-nag AwsSolutions', () => {
  it.each([
    ['an environment-agnostic stack', undefined],
    ['a stack pinned to an account and region', { account: '111111111111', region: 'eu-west-1' }],
  ])('finds nothing in the construct or in grantRead (%s)', (_, env) => {
    const { app, outdir } = build({ env, nag: true });
    expect(() => app.synth()).toThrow(/AwsSolutions/);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const findings: Array<{ rule: string; path: string }> = report.pluginReports.flatMap((plugin: { violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }) =>
      plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => ({ rule: violation.ruleName, path: construct.constructPath }))),
    );
    // The bare test function keeps AWSLambdaBasicExecutionRole, which proves the pack ran; the
    // construct has no finding left, and grantRead adds no wildcard.
    expect(findings.filter((finding) => finding.path.startsWith('Service/Flags/'))).toEqual([]);
    expect(findings.map((finding) => finding.rule)).toEqual([expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/)]);
  });
});

interface Call {
  command: string;
  input: Record<string, unknown>;
}
type Failure = { name: string; message: string };

/**
 * Loads the inline handler the way Lambda would (CommonJS), with the AppConfig SDK and the HTTPS
 * response replaced by fakes: `versions` pages of ListHostedConfigurationVersions, `fail` makes
 * one command throw. Records the calls and the response sent to CloudFormation.
 */
function loadHandler({ versions = [[]], fail = {} }: { versions?: number[][]; fail?: Record<string, Failure> } = {}) {
  const calls: Call[] = [];
  const responses: Array<Record<string, unknown>> = [];
  const command = (name: string) =>
    class {
      readonly name = name;
      constructor(readonly input: Record<string, unknown>) {}
    };
  const sdk = {
    ListHostedConfigurationVersionsCommand: command('ListHostedConfigurationVersions'),
    CreateHostedConfigurationVersionCommand: command('CreateHostedConfigurationVersion'),
    StartDeploymentCommand: command('StartDeployment'),
    DeleteHostedConfigurationVersionCommand: command('DeleteHostedConfigurationVersion'),
    AppConfigClient: class {
      async send({ name, input }: { name: string; input: Record<string, unknown> }) {
        calls.push({ command: name, input });
        const failure = fail[name];
        if (failure) throw Object.assign(new Error(failure.message), { name: failure.name });
        if (name === 'ListHostedConfigurationVersions') {
          const page = calls.filter((c) => c.command === name).length - 1;
          return { Items: (versions[page] ?? []).map((VersionNumber) => ({ VersionNumber })), NextToken: page + 1 < versions.length ? `page-${page + 1}` : undefined };
        }
        if (name === 'CreateHostedConfigurationVersion') return { VersionNumber: 1 };
        if (name === 'StartDeployment') return { DeploymentNumber: 1 };
        return {};
      }
    },
  };
  const https = {
    request(_url: string, _options: unknown, onResponse: (res: unknown) => void) {
      return {
        on() {},
        end(body: string) {
          responses.push(JSON.parse(body));
          onResponse({ resume() {}, on: (event: string, listener: () => void) => event === 'end' && listener() });
        },
      };
    },
  };
  const fakeRequire = (id: string) => ({ 'node:https': https, '@aws-sdk/client-appconfig': sdk })[id];
  const module = { exports: {} as { handler: (event: unknown) => Promise<void> } };
  new Function('exports', 'require', 'module', 'console', INITIAL_FLAGS_SOURCE)(module.exports, fakeRequire, module, { log() {} });
  return { handler: module.exports.handler, calls, responses };
}

const properties = { ApplicationId: 'app1', EnvironmentId: 'env1', ConfigurationProfileId: 'prof1', DeploymentStrategyId: 'strat1', Content: initialContent };
const event = (RequestType: string, extra: Record<string, unknown> = {}) => ({
  RequestType,
  ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop/1',
  RequestId: 'request-1',
  LogicalResourceId: 'FlagsInitialVersion',
  ResourceProperties: properties,
  ...extra,
});
const ids = { ApplicationId: 'app1', ConfigurationProfileId: 'prof1' };

describe('the first-version handler', () => {
  it('on Create, writes the initial content as version 1 of the empty profile and deploys it with the strategy', async () => {
    const { handler, calls, responses } = loadHandler();
    await handler(event('Create'));
    expect(calls.map((c) => c.command)).toEqual(['ListHostedConfigurationVersions', 'CreateHostedConfigurationVersion', 'StartDeployment']);
    const created = calls[1]!.input;
    expect(created).toMatchObject({ ...ids, ContentType: 'application/json' });
    expect(new TextDecoder().decode(created.Content as Uint8Array)).toBe(initialContent);
    expect(calls[2]!.input).toMatchObject({ ...ids, EnvironmentId: 'env1', DeploymentStrategyId: 'strat1', ConfigurationVersion: '1' });
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'app1/prof1', RequestId: 'request-1', LogicalResourceId: 'FlagsInitialVersion' })]);
  });

  it('on Create, leaves a profile that already has a version alone: those flags belong to sprout flags', async () => {
    const { handler, calls, responses } = loadHandler({ versions: [[3, 2, 1]] });
    await handler(event('Create'));
    expect(calls.map((c) => c.command)).toEqual(['ListHostedConfigurationVersions']);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app1/prof1' });
  });

  it('on Update, calls nothing and keeps its id, even when the initial content changed: a redeploy never reverts a flag', async () => {
    const { handler, calls, responses } = loadHandler();
    await handler(event('Update', { PhysicalResourceId: 'app1/prof1', ResourceProperties: { ...properties, Content: '{"version":"1","flags":{}}' } }));
    expect(calls).toEqual([]);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app1/prof1' });
  });

  it('on Update to a replaced profile, gives the new (empty) profile its first version under a new id', async () => {
    const { handler, calls, responses } = loadHandler();
    await handler(event('Update', { PhysicalResourceId: 'app1/old-profile' }));
    expect(calls.map((c) => c.command)).toEqual(['ListHostedConfigurationVersions', 'CreateHostedConfigurationVersion', 'StartDeployment']);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app1/prof1' });
  });

  it('on Delete, deletes every hosted version across pages, so CloudFormation can delete the profile', async () => {
    const { handler, calls, responses } = loadHandler({ versions: [[5, 4], [3, 2], [1]] });
    await handler(event('Delete', { PhysicalResourceId: 'app1/prof1' }));
    expect(calls.filter((c) => c.command === 'ListHostedConfigurationVersions').map((c) => c.input.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    expect(calls.filter((c) => c.command === 'DeleteHostedConfigurationVersion').map((c) => c.input)).toEqual(
      [5, 4, 3, 2, 1].map((VersionNumber) => ({ ...ids, VersionNumber })),
    );
    expect(calls.some((c) => c.command === 'CreateHostedConfigurationVersion' || c.command === 'StartDeployment')).toBe(false);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app1/prof1' });
  });

  it('on Delete, succeeds when the profile is already gone', async () => {
    const { handler, responses } = loadHandler({ fail: { ListHostedConfigurationVersions: { name: 'ResourceNotFoundException', message: 'not found' } } });
    await handler(event('Delete', { PhysicalResourceId: 'app1/prof1' }));
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('reports a refused version as FAILED with AppConfig\'s reason, and deploys nothing', async () => {
    const { handler, calls, responses } = loadHandler({ fail: { CreateHostedConfigurationVersion: { name: 'BadRequestException', message: 'Invalid feature flags' } } });
    await handler(event('Create'));
    expect(calls.map((c) => c.command)).not.toContain('StartDeployment');
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'Invalid feature flags', PhysicalResourceId: 'app1/prof1' });
  });

  it('reports a ResourceNotFoundException on Create as FAILED (only Delete may find nothing)', async () => {
    const { handler, responses } = loadHandler({ fail: { ListHostedConfigurationVersions: { name: 'ResourceNotFoundException', message: 'no such profile' } } });
    await handler(event('Create'));
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'no such profile' });
  });
});
