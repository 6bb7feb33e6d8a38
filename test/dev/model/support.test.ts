import { describe, expect, it } from 'vitest';

import { summarizeSupport, supportOf, supportOfResource } from '../../../src/dev/model/support.js';

/** Every resource type the sprout patterns synthesize today (scanned from their cdk.out), with how sprout dev treats it. */
const PATTERN_TYPES: Record<string, 'emulated' | 'ignored' | 'unsupported'> = {
  'AWS::ApiGateway::Account': 'ignored',
  'AWS::ApiGateway::Authorizer': 'emulated',
  'AWS::ApiGateway::Deployment': 'emulated',
  'AWS::ApiGateway::GatewayResponse': 'emulated',
  'AWS::ApiGateway::Method': 'emulated',
  'AWS::ApiGateway::Model': 'emulated',
  'AWS::ApiGateway::RequestValidator': 'emulated',
  'AWS::ApiGateway::Resource': 'emulated',
  'AWS::ApiGateway::RestApi': 'emulated',
  'AWS::ApiGateway::Stage': 'emulated',
  'AWS::AppConfig::Application': 'emulated',
  'AWS::AppConfig::ConfigurationProfile': 'emulated',
  'AWS::AppConfig::DeploymentStrategy': 'emulated',
  'AWS::AppConfig::Environment': 'emulated',
  'AWS::Athena::NamedQuery': 'unsupported',
  'AWS::Athena::WorkGroup': 'unsupported',
  'AWS::CDK::Metadata': 'ignored',
  'AWS::CloudFront::CachePolicy': 'emulated',
  'AWS::CloudFront::Distribution': 'emulated',
  'AWS::CloudFront::Function': 'emulated',
  'AWS::CloudFront::OriginAccessControl': 'emulated',
  'AWS::CloudFront::OriginRequestPolicy': 'emulated',
  'AWS::CloudFront::ResponseHeadersPolicy': 'emulated',
  'AWS::CloudWatch::Alarm': 'ignored',
  'AWS::Cognito::UserPool': 'unsupported',
  'AWS::Cognito::UserPoolClient': 'unsupported',
  'AWS::Cognito::UserPoolDomain': 'unsupported',
  'AWS::DynamoDB::Table': 'emulated',
  'AWS::Glue::Database': 'unsupported',
  'AWS::Glue::Table': 'unsupported',
  'AWS::IAM::Policy': 'ignored',
  'AWS::IAM::Role': 'ignored',
  'AWS::KMS::Key': 'ignored',
  'AWS::Kinesis::Stream': 'emulated',
  'AWS::Lambda::EventInvokeConfig': 'emulated',
  'AWS::Lambda::EventSourceMapping': 'emulated',
  'AWS::Lambda::Function': 'emulated',
  'AWS::Lambda::LayerVersion': 'ignored',
  'AWS::Lambda::Permission': 'ignored',
  'AWS::Lambda::Version': 'emulated',
  'AWS::Logs::LogGroup': 'ignored',
  'AWS::S3::Bucket': 'emulated',
  'AWS::S3::BucketPolicy': 'ignored',
  'AWS::SNS::Subscription': 'emulated',
  'AWS::SNS::Topic': 'emulated',
  'AWS::SNS::TopicPolicy': 'ignored',
  'AWS::SQS::Queue': 'emulated',
  'AWS::SQS::QueuePolicy': 'ignored',
  'AWS::SecretsManager::RotationSchedule': 'unsupported',
  'AWS::SecretsManager::Secret': 'unsupported',
  'AWS::StepFunctions::StateMachine': 'emulated',
  'Custom::CDKBucketDeployment': 'emulated',
  'Custom::S3AutoDeleteObjects': 'ignored',
  'Custom::S3BucketNotifications': 'emulated',
  'Custom::SproutInitialFeatureFlags': 'emulated',
};

describe('supportOf', () => {
  it.each(Object.entries(PATTERN_TYPES))('%s is %s, with a reason', (type, level) => {
    const support = supportOf(type);
    expect(support.level).toBe(level);
    expect(support.reason.length).toBeGreaterThan(10);
    expect(support.reason).not.toContain('\n');
  });

  it('classifies whole services and unknown types', () => {
    expect(supportOf('AWS::RDS::DBCluster').level).toBe('unsupported');
    expect(supportOf('AWS::ECS::Service').level).toBe('unsupported');
    expect(supportOf('AWS::Scheduler::Schedule').level).toBe('unsupported');
    expect(supportOf('AWS::Pipes::Pipe').level).toBe('unsupported');
    expect(supportOf('AWS::AppSync::GraphQLApi').level).toBe('unsupported');
    expect(supportOf('AWS::WAFv2::WebACL').level).toBe('ignored');
    expect(supportOf('AWS::Route53::RecordSet').reason).toMatch(/not served locally/);
    expect(supportOf('AWS::CertificateManager::Certificate').level).toBe('ignored');
    expect(supportOf('Custom::AWS').level).toBe('ignored');
    expect(supportOf('Custom::CrossRegionExportWriter').level).toBe('ignored');
    expect(supportOf('Custom::SomethingElse').level).toBe('unsupported');
    // the microservices platform's domain plumbing
    expect(supportOf('Custom::AcmValidationRecordsCleanup').level).toBe('ignored');
    expect(supportOf('Custom::CrossAccountZoneDelegation').level).toBe('ignored');
    expect(supportOf('AWS::ApiGateway::DomainName').level).toBe('ignored');
    expect(supportOf('AWS::ApiGatewayV2::ApiMapping').level).toBe('ignored');
    expect(supportOf('AWS::Made::Up')).toEqual({ level: 'unsupported', reason: 'not emulated by sprout dev' });
  });
});

describe('supportOfResource', () => {
  it('lists DynamoDB stream consumers as unsupported (dynalite has no streams), SQS and Kinesis mappings as emulated', () => {
    const mapping = (EventSourceArn: string) => ({ type: 'AWS::Lambda::EventSourceMapping', properties: { EventSourceArn } });
    expect(supportOfResource(mapping('arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000'))).toMatchObject({ level: 'unsupported', reason: expect.stringMatching(/dynalite/) });
    expect(supportOfResource(mapping('arn:aws:sqs:us-east-1:000000000000:q')).level).toBe('emulated');
    expect(supportOfResource(mapping('arn:aws:kinesis:us-east-1:000000000000:stream/s')).level).toBe('emulated');
    expect(supportOfResource(mapping('arn:aws:kafka:us-east-1:000000000000:cluster/c')).level).toBe('unsupported');
  });
});

describe('summarizeSupport', () => {
  it('groups what is not emulated, unsupported first, with counts', () => {
    const summary = summarizeSupport([
      { type: 'AWS::Lambda::Function' },
      { type: 'AWS::IAM::Role' },
      { type: 'AWS::IAM::Role' },
      { type: 'AWS::Cognito::UserPool' },
    ]);
    expect(summary.map(({ type, count, level }) => ({ type, count, level }))).toEqual([
      { type: 'AWS::Cognito::UserPool', count: 1, level: 'unsupported' },
      { type: 'AWS::IAM::Role', count: 2, level: 'ignored' },
    ]);
  });
});
