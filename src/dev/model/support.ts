/** How `sprout dev` treats a CloudFormation resource type. */
export type SupportLevel = 'emulated' | 'ignored' | 'unsupported';

export interface Support {
  level: SupportLevel;
  /** One line for the start-up summary: what runs locally, or why nothing does. */
  reason: string;
}

const emulated = (reason: string): Support => ({ level: 'emulated', reason });
const ignored = (reason: string): Support => ({ level: 'ignored', reason });
const unsupported = (reason: string): Support => ({ level: 'unsupported', reason });

const NO_LOCAL_EFFECT_IAM = ignored('permissions are not enforced locally: every handler may call every local resource');

const exact: Record<string, Support> = {
  // Lambda
  'AWS::Lambda::Function': emulated('handlers run from their esbuild bundles in cdk.out'),
  'AWS::Lambda::Version': emulated('a version runs its function\'s current code'),
  'AWS::Lambda::Alias': emulated('an alias runs its function\'s current code'),
  'AWS::Lambda::EventSourceMapping': emulated('SQS and Kinesis records are polled and batched to the function'),
  'AWS::Lambda::EventInvokeConfig': emulated('async retries and on-success/on-failure destinations apply'),
  'AWS::Lambda::Url': unsupported('function URLs are not served locally: call the function through an API or the Lambda Invoke API'),
  'AWS::Lambda::Permission': ignored('resource policies are not enforced locally'),
  'AWS::Lambda::LayerVersion': ignored('layers are not mounted: bundles carry their dependencies (a layer-only dependency will be missing)'),
  // Storage and messaging
  'AWS::DynamoDB::Table': emulated('tables run in dynalite'),
  'AWS::DynamoDB::GlobalTable': emulated('the table runs in dynalite (one local replica)'),
  'AWS::S3::Bucket': emulated('buckets run in s3rver'),
  'AWS::S3::BucketPolicy': ignored('bucket policies are not enforced locally'),
  'Custom::S3BucketNotifications': emulated('object-created/removed notifications are sent to their targets'),
  'Custom::CDKBucketDeployment': emulated('the deployed files are copied into the local bucket'),
  'Custom::S3AutoDeleteObjects': ignored('empties a bucket when its stack is deleted: no local effect'),
  'AWS::SQS::Queue': emulated('queues run in-process (visibility, redrive to DLQ, FIFO groups)'),
  'AWS::SQS::QueuePolicy': ignored('queue policies are not enforced locally'),
  'AWS::SNS::Topic': emulated('topics fan out in-process to their subscriptions'),
  'AWS::SNS::Subscription': emulated('subscriptions (SQS, Lambda; filter policies) are delivered in-process'),
  'AWS::SNS::TopicPolicy': ignored('topic policies are not enforced locally'),
  'AWS::Events::EventBus': emulated('event buses run in-process'),
  'AWS::Events::Rule': emulated('event patterns and schedules are matched in-process'),
  'AWS::Events::EventBusPolicy': ignored('bus policies are not enforced locally'),
  'AWS::Kinesis::Stream': emulated('streams run in kinesalite'),
  'AWS::StepFunctions::StateMachine': emulated('state machines run with aws-local-stepfunctions'),
  // API Gateway
  'AWS::ApiGateway::RestApi': emulated('REST APIs are served on the local API port'),
  'AWS::ApiGateway::Resource': emulated('part of the local REST API'),
  'AWS::ApiGateway::Method': emulated('part of the local REST API'),
  'AWS::ApiGateway::Deployment': emulated('the local REST API always serves the latest deployment'),
  'AWS::ApiGateway::Stage': emulated('the stage name is part of local REST API paths'),
  'AWS::ApiGateway::Model': emulated('request bodies are validated against their models'),
  'AWS::ApiGateway::RequestValidator': emulated('request validation applies locally'),
  'AWS::ApiGateway::GatewayResponse': emulated('customized gateway responses apply locally'),
  'AWS::ApiGateway::Authorizer': emulated('Lambda authorizers run locally'),
  'AWS::ApiGateway::Account': ignored('the account\'s CloudWatch role has no local effect'),
  'AWS::ApiGateway::UsagePlan': ignored('usage plans and throttling are not applied locally'),
  'AWS::ApiGateway::UsagePlanKey': ignored('usage plans and throttling are not applied locally'),
  'AWS::ApiGateway::ApiKey': ignored('API keys are not checked locally'),
  'AWS::ApiGateway::DomainName': ignored('custom domains are not served locally: use the local API port'),
  'AWS::ApiGateway::BasePathMapping': ignored('custom domains are not served locally: use the local API port'),
  'AWS::ApiGatewayV2::Api': emulated('HTTP APIs are served on the local API port'),
  'AWS::ApiGatewayV2::Route': emulated('part of the local HTTP API'),
  'AWS::ApiGatewayV2::Integration': emulated('part of the local HTTP API'),
  'AWS::ApiGatewayV2::Stage': emulated('part of the local HTTP API'),
  'AWS::ApiGatewayV2::Authorizer': emulated('Lambda authorizers run locally'),
  'AWS::ApiGatewayV2::DomainName': ignored('custom domains are not served locally: use the local API port'),
  'AWS::ApiGatewayV2::ApiMapping': ignored('custom domains are not served locally: use the local API port'),
  // CloudFront
  'AWS::CloudFront::Distribution': emulated('served on the local CloudFront port (behaviors, edge functions, error pages)'),
  'AWS::CloudFront::CachePolicy': emulated('read by the local CloudFront (nothing is cached locally)'),
  'AWS::CloudFront::OriginRequestPolicy': emulated('read by the local CloudFront'),
  'AWS::CloudFront::ResponseHeadersPolicy': emulated('response headers are added by the local CloudFront'),
  'AWS::CloudFront::OriginAccessControl': emulated('the local CloudFront reads its bucket origins directly'),
  'AWS::CloudFront::CloudFrontOriginAccessIdentity': emulated('the local CloudFront reads its bucket origins directly'),
  'AWS::CloudFront::Function': emulated('viewer functions run on the local CloudFront'),
  // Feature flags
  'Custom::SproutInitialFeatureFlags': emulated('flags come from the local flags file'),
  'AWS::AppConfig::Application': emulated('flags come from the local flags file'),
  'AWS::AppConfig::Environment': emulated('flags come from the local flags file'),
  'AWS::AppConfig::ConfigurationProfile': emulated('flags come from the local flags file'),
  'AWS::AppConfig::DeploymentStrategy': emulated('flags come from the local flags file'),
  'AWS::AppConfig::HostedConfigurationVersion': emulated('flags come from the local flags file'),
  'AWS::AppConfig::Deployment': emulated('flags come from the local flags file'),
  'AWS::AppConfig::Extension': ignored('AppConfig extensions do not run locally'),
  'AWS::AppConfig::ExtensionAssociation': ignored('AppConfig extensions do not run locally'),
  // No local effect
  'AWS::IAM::Role': NO_LOCAL_EFFECT_IAM,
  'AWS::IAM::Policy': NO_LOCAL_EFFECT_IAM,
  'AWS::IAM::ManagedPolicy': NO_LOCAL_EFFECT_IAM,
  'AWS::IAM::InstanceProfile': NO_LOCAL_EFFECT_IAM,
  'AWS::IAM::ServiceLinkedRole': NO_LOCAL_EFFECT_IAM,
  'AWS::Logs::LogGroup': ignored('function logs print in the sprout dev terminal'),
  'AWS::Logs::SubscriptionFilter': ignored('log subscriptions are not delivered locally'),
  'AWS::Logs::MetricFilter': ignored('metrics are not collected locally'),
  'AWS::Logs::ResourcePolicy': ignored('log resource policies have no local effect'),
  'AWS::CloudWatch::Alarm': ignored('alarms and metrics are not evaluated locally'),
  'AWS::CloudWatch::CompositeAlarm': ignored('alarms and metrics are not evaluated locally'),
  'AWS::CloudWatch::Dashboard': ignored('dashboards have no local equivalent'),
  'AWS::KMS::Key': ignored('local data is not encrypted'),
  'AWS::KMS::Alias': ignored('local data is not encrypted'),
  'AWS::CDK::Metadata': ignored('CDK usage metadata'),
  'AWS::XRay::Group': ignored('traces are not collected locally'),
  'AWS::XRay::SamplingRule': ignored('traces are not collected locally'),
  'AWS::Route53::HostedZone': ignored('domains are not served locally: use the local ports'),
  'AWS::Route53::RecordSet': ignored('domains are not served locally: use the local ports'),
  'AWS::Route53::RecordSetGroup': ignored('domains are not served locally: use the local ports'),
  'AWS::CertificateManager::Certificate': ignored('domains and certificates are not served locally: local ports are plain HTTP'),
  'Custom::AWS': ignored('AwsCustomResource SDK calls are made at deploy time only, not locally'),
  'Custom::AcmValidationRecordsCleanup': ignored('certificate validation records are a deploy-time concern: domains are not served locally'),
  'Custom::CrossAccountZoneDelegation': ignored('DNS delegation has no local effect: domains are not served locally'),
  'Custom::LogRetention': ignored('log retention has no local effect'),
  'Custom::AWSCDKOpenIdConnectProvider': ignored('identity providers have no local effect'),
  // Listed as not emulated
  'AWS::Scheduler::Schedule': unsupported('EventBridge Scheduler schedules do not fire locally'),
  'AWS::Scheduler::ScheduleGroup': unsupported('EventBridge Scheduler schedules do not fire locally'),
  'AWS::Pipes::Pipe': unsupported('EventBridge Pipes do not run locally'),
  'AWS::AppSync::GraphQLApi': unsupported('AppSync APIs are not served locally'),
  'AWS::Glue::Database': unsupported('Glue catalogs are not emulated (query the data lake in AWS)'),
  'AWS::Glue::Table': unsupported('Glue catalogs are not emulated (query the data lake in AWS)'),
  'AWS::Glue::Crawler': unsupported('Glue crawlers do not run locally'),
  'AWS::Athena::WorkGroup': unsupported('Athena queries do not run locally'),
  'AWS::Athena::NamedQuery': unsupported('Athena queries do not run locally'),
  'AWS::SecretsManager::Secret': unsupported('secrets are not emulated: a handler reading one fails locally'),
  'AWS::SecretsManager::RotationSchedule': unsupported('secret rotation does not run locally'),
  'AWS::SecretsManager::SecretTargetAttachment': unsupported('secrets are not emulated'),
  'AWS::SSM::Parameter': unsupported('Parameter Store is not emulated: a handler reading a parameter fails locally'),
  'AWS::KinesisFirehose::DeliveryStream': unsupported('Firehose delivery streams do not run locally'),
};

/** Whole services: matched by the `AWS::<Service>::` prefix when the exact type is not listed above. */
const byService: Array<[string, Support]> = [
  ['AWS::Cognito::', unsupported('Cognito is not emulated: sign-in and JWT authorizers against a user pool do not work locally')],
  ['AWS::Glue::', unsupported('Glue is not emulated')],
  ['AWS::Athena::', unsupported('Athena is not emulated')],
  ['AWS::RDS::', unsupported('RDS databases are not emulated')],
  ['AWS::ECS::', unsupported('containers are not run locally')],
  ['AWS::EC2::', unsupported('networks and instances are not emulated')],
  ['AWS::ElasticLoadBalancingV2::', unsupported('load balancers are not emulated')],
  ['AWS::AppSync::', unsupported('AppSync APIs are not served locally')],
  ['AWS::Scheduler::', unsupported('EventBridge Scheduler schedules do not fire locally')],
  ['AWS::Pipes::', unsupported('EventBridge Pipes do not run locally')],
  ['AWS::WAFv2::', ignored('web ACLs are not applied locally')],
  ['AWS::WAF::', ignored('web ACLs are not applied locally')],
  ['AWS::XRay::', ignored('traces are not collected locally')],
  ['AWS::Route53::', ignored('domains are not served locally: use the local ports')],
  ['AWS::CertificateManager::', ignored('certificates are not used locally: local ports are plain HTTP')],
  ['AWS::IAM::', NO_LOCAL_EFFECT_IAM],
  ['AWS::CloudWatch::', ignored('metrics and alarms are not evaluated locally')],
  ['AWS::Logs::', ignored('function logs print in the sprout dev terminal')],
  ['Custom::CrossRegion', ignored('cross-region references resolve directly: every local resource is in one region')],
];

/** Whether `sprout dev` emulates, ignores or cannot run resources of this CloudFormation type, with the one-line reason to show. */
export function supportOf(type: string): Support {
  const known = exact[type];
  if (known) return known;
  for (const [prefix, support] of byService) if (type.startsWith(prefix)) return support;
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    return unsupported('custom resources run at deploy time only: whatever this one creates does not exist locally');
  }
  return unsupported('not emulated by sprout dev');
}

/**
 * A resource's support, where its properties matter more than its type: an event source
 * mapping reading a DynamoDB stream cannot run (dynalite has no streams).
 */
export function supportOfResource(resource: { type: string; properties?: Record<string, unknown> }): Support {
  if (resource.type === 'AWS::Lambda::EventSourceMapping') {
    const source = resource.properties?.['EventSourceArn'];
    if (typeof source === 'string' && source.startsWith('arn:aws:dynamodb:')) {
      return unsupported('DynamoDB stream consumers do not run locally (dynalite has no streams)');
    }
    if (typeof source === 'string' && !/^arn:aws:(sqs|kinesis):/.test(source)) {
      return unsupported(`event source ${source} is not polled locally (only SQS and Kinesis are)`);
    }
  }
  return supportOf(resource.type);
}

/** What the app has that is not emulated, grouped by type and reason with counts: what `sprout dev` lists at start (unsupported first). */
export function summarizeSupport(resources: Array<{ type: string; properties?: Record<string, unknown> }>): Array<{ type: string; count: number } & Support> {
  const groups = new Map<string, { type: string; count: number } & Support>();
  for (const resource of resources) {
    const support = supportOfResource(resource);
    if (support.level === 'emulated') continue;
    const key = `${resource.type}\u0000${support.reason}`;
    const group = groups.get(key) ?? { type: resource.type, count: 0, ...support };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => (a.level === b.level ? a.type.localeCompare(b.type) : a.level === 'unsupported' ? -1 : 1));
}
