import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { MAX_READ_THROUGH_TIMEOUT_MS, serviceTimeouts } from '../infra/constructs/orders-service.js';
import { StranglerStack } from '../infra/stacks/strangler-stack.js';
import { initialFlags } from '../src/lib/flags.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// The rest of the stack: the new service's function, table and permissions, the flag store, and
// the facade's stage. Which path goes where is test/routes.test.ts.

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(sproutFile = sprout, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig(sproutFile);
  return Template.fromStack(new StranglerStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  template = synth();
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const byPrefix = (type: string, prefix: string, from = template): [string, Resource] => {
  const matches = Object.entries(from.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};

/** An intrinsic as one readable string: references written <Ref> and <LogicalId.Attribute>, ids without their hash. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, any>;
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
  const unhashed = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  if (intrinsic['Fn::GetAtt']) return `<${unhashed(intrinsic['Fn::GetAtt'][0])}.${intrinsic['Fn::GetAtt'][1]}>`;
  if (intrinsic.Ref) return `<${unhashed(intrinsic.Ref)}>`;
  return JSON.stringify(node);
}

/** Every statement of the policies attached to one role, actions sorted, resources flattened. */
function statementsOf(rolePrefix: string, from = template) {
  const [roleId] = byPrefix('AWS::IAM::Role', rolePrefix, from);
  return Object.values(from.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .map((statement: { Action: string | string[]; Resource: unknown }) => ({
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat().map(flatten).sort(),
    }));
}

describe('the new service', () => {
  it('is one function on Node.js 24, arm64, with active tracing, its own log group, and no managed policy', () => {
    // The second writes the first feature flags once, at stack creation (infra/sprout/feature-flags.ts).
    template.resourceCountIs('AWS::Lambda::Function', 2);
    byPrefix('AWS::Lambda::Function', 'FlagsInitialVersionFunction');
    const [, fn] = byPrefix('AWS::Lambda::Function', 'OrdersServiceFunction');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: expect.anything() },
    });
    expect(byPrefix('AWS::IAM::Role', 'OrdersServiceRole')[1].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('knows its table, the legacy base URL and the read-through timeout', () => {
    const variables = byPrefix('AWS::Lambda::Function', 'OrdersServiceFunction')[1].Properties.Environment.Variables;
    expect(variables).toMatchObject({
      TABLE_NAME: { Ref: expect.stringMatching(/^Orders[0-9A-F]{8}$/) },
      LEGACY_BASE_URL: sprout.options.legacyBaseUrl,
      LEGACY_TIMEOUT_MS: String(sprout.options.legacyTimeoutMs),
    });
  });

  it.each([
    [50, 50, 4],
    [10_000, 10_000, 13],
    [25_000, 25_000, 28],
    [29_000, MAX_READ_THROUGH_TIMEOUT_MS, 28],
  ])('with legacyTimeoutMs %i reads through within %i ms and times out after %i s, under API Gateway\'s 29 s', (legacyTimeoutMs, readThroughMs, functionSeconds) => {
    expect(serviceTimeouts(legacyTimeoutMs)).toEqual({ readThroughMs, functionSeconds });
    expect(functionSeconds).toBeLessThan(29);
    expect(functionSeconds * 1000).toBeGreaterThan(readThroughMs);
  });

  it('applies the timeouts to the function it deploys', () => {
    const custom = synth({ ...sprout, options: { ...sprout.options, legacyTimeoutMs: 2_000 } }, { bundle: false });
    const [, fn] = byPrefix('AWS::Lambda::Function', 'OrdersServiceFunction', custom);
    expect(fn.Properties.Timeout).toBe(5);
    expect(fn.Properties.Environment.Variables.LEGACY_TIMEOUT_MS).toBe('2000');
  });

  it('may put and get items in its own table, read its flags, write its logs and traces, and nothing else', () => {
    expect(statementsOf('OrdersServiceRole')).toEqual(
      expect.arrayContaining([
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: ['<Orders.Arn>'] },
        {
          actions: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
          resources: [
            'arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
          ],
        },
      ]),
    );
    const actions = statementsOf('OrdersServiceRole').flatMap((s) => s.actions).sort();
    expect(actions).toEqual([
      'appconfig:GetLatestConfiguration',
      'appconfig:StartConfigurationSession',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('uses Resource "*" only for X-Ray, which has no resource-level permissions', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if ([statement.Resource].flat().some((resource: unknown) => flatten(resource) === '*')) {
          expect([statement.Action].flat().every((action: string) => action.startsWith('xray:'))).toBe(true);
        }
      }
    }
  });

  it('stores orders on demand with point-in-time recovery, kept when the stack is deleted by default', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    });
    const destroy = synth({ ...sprout, options: { ...sprout.options, tableRemovalPolicy: 'destroy' } }, { bundle: false });
    destroy.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('feature flags (sprout flags)', () => {
  it('stores them in an AppConfig application, an environment named after the stage, and a hosted feature flag profile', () => {
    for (const type of ['Application', 'Environment', 'ConfigurationProfile', 'DeploymentStrategy']) template.resourceCountIs(`AWS::AppConfig::${type}`, 1);
    template.hasResourceProperties('AWS::AppConfig::Environment', { Name: sprout.defaultStage });
    template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { Type: 'AWS.AppConfig.FeatureFlags', LocationUri: 'hosted' });
  });

  it('writes the sample flag as the first version once, through a custom resource, never as a CloudFormation-owned version', () => {
    const [, writer] = byPrefix('Custom::SproutInitialFeatureFlags', 'FlagsInitialVersion');
    expect(writer.Properties.Content).toBe(encodeAppConfig(initialFlags));
    template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    template.resourceCountIs('AWS::AppConfig::Deployment', 0);
  });

  it('outputs the four ids sprout flags finds the store by', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.fromEntries(Object.entries(outputs).filter(([key]) => key.startsWith('Flags')).map(([key, output]) => [key, flatten(output.Value)]))).toEqual({
      FlagsApplicationId: '<FlagsApplication.ApplicationId>',
      FlagsEnvironmentId: '<FlagsEnvironment.EnvironmentId>',
      FlagsProfileId: '<FlagsProfile.ConfigurationProfileId>',
      FlagsDeploymentStrategyId: '<FlagsDeploymentStrategy.Id>',
    });
  });

  it('tells the new service where its flags are', () => {
    const variables = byPrefix('AWS::Lambda::Function', 'OrdersServiceFunction')[1].Properties.Environment.Variables;
    expect(Object.fromEntries(Object.entries(variables).filter(([key]) => key.startsWith('SPROUT_FLAGS')).map(([key, value]) => [key, flatten(value)]))).toEqual({
      SPROUT_FLAGS_APPLICATION: '<FlagsApplication.ApplicationId>',
      SPROUT_FLAGS_ENVIRONMENT: '<FlagsEnvironment.EnvironmentId>',
      SPROUT_FLAGS_PROFILE: '<FlagsProfile.ConfigurationProfileId>',
    });
  });
});

describe('the facade', () => {
  it('is one regional REST API that treats every payload as binary, so legacy uploads and downloads pass unchanged', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'], EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('names its stage after the stage, with tracing, error logs, no body logging, and access logs that name the route', () => {
    const [, stage] = byPrefix('AWS::ApiGateway::Stage', 'FacadeRestApiDeploymentStage');
    expect(stage.Properties).toMatchObject({
      StageName: sprout.defaultStage,
      TracingEnabled: true,
      MethodSettings: [expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false })],
    });
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      integrationStatus: '$context.integration.status',
      integrationLatency: '$context.integration.latency',
      integrationError: '$context.integration.error',
    });
    expect(flatten(stage.Properties.AccessLogSetting.DestinationArn)).toBe('arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<FacadeAccessLogs>');
  });

  it('sets no stage throttle of its own: legacy traffic keeps the account\'s limits', () => {
    const [, stage] = byPrefix('AWS::ApiGateway::Stage', 'FacadeRestApiDeploymentStage');
    expect(stage.Properties.MethodSettings[0]).not.toHaveProperty('ThrottlingRateLimit');
  });

  it('answers a path no route covers with 404 in JSON instead of 403 "Missing Authentication Token"', () => {
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 1);
    const [, response] = byPrefix('AWS::ApiGateway::GatewayResponse', 'FacadeRestApiNoRoute');
    expect(response.Properties).toMatchObject({ ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
    expect(JSON.parse(response.Properties.ResponseTemplates['application/json'])).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('outputs the facade URL, where legacy routes go, and the access log group', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flatten(outputs.AccessLogGroupName?.Value)).toBe('<FacadeAccessLogs>');
    expect(flatten(outputs.FacadeUrl?.Value)).toMatch(/^https:\/\/<FacadeRestApi>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<FacadeRestApiDeploymentStagelocal>\/$/);
    expect(outputs.LegacyBaseUrl?.Value).toBe(sprout.options.legacyBaseUrl);
  });
});
