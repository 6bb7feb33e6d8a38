import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { THROTTLE } from '../infra/constructs/aggregator-service.js';
import { AggregatorStack } from '../infra/stacks/aggregator-stack.js';
import { initialFlags } from '../src/lib/flags.js';
import { decodeSources } from '../src/lib/sources.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// biome-ignore lint: assertions read arbitrary CloudFormation
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(sproutFile = sprout, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig(sproutFile);
  return Template.fromStack(new AggregatorStack(test.app, config.stackName, { config }));
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

const variablesOf = (prefix: string, from = template) => byPrefix('AWS::Lambda::Function', `${prefix}Function`, from)[1].Properties.Environment.Variables;

describe('functions', () => {
  it('deploys the aggregator and the demo sources on Node.js 24, arm64, with active tracing', () => {
    // The third writes the first feature flags once, at stack creation (infra/sprout/feature-flags.ts).
    template.resourceCountIs('AWS::Lambda::Function', 3);
    byPrefix('AWS::Lambda::Function', 'FlagsInitialVersionFunction');
    for (const name of ['Aggregate', 'DemoSource']) {
      expect(byPrefix('AWS::Lambda::Function', `${name}Function`)[1].Properties, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
  });

  it('gives the aggregator the timeout from sprout.json, under API Gateway\'s 29 s, and 256 MB', () => {
    expect(byPrefix('AWS::Lambda::Function', 'AggregateFunction')[1].Properties).toMatchObject({ Timeout: sprout.options.functionTimeoutSeconds, MemorySize: 256 });
  });

  it('passes the validated sources to the aggregator as SOURCES, which the function reads back as configured', () => {
    const { SOURCES } = variablesOf('Aggregate');
    expect(typeof SOURCES).toBe('string');
    expect(decodeSources(SOURCES, 'https://self.example')).toEqual(resolveConfig(sprout).options.sources);
  });

  it('tells the aggregator its own API\'s address (for the demo paths) from the API id and the literal stage, not the stage resource', () => {
    expect(flatten(variablesOf('Aggregate').SELF_BASE_URL)).toBe('https://<ApiRestApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>/local');
  });

  it('attaches no AWS-managed policy to any function role', () => {
    for (const name of ['Aggregate', 'DemoSource', 'FlagsInitialVersion']) {
      expect(byPrefix('AWS::IAM::Role', `${name}Role`)[1].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  const logsAndTracing = [
    { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [expect.stringMatching(/^<\w+Logs\w*\.Arn>$/)] },
    { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
  ];

  it('the aggregator may write its logs and traces and read its flags, nothing else (its sources are plain HTTPS)', () => {
    expect(statementsOf('AggregateRole')).toEqual(
      expect.arrayContaining([
        ...logsAndTracing,
        {
          actions: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
          resources: [
            'arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
          ],
        },
      ]),
    );
    expect(statementsOf('AggregateRole')).toHaveLength(3);
  });

  it('the demo sources may only write their logs and traces', () => {
    expect(statementsOf('DemoSourceRole')).toEqual(expect.arrayContaining(logsAndTracing));
    expect(statementsOf('DemoSourceRole')).toHaveLength(2);
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

  it('outputs the four ids sprout flags finds the store by', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.fromEntries(Object.entries(outputs).filter(([key]) => key.startsWith('Flags')).map(([key, output]) => [key, flatten(output.Value)]))).toEqual({
      FlagsApplicationId: '<FlagsApplication.ApplicationId>',
      FlagsEnvironmentId: '<FlagsEnvironment.EnvironmentId>',
      FlagsProfileId: '<FlagsProfile.ConfigurationProfileId>',
      FlagsDeploymentStrategyId: '<FlagsDeploymentStrategy.Id>',
    });
  });

  it('tells only the aggregator, which evaluates skip-optional-sources, where the flags are', () => {
    const flagVariables = (name: string) => Object.entries(variablesOf(name)).filter(([key]) => key.startsWith('SPROUT_FLAGS')).map(([key, value]) => [key, flatten(value)]);
    expect(Object.fromEntries(flagVariables('Aggregate'))).toEqual({
      SPROUT_FLAGS_APPLICATION: '<FlagsApplication.ApplicationId>',
      SPROUT_FLAGS_ENVIRONMENT: '<FlagsEnvironment.EnvironmentId>',
      SPROUT_FLAGS_PROFILE: '<FlagsProfile.ConfigurationProfileId>',
    });
    expect(flagVariables('DemoSource')).toEqual([]);
  });
});

describe('REST API', () => {
  const methods = (from = template) =>
    Object.values(from.findResources('AWS::ApiGateway::Method') as Record<string, Resource>).map((method) => ({
      verb: method.Properties.HttpMethod,
      target: flatten(method.Properties.Integration.Uri),
      parameters: method.Properties.RequestParameters,
      validated: method.Properties.RequestValidatorId !== undefined,
    }));

  it('routes GET /aggregate to the aggregator, requiring the query parameters the sources use, and GET /demo/{name} to the demo sources', () => {
    expect(methods()).toEqual(
      expect.arrayContaining([
        { verb: 'GET', target: expect.stringContaining('<AggregateFunction.Arn>'), parameters: { 'method.request.querystring.customerId': true }, validated: true },
        { verb: 'GET', target: expect.stringContaining('<DemoSourceFunction.Arn>'), parameters: { 'method.request.path.name': true }, validated: true },
      ]),
    );
    expect(methods()).toHaveLength(2);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
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

  it('answers gateway errors in the same JSON error shape as the functions', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((r) => r.Properties.ResponseType).sort()).toEqual(
      ['BAD_REQUEST_PARAMETERS', 'DEFAULT_4XX', 'DEFAULT_5XX', 'INTEGRATION_TIMEOUT', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED'],
    );
    for (const response of responses) {
      const body = (response.Properties.ResponseTemplates['application/json'] as string).replace(/\$context\.error\.\w+/g, (variable) =>
        variable.endsWith('String') ? '"substituted"' : 'SUBSTITUTED',
      );
      expect(JSON.parse(body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('outputs the aggregate and demo URLs', () => {
    expect(flatten(template.toJSON().Outputs.AggregateUrl.Value)).toMatch(/^https:\/\/<ApiRestApi>\.execute-api\..*\/<ApiRestApiDeploymentStagelocal>\/aggregate$/);
    expect(template.toJSON().Outputs).toHaveProperty('DemoUrl');
  });
});

describe('sprout.json changes the infrastructure without code changes', () => {
  const ownSources = {
    profile: { url: 'https://profile.example.com/customers/{customerId}', required: true },
    inventory: { url: 'https://inventory.example.com/stock?sku={sku}&region={region}', timeoutMs: 15_000 },
  };
  let custom: Template;
  beforeAll(() => {
    custom = synth({ ...sprout, options: { ...sprout.options, functionTimeoutSeconds: 20, demoSources: false }, sources: ownSources }, { bundle: false });
  });

  it('without the demo sources: no demo function, route or output, and no SELF_BASE_URL', () => {
    expect(Object.keys(custom.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('DemoSource'))).toBe(false);
    expect(methods(custom)).toHaveLength(1);
    expect(custom.toJSON().Outputs).not.toHaveProperty('DemoUrl');
    expect(variablesOf('Aggregate', custom)).not.toHaveProperty('SELF_BASE_URL');
  });

  it('the function timeout, the sources and the required query parameters follow sprout.json', () => {
    expect(byPrefix('AWS::Lambda::Function', 'AggregateFunction', custom)[1].Properties.Timeout).toBe(20);
    expect(decodeSources(variablesOf('Aggregate', custom).SOURCES).map(({ name, timeoutMs, required }) => ({ name, timeoutMs, required }))).toEqual([
      { name: 'profile', timeoutMs: sprout.options.defaultTimeoutMs, required: true },
      { name: 'inventory', timeoutMs: 15_000, required: sprout.options.sourcesRequiredByDefault },
    ]);
    expect(methods(custom)[0]?.parameters).toEqual({
      'method.request.querystring.customerId': true,
      'method.request.querystring.sku': true,
      'method.request.querystring.region': true,
    });
  });

  function methods(from: Template) {
    return Object.values(from.findResources('AWS::ApiGateway::Method') as Record<string, Resource>).map((method) => ({ parameters: method.Properties.RequestParameters }));
  }
});
