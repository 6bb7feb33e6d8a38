import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { THROTTLE } from '../infra/constructs/circuit-service.js';
import { CircuitBreakerStack } from '../infra/stacks/circuit-breaker-stack.js';
import { initialFlags } from '../src/lib/flags.js';
import { functionTimeoutSeconds } from '../src/lib/settings.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// biome-ignore lint: assertions read arbitrary CloudFormation
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(sproutFile = sprout, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig(sproutFile);
  return Template.fromStack(new CircuitBreakerStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  template = synth();
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

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

/** Every statement of the policies attached to one role, with actions sorted and resources flattened. */
function statementsOf(rolePrefix: string, from = template) {
  const [roleId] = byPrefix('AWS::IAM::Role', rolePrefix, from);
  return Object.values(from.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .map((statement: { Action: string | string[]; Resource: unknown }) => ({
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat().map(flatten),
    }));
}

const callFunction = (from = template) => byPrefix('AWS::Lambda::Function', 'CallFunction', from)[1];
const variables = (from = template) => callFunction(from).Properties.Environment.Variables as Record<string, unknown>;

describe('circuit state table', () => {
  it('is one on-demand table keyed by circuit name, with point-in-time recovery', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(byPrefix('AWS::DynamoDB::Table', 'CircuitState')[1].Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'circuit', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'circuit', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is deleted with the stack: the state rebuilds itself (a missing item is a closed circuit)', () => {
    expect(byPrefix('AWS::DynamoDB::Table', 'CircuitState')[1]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });
});

describe('the call function', () => {
  it('runs on Node.js 24, arm64, with active tracing and its own log group', () => {
    // The other writes the first feature flags once, at stack creation (infra/sprout/feature-flags.ts).
    template.resourceCountIs('AWS::Lambda::Function', 2);
    byPrefix('AWS::Lambda::Function', 'FlagsInitialVersionFunction');
    expect(callFunction().Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogGroup: expect.anything() }, MemorySize: 256 });
  });

  it('gets the options from sprout.json, the circuit name and its table', () => {
    expect(variables()).toMatchObject({
      CIRCUIT_NAME: 'api.example.com',
      DOWNSTREAM_URL: sprout.options.downstreamUrl,
      CALL_TIMEOUT_MS: String(sprout.options.callTimeoutMs),
      FAILURE_THRESHOLD: String(sprout.options.failureThreshold),
      COOL_DOWN_SECONDS: String(sprout.options.coolDownSeconds),
    });
    expect(flatten(variables().TABLE_NAME)).toBe('<CircuitState>');
  });

  it('has the call timeout plus the state margin as its timeout, under API Gateway\'s 29 s', () => {
    expect(callFunction().Properties.Timeout).toBe(functionTimeoutSeconds(sprout.options.callTimeoutMs));
    expect(callFunction().Properties.Timeout).toBeLessThanOrEqual(29);
  });

  it('attaches no AWS-managed policy to any function role', () => {
    for (const name of ['Call', 'FlagsInitialVersion']) expect(byPrefix('AWS::IAM::Role', `${name}Role`)[1].Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('least privilege', () => {
  it('the call function may read and conditionally update its circuit table, read its flags, write logs and traces: nothing else', () => {
    const statements = statementsOf('CallRole');
    expect(statements).toEqual(
      expect.arrayContaining([
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [expect.stringMatching(/^<CallLogs\w*\.Arn>$/)] },
        { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
        { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: ['<CircuitState.Arn>'] },
        {
          actions: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
          resources: [
            'arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
          ],
        },
      ]),
    );
    expect(statements).toHaveLength(4);
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
});

describe('feature flags (sprout flags)', () => {
  it('stores them in an AppConfig application, an environment named after the stage, and a hosted feature flag profile', () => {
    for (const type of ['Application', 'Environment', 'ConfigurationProfile', 'DeploymentStrategy']) template.resourceCountIs(`AWS::AppConfig::${type}`, 1);
    template.hasResourceProperties('AWS::AppConfig::Environment', { Name: sprout.defaultStage });
    template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { Type: 'AWS.AppConfig.FeatureFlags', LocationUri: 'hosted' });
  });

  it('writes the sample flag as the first version once, through a custom resource', () => {
    expect(byPrefix('Custom::SproutInitialFeatureFlags', 'FlagsInitialVersion')[1].Properties.Content).toBe(encodeAppConfig(initialFlags));
    template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
  });

  it('outputs the four ids sprout flags finds the store by, and tells the call function where the flags are', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.fromEntries(Object.entries(outputs).filter(([key]) => key.startsWith('Flags')).map(([key, output]) => [key, flatten(output.Value)]))).toEqual({
      FlagsApplicationId: '<FlagsApplication.ApplicationId>',
      FlagsEnvironmentId: '<FlagsEnvironment.EnvironmentId>',
      FlagsProfileId: '<FlagsProfile.ConfigurationProfileId>',
      FlagsDeploymentStrategyId: '<FlagsDeploymentStrategy.Id>',
    });
    expect(Object.fromEntries(Object.entries(variables()).filter(([key]) => key.startsWith('SPROUT_FLAGS')).map(([key, value]) => [key, flatten(value)]))).toEqual({
      SPROUT_FLAGS_APPLICATION: '<FlagsApplication.ApplicationId>',
      SPROUT_FLAGS_ENVIRONMENT: '<FlagsEnvironment.EnvironmentId>',
      SPROUT_FLAGS_PROFILE: '<FlagsProfile.ConfigurationProfileId>',
    });
  });
});

describe('REST API', () => {
  it('routes GET /call and GET /circuit to the call function, and nothing else', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, Resource>).map((method) => ({
      verb: method.Properties.HttpMethod,
      path: resources[method.Properties.ResourceId.Ref]?.Properties.PathPart,
      target: flatten(method.Properties.Integration.Uri),
    }));
    expect(methods.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { verb: 'GET', path: 'call', target: expect.stringContaining('<CallFunction.Arn>') },
      { verb: 'GET', path: 'circuit', target: expect.stringContaining('<CallFunction.Arn>') },
    ]);
  });

  it('throttles the stage, with access logs, execution logs for errors and tracing', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'local',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: THROTTLE.rateLimit, ThrottlingBurstLimit: THROTTLE.burstLimit, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
      ]),
    });
  });

  it('answers gateway errors in the same JSON error shape as the function', () => {
    for (const response of Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))) {
      const body = (response.Properties.ResponseTemplates['application/json'] as string).replace(/\$context\.error\.\w+/g, (variable) =>
        variable.endsWith('String') ? '"substituted"' : 'SUBSTITUTED',
      );
      expect(JSON.parse(body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('outputs the call and circuit URLs and the table name', () => {
    const outputs = template.toJSON().Outputs;
    expect(flatten(outputs.CallUrl.Value)).toMatch(/^https:\/\/<ApiRestApi>\.execute-api\..*\/<ApiRestApiDeploymentStagelocal>\/call$/);
    expect(flatten(outputs.CircuitUrl.Value)).toMatch(/\/circuit$/);
    expect(flatten(outputs.CircuitTableName.Value)).toBe('<CircuitState>');
  });
});

describe('sprout.json changes the infrastructure without code changes', () => {
  it('threshold, cool-down, call timeout and downstream URL follow the options', () => {
    const custom = synth(
      { ...sprout, options: { failureThreshold: 10, coolDownSeconds: 120, callTimeoutMs: 9_500, downstreamUrl: 'https://payments.example.com/v1/quote' } },
      { bundle: false },
    );
    expect(variables(custom)).toMatchObject({
      CIRCUIT_NAME: 'payments.example.com',
      DOWNSTREAM_URL: 'https://payments.example.com/v1/quote',
      CALL_TIMEOUT_MS: '9500',
      FAILURE_THRESHOLD: '10',
      COOL_DOWN_SECONDS: '120',
    });
    expect(callFunction(custom).Properties.Timeout).toBe(13);
  });
});
