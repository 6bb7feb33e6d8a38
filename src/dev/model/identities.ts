import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from '../types.js';
import { arn, bucketName, generatedName, lowerId, serviceOfType, stableId, stableUuid, upperId } from './naming.js';

/** What Ref and Fn::GetAtt give for one resource, locally. */
export interface LocalIdentity {
  ref: string;
  attributes: Record<string, string>;
}

export interface IdentityInput {
  stack: string;
  logicalId: string;
  type: string;
  /** One property of the resource, resolved (an `{ unresolved }` marker or undefined when it has none). */
  property(name: string): unknown;
  endpoints: LocalEndpoints;
  /** For AWS::Lambda::Version: its number among the versions of its function, in template order (1, 2, ...). */
  versionNumber?: () => number;
}

/** The DynamoDB stream label every local table with a stream gets. */
export const LOCAL_STREAM_LABEL = '2026-01-01T00:00:00.000';

type IdentityRule = (input: IdentityInput, helpers: Helpers) => LocalIdentity;

interface Helpers {
  /** The explicit name property when it is a plain string, else the generated `<stack>-<logicalId>` cut to `max`. */
  name(property: string, max: number, suffix?: string): string;
  /** A stable id of this resource (lowercase alnum unless told). */
  id(length: number, salt?: string, alphabet?: 'lower' | 'upper' | 'mixed'): string;
  text(property: string): string | undefined;
}

const lambdaArn = (resource: string) => arn('lambda', resource);

/** `my-fn`, `arn:aws:lambda:...:function:my-fn` or `...:function:my-fn:live` → the unqualified function ARN. */
export function functionArnOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) {
    // "my-fn" or the partial form "123456789012:function:my-fn"
    const parts = nameOrArn.split(':');
    return lambdaArn(`function:${parts.length >= 3 ? parts[2] : parts[0]}`);
  }
  return nameOrArn.split(':').slice(0, 7).join(':');
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

const rules: Record<string, IdentityRule> = {
  'AWS::Lambda::Function': (_, h) => {
    const name = h.name('FunctionName', 64);
    return { ref: name, attributes: { Arn: lambdaArn(`function:${name}`) } };
  },
  'AWS::Lambda::Version': (input, h) => {
    const functionArn = functionArnOf(h.text('FunctionName') ?? generatedName(input.stack, input.logicalId, 64));
    const version = String(input.versionNumber?.() ?? 1);
    const versionArn = `${functionArn}:${version}`;
    return { ref: versionArn, attributes: { Version: version, FunctionArn: versionArn } };
  },
  'AWS::Lambda::Alias': (input, h) => {
    const functionArn = functionArnOf(h.text('FunctionName') ?? generatedName(input.stack, input.logicalId, 64));
    const aliasArn = `${functionArn}:${h.text('Name') ?? 'live'}`;
    return { ref: aliasArn, attributes: { AliasArn: aliasArn } };
  },
  'AWS::Lambda::Url': (input, h) => {
    const target = h.text('TargetFunctionArn');
    const qualifier = h.text('Qualifier');
    const functionArn = target ? functionArnOf(target) + (qualifier ? `:${qualifier}` : '') : lambdaArn(`function:${input.stack}-${input.logicalId}`);
    return { ref: functionArn, attributes: { FunctionArn: functionArn, FunctionUrl: `https://${h.id(32)}.lambda-url.${LOCAL_REGION}.on.aws/` } };
  },
  'AWS::Lambda::LayerVersion': (_, h) => {
    const layerArn = lambdaArn(`layer:${h.name('LayerName', 140)}:1`);
    return { ref: layerArn, attributes: { LayerVersionArn: layerArn } };
  },
  'AWS::Lambda::EventSourceMapping': (input) => {
    const uuid = stableUuid(input.stack, input.logicalId);
    return { ref: uuid, attributes: { Id: uuid, EventSourceMappingArn: lambdaArn(`event-source-mapping:${uuid}`) } };
  },
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::DynamoDB::GlobalTable': dynamoTable,
  'AWS::S3::Bucket': (input, h) => {
    const name = h.text('BucketName') ?? bucketName(input.stack, input.logicalId);
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${LOCAL_REGION}.amazonaws.com`,
        DualStackDomainName: `${name}.s3.dualstack.${LOCAL_REGION}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website-${LOCAL_REGION}.amazonaws.com`,
      },
    };
  },
  'AWS::SQS::Queue': (input, h) => {
    const fifo = isTrue(input.property('FifoQueue'));
    const name = h.name('QueueName', 80, fifo ? '.fifo' : '');
    const url = `${input.endpoints.aws.replace(/\/+$/, '')}/${LOCAL_ACCOUNT}/${name}`;
    return { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
  },
  'AWS::SNS::Topic': (input, h) => {
    const fifo = isTrue(input.property('FifoTopic'));
    const name = h.name('TopicName', 256, fifo ? '.fifo' : '');
    const topicArn = arn('sns', name);
    return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  },
  'AWS::SNS::Subscription': (input, h) => {
    const topicArn = h.text('TopicArn') ?? arn('sns', `${input.stack}-${input.logicalId}`);
    const subscriptionArn = `${topicArn}:${stableUuid(input.stack, input.logicalId)}`;
    return { ref: subscriptionArn, attributes: { Arn: subscriptionArn } };
  },
  'AWS::Events::EventBus': (_, h) => {
    const name = h.name('Name', 256);
    return { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } };
  },
  'AWS::Events::Rule': (_, h) => {
    const name = h.name('Name', 64);
    const bus = busName(h.text('EventBusName'));
    const ruleArn = arn('events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
    return { ref: name, attributes: { Arn: ruleArn } };
  },
  'AWS::Kinesis::Stream': (_, h) => {
    const name = h.name('Name', 128);
    return { ref: name, attributes: { Arn: arn('kinesis', `stream/${name}`) } };
  },
  'AWS::StepFunctions::StateMachine': (_, h) => {
    const name = h.name('StateMachineName', 80);
    const machineArn = arn('states', `stateMachine:${name}`);
    return { ref: machineArn, attributes: { Arn: machineArn, Name: name, StateMachineName: name, StateMachineRevisionId: machineArn } };
  },
  'AWS::StepFunctions::Activity': (_, h) => {
    const name = h.name('Name', 80);
    const activityArn = arn('states', `activity:${name}`);
    return { ref: activityArn, attributes: { Arn: activityArn, Name: name } };
  },
  'AWS::ApiGateway::RestApi': (_, h) => {
    const id = h.id(10);
    return { ref: id, attributes: { RestApiId: id, RootResourceId: h.id(10, 'root') } };
  },
  'AWS::ApiGateway::Resource': idRule(6, 'ResourceId'),
  'AWS::ApiGateway::Deployment': idRule(6, 'DeploymentId'),
  'AWS::ApiGateway::Authorizer': idRule(6, 'AuthorizerId'),
  'AWS::ApiGateway::RequestValidator': idRule(6, 'RequestValidatorId'),
  'AWS::ApiGateway::GatewayResponse': idRule(6, 'Id'),
  'AWS::ApiGateway::Method': idRule(6, 'Id'),
  'AWS::ApiGateway::ApiKey': idRule(10, 'APIKeyId'),
  'AWS::ApiGateway::UsagePlan': idRule(6, 'Id'),
  'AWS::ApiGateway::Stage': (_, h) => ({ ref: h.name('StageName', 128), attributes: {} }),
  'AWS::ApiGateway::Model': (_, h) => ({ ref: h.name('Name', 128), attributes: {} }),
  'AWS::ApiGatewayV2::Api': (_, h) => {
    const id = h.id(10);
    return { ref: id, attributes: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${LOCAL_REGION}.amazonaws.com` } };
  },
  'AWS::ApiGatewayV2::Route': idRule(7, 'RouteId'),
  'AWS::ApiGatewayV2::Integration': idRule(7, 'IntegrationId'),
  'AWS::ApiGatewayV2::Authorizer': idRule(6, 'AuthorizerId'),
  'AWS::ApiGatewayV2::Stage': (_, h) => ({ ref: h.name('StageName', 128), attributes: {} }),
  'AWS::CloudFront::Distribution': (_, h) => {
    const id = `E${h.id(13, undefined, 'upper')}`;
    return { ref: id, attributes: { Id: id, DomainName: `${id.toLowerCase()}.cloudfront.net` } };
  },
  'AWS::CloudFront::CachePolicy': uuidRule('Id'),
  'AWS::CloudFront::OriginRequestPolicy': uuidRule('Id'),
  'AWS::CloudFront::ResponseHeadersPolicy': uuidRule('Id'),
  'AWS::CloudFront::OriginAccessControl': (_, h) => {
    const id = `E${h.id(13, undefined, 'upper')}`;
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::CloudFront::CloudFrontOriginAccessIdentity': (_, h) => {
    const id = `E${h.id(13, undefined, 'upper')}`;
    return { ref: id, attributes: { Id: id, S3CanonicalUserId: h.id(64, 'canonical') } };
  },
  'AWS::CloudFront::Function': (input, h) => {
    const name = h.name('Name', 64);
    const functionArn = `arn:aws:cloudfront::${LOCAL_ACCOUNT}:function/${name}`;
    const stage = isTrue(input.property('AutoPublish')) ? 'LIVE' : 'DEVELOPMENT';
    return { ref: functionArn, attributes: { FunctionARN: functionArn, 'FunctionMetadata.FunctionARN': functionArn, Stage: stage } };
  },
  'AWS::IAM::Role': (_, h) => {
    const name = h.name('RoleName', 64);
    const path = h.text('Path') ?? '/';
    return { ref: name, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role${path}${name}`, RoleId: `AROA${h.id(17, undefined, 'upper')}` } };
  },
  'AWS::IAM::ManagedPolicy': (_, h) => {
    const policyArn = `arn:aws:iam::${LOCAL_ACCOUNT}:policy${h.text('Path') ?? '/'}${h.name('ManagedPolicyName', 128)}`;
    return { ref: policyArn, attributes: { PolicyArn: policyArn } };
  },
  'AWS::IAM::User': (_, h) => {
    const name = h.name('UserName', 64);
    return { ref: name, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user${h.text('Path') ?? '/'}${name}` } };
  },
  'AWS::Logs::LogGroup': (_, h) => {
    const name = h.name('LogGroupName', 512);
    return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
  },
  'AWS::AppConfig::Application': idRule(7, 'ApplicationId'),
  'AWS::AppConfig::Environment': idRule(7, 'EnvironmentId'),
  'AWS::AppConfig::ConfigurationProfile': idRule(7, 'ConfigurationProfileId'),
  'AWS::AppConfig::DeploymentStrategy': idRule(7, 'Id'),
  'AWS::Cognito::UserPool': (_, h) => {
    const id = `${LOCAL_REGION}_${h.id(9, undefined, 'mixed')}`;
    return {
      ref: id,
      attributes: {
        UserPoolId: id,
        Arn: arn('cognito-idp', `userpool/${id}`),
        ProviderName: `cognito-idp.${LOCAL_REGION}.amazonaws.com/${id}`,
        ProviderURL: `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${id}`,
      },
    };
  },
  'AWS::Cognito::UserPoolClient': idRule(26, 'ClientId'),
  'AWS::Cognito::UserPoolDomain': (_, h) => ({ ref: h.name('Domain', 63), attributes: {} }),
  'AWS::KMS::Key': (input) => {
    const id = stableUuid(input.stack, input.logicalId);
    return { ref: id, attributes: { KeyId: id, Arn: arn('kms', `key/${id}`) } };
  },
  'AWS::KMS::Alias': (_, h) => ({ ref: h.name('AliasName', 256), attributes: {} }),
  'AWS::SecretsManager::Secret': (_, h) => {
    const secretArn = arn('secretsmanager', `secret:${h.name('Name', 512)}-${h.id(6, 'suffix', 'mixed')}`);
    return { ref: secretArn, attributes: { Id: secretArn } };
  },
  'AWS::SSM::Parameter': (_, h) => {
    const name = h.name('Name', 1011);
    const value = h.text('Value');
    return { ref: name, attributes: { Type: h.text('Type') ?? 'String', ...(value !== undefined ? { Value: value } : {}) } };
  },
  'AWS::Glue::Database': (input) => {
    const name = nestedName(input.property('DatabaseInput')) ?? generatedName(input.stack, input.logicalId, 255).toLowerCase();
    return { ref: name, attributes: {} };
  },
  'AWS::Glue::Table': (input) => {
    const name = nestedName(input.property('TableInput')) ?? generatedName(input.stack, input.logicalId, 255).toLowerCase();
    return { ref: name, attributes: {} };
  },
  'AWS::Athena::WorkGroup': (_, h) => ({ ref: h.name('Name', 128), attributes: {} }),
  'AWS::Athena::NamedQuery': idRule(36, 'NamedQueryId'),
};

function dynamoTable(input: IdentityInput, h: Helpers): LocalIdentity {
  const name = h.name('TableName', 255);
  const tableArn = arn('dynamodb', `table/${name}`);
  const stream = input.property('StreamSpecification');
  const hasStream = typeof stream === 'object' && stream !== null && !('unresolved' in stream);
  return { ref: name, attributes: { Arn: tableArn, ...(hasStream ? { StreamArn: `${tableArn}/stream/${LOCAL_STREAM_LABEL}` } : {}) } };
}

function idRule(length: number, attribute: string): IdentityRule {
  return (_, h) => {
    const id = h.id(length);
    return { ref: id, attributes: { [attribute]: id } };
  };
}

function uuidRule(attribute: string): IdentityRule {
  return (input) => {
    const id = stableUuid(input.stack, input.logicalId);
    return { ref: id, attributes: { [attribute]: id, LastModifiedTime: '2026-01-01T00:00:00.000Z' } };
  };
}

function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const marker = nameOrArn.indexOf(':event-bus/');
  return marker >= 0 ? nameOrArn.slice(marker + ':event-bus/'.length) : nameOrArn;
}

function nestedName(input: unknown): string | undefined {
  const name = (input as { Name?: unknown } | undefined)?.Name;
  return typeof name === 'string' && name ? name : undefined;
}

/**
 * The local Ref and attributes of a resource: AWS's real formats, with the local account and
 * region, names that are the explicit name property or `<stack>-<logicalId>`, and ids derived
 * from stack and logical id so they are stable across restarts.
 */
export function localIdentity(input: IdentityInput): LocalIdentity {
  const helpers: Helpers = {
    text(property) {
      const value = input.property(property);
      return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
    },
    name(property, max, suffix = '') {
      return helpers.text(property) ?? generatedName(input.stack, input.logicalId, max, suffix);
    },
    id(length, salt, alphabet = 'lower') {
      const parts = salt ? [input.stack, input.logicalId, salt] : [input.stack, input.logicalId];
      if (alphabet === 'upper') return upperId(length, ...parts);
      if (alphabet === 'mixed') return stableId(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', ...parts);
      return lowerId(length, ...parts);
    },
  };
  const rule = rules[input.type];
  if (rule) return rule(input, helpers);
  const ref = generatedName(input.stack, input.logicalId, 255);
  if (input.type.startsWith('Custom::') || input.type === 'AWS::CloudFormation::CustomResource') return { ref, attributes: {} };
  return { ref, attributes: { Arn: arn(serviceOfType(input.type), ref) } };
}
