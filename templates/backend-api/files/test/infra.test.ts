import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { ItemsApiStack } from '../infra/stacks/items-api-stack.js';
import { initialFlags } from '../src/lib/flags.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(sproutFile = sprout, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig(sproutFile);
  return Template.fromStack(new ItemsApiStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  template = synth();
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const byPrefix = (type: string, prefix: string): [string, Resource] => {
  const matches = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};

const FUNCTIONS = ['CreateItem', 'GetItem', 'ListItems', 'UpdateItem', 'DeleteItem'];
/** The functions that evaluate the sample flag, strict-item-names. */
const FLAG_READERS = ['CreateItem', 'UpdateItem'];

/** Every statement of the policies attached to one role. */
function statementsOf(rolePrefix: string): Array<{ Action: string | string[]; Effect: string; Resource: unknown }> {
  const [roleId] = byPrefix('AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

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

describe('functions', () => {
  it('deploys five item functions on Node.js 24, arm64, with active tracing and a timeout under 29 s', () => {
    // The sixth writes the first feature flags once, at stack creation (infra/sprout/feature-flags.ts).
    template.resourceCountIs('AWS::Lambda::Function', 6);
    byPrefix('AWS::Lambda::Function', 'FlagsInitialVersionFunction');
    for (const name of FUNCTIONS) {
      const [, fn] = byPrefix('AWS::Lambda::Function', `${name}Function`);
      expect(fn.Properties, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
      });
      expect(fn.Properties.Timeout).toBeLessThan(29);
    }
  });

  it('gives list the page size from sprout.json and create the idempotency table', () => {
    expect(byPrefix('AWS::Lambda::Function', 'ListItemsFunction')[1].Properties.Environment.Variables.DEFAULT_PAGE_SIZE).toBe(
      String(sprout.options.pageSize),
    );
    expect(byPrefix('AWS::Lambda::Function', 'CreateItemFunction')[1].Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: expect.stringMatching(/^StoreItems/) },
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/^StoreIdempotency/) },
    });
  });

  it('attaches no AWS-managed policy to any function role', () => {
    for (const name of [...FUNCTIONS, 'FlagsInitialVersion']) {
      expect(byPrefix('AWS::IAM::Role', `${name}Role`)[1].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  /** Every DynamoDB permission of one function, as "action on resource". */
  function dynamoDbPermissions(functionPrefix: string): string[] {
    const [roleId] = byPrefix('AWS::IAM::Role', `${functionPrefix}Role`);
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter((policy) =>
      policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
    );
    return policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[]; Resource: unknown }) =>
        [statement.Action].flat().map((action) => ({ action, resource: statement.Resource })),
      )
      .filter(({ action }) => action.startsWith('dynamodb:'))
      .map(({ action, resource }) => `${action} on ${describeResource(resource)}`)
      .sort();
  }

  /** `{Fn::GetAtt: [StoreItemsAB12, Arn]}` → `StoreItems`, plus any literal suffix such as `/index/byCreatedAt`. */
  function describeResource(resource: unknown): string {
    const json = JSON.stringify(resource);
    const table = /"(Store(?:Items|Idempotency))[0-9A-F]{8}"/.exec(json)?.[1] ?? json;
    const suffix = /"(\/index\/[^"]+)"/.exec(json)?.[1] ?? '';
    return table + suffix;
  }

  it.each([
    ['CreateItem', [
      'dynamodb:DeleteItem on StoreIdempotency',
      'dynamodb:GetItem on StoreIdempotency',
      'dynamodb:PutItem on StoreIdempotency',
      'dynamodb:PutItem on StoreItems',
      'dynamodb:UpdateItem on StoreIdempotency',
    ]],
    ['GetItem', ['dynamodb:GetItem on StoreItems']],
    ['ListItems', ['dynamodb:Query on StoreItems/index/byCreatedAt']],
    ['UpdateItem', ['dynamodb:GetItem on StoreItems', 'dynamodb:UpdateItem on StoreItems']],
    ['DeleteItem', ['dynamodb:DeleteItem on StoreItems']],
  ])('%s may call exactly the DynamoDB actions it uses', (fn, expected) => {
    expect(dynamoDbPermissions(fn)).toEqual(expected);
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

  it('has no other wildcard than the version and deployment numbers AppConfig assigns to the flag writer', () => {
    const wildcards = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Resource: unknown }) => [statement.Resource].flat().map(flatten))
      .filter((resource) => resource !== '*' && resource.includes('*'));
    expect(wildcards.sort()).toEqual([
      expect.stringMatching(/application\/<FlagsApplication\.ApplicationId>\/configurationprofile\/<FlagsProfile\.ConfigurationProfileId>\/hostedconfigurationversion\/\*$/),
      expect.stringMatching(/application\/<FlagsApplication\.ApplicationId>\/environment\/<FlagsEnvironment\.EnvironmentId>\/deployment\/\*$/),
    ]);
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

  it.each(FUNCTIONS)('%s knows where the flags are only if it reads them', (name) => {
    const variables = byPrefix('AWS::Lambda::Function', `${name}Function`)[1].Properties.Environment.Variables;
    const flagVariables = Object.fromEntries(Object.entries(variables).filter(([key]) => key.startsWith('SPROUT_FLAGS')).map(([key, value]) => [key, flatten(value)]));
    expect(flagVariables).toEqual(
      FLAG_READERS.includes(name)
        ? {
            SPROUT_FLAGS_APPLICATION: '<FlagsApplication.ApplicationId>',
            SPROUT_FLAGS_ENVIRONMENT: '<FlagsEnvironment.EnvironmentId>',
            SPROUT_FLAGS_PROFILE: '<FlagsProfile.ConfigurationProfileId>',
          }
        : {},
    );
  });

  it.each(FUNCTIONS)('%s may read exactly its flag configuration, or nothing from AppConfig', (name) => {
    const appConfig = statementsOf(`${name}Role`).filter((statement) => JSON.stringify(statement.Action).includes('appconfig:'));
    // Actions sorted: the policy minimizer (cdk.json) orders them.
    expect(appConfig.map((statement) => ({ ...statement, Action: [statement.Action].flat().sort(), Resource: flatten(statement.Resource) }))).toEqual(
      FLAG_READERS.includes(name)
        ? [
            {
              Action: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
              Effect: 'Allow',
              Resource:
                'arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<FlagsApplication.ApplicationId>/environment/<FlagsEnvironment.EnvironmentId>/configuration/<FlagsProfile.ConfigurationProfileId>',
            },
          ]
        : [],
    );
  });
});

describe('tables', () => {
  it('stores items on demand with point-in-time recovery and a list index', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byCreatedAt' })],
      }),
    });
  });

  it('keeps idempotency records in their own table with TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});

describe('REST API', () => {
  it('throttles the stage with the rates from sprout.json, with access logs and tracing', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: sprout.options.throttleRateLimit,
          ThrottlingBurstLimit: sprout.options.throttleBurstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ]),
    });
  });

  it('validates bodies against JSON Schema models and required parameters', () => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const model of ['CreateItem', 'UpdateItem']) {
      template.hasResourceProperties('AWS::ApiGateway::Model', {
        Name: model,
        ContentType: 'application/json',
        Schema: Match.objectLike({ type: 'object', required: ['name'], additionalProperties: false }),
      });
    }
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'POST', 'PUT']);
    for (const method of methods) {
      expect(method.Properties.RequestValidatorId, method.Properties.HttpMethod).toBeDefined();
    }
    for (const verb of ['POST', 'PUT']) {
      const method = methods.find((m) => m.Properties.HttpMethod === verb)!;
      expect(Object.keys(method.Properties.RequestModels)).toEqual(['application/json']);
    }
    const withId = methods.filter((m) => m.Properties.RequestParameters?.['method.request.path.id'] === true);
    expect(withId.map((m) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'PUT']);
  });

  it('answers gateway errors in the same JSON error shape as the handlers', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((r) => r.Properties.ResponseType).sort()).toEqual(
      ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'DEFAULT_4XX', 'DEFAULT_5XX', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED'],
    );
    for (const response of responses) {
      const body = (response.Properties.ResponseTemplates['application/json'] as string).replace(
        /\$context\.error\.\w+/g,
        (variable) => (variable.endsWith('String') ? '"substituted"' : 'SUBSTITUTED'),
      );
      expect(JSON.parse(body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });
});

describe('options change the infrastructure without code changes', () => {
  it('applies other throttling, page size and removal policy values', () => {
    const custom = synth(
      { ...sprout, options: { throttleRateLimit: 7, throttleBurstLimit: 11, pageSize: 42, tableRemovalPolicy: 'destroy' } },
      { bundle: false },
    );
    custom.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 11 })]),
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEFAULT_PAGE_SIZE: '42' }) },
    });
    custom.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    });
  });
});
