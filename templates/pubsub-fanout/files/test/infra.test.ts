import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../infra/config.js';
import { BATCH_SIZE, MAX_RECEIVE_COUNT } from '../infra/constructs/image-fanout.js';
import { ImageFanoutStack } from '../infra/stacks/image-fanout-stack.js';
import { initialFlags } from '../src/lib/flags.js';
import { filterPolicySuffixes } from '../src/lib/image-types.js';
import { encodeAppConfig } from '../src/sprout/flags/codec.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const apps: TestApp[] = [];

function synth(sproutFile = sprout, { bundle = true } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig(sproutFile);
  return Template.fromStack(new ImageFanoutStack(test.app, config.stackName, { config }));
}

let template: Template;
beforeAll(() => {
  template = synth();
});
afterAll(() => {
  for (const app of apps) app.cleanUp();
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };
const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const byPrefix = (type: string, prefix: string, t = template): [string, Resource] => {
  const matches = resources(t, type).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0]!;
};
const ref = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

const JOBS = ['Resize', 'Thumbnail', 'Metadata'] as const;

/** Every statement of the policies attached to one role. */
function statementsOf(rolePrefix: string, t = template): Array<{ Action: string | string[]; Effect: string; Resource: unknown }> {
  const [roleId] = byPrefix('AWS::IAM::Role', rolePrefix, t);
  return resources(t, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
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

describe('asynchronous consumers', () => {
  it('every SQS consumer reports partial batch failures, has a DLQ and a visibility timeout of at least 6 × its timeout', () => {
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it.each(JOBS)(`%s: its queue, its dead-letter queue after ${MAX_RECEIVE_COUNT} receives, and its function polling it`, (job) => {
    const [queueId, queue] = byPrefix('AWS::SQS::Queue', `Fanout${job}Queue`);
    const [dlqId] = byPrefix('AWS::SQS::Queue', `Fanout${job}DeadLetters`);
    const [functionId, fn] = byPrefix('AWS::Lambda::Function', `Fanout${job}Function`);
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: 6 * sprout.options.consumerTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: ref(dlqId), maxReceiveCount: MAX_RECEIVE_COUNT },
      SqsManagedSseEnabled: true,
    });
    expect(fn.Properties.Timeout).toBe(sprout.options.consumerTimeoutSeconds);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: ref(queueId),
      FunctionName: { Ref: functionId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: BATCH_SIZE,
    });
    // The dead-letter queue keeps failed messages for SQS's maximum, 14 days.
    expect(byPrefix('AWS::SQS::Queue', `Fanout${job}DeadLetters`)[1].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('alarms on each dead-letter queue as soon as it holds a message', () => {
    for (const job of JOBS) {
      const [dlqId] = byPrefix('AWS::SQS::Queue', `Fanout${job}DeadLetters`);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describe('fan-out: S3 → SNS → SQS', () => {
  it('publishes every object created in the input bucket to the topic, through aws-cdk-lib\'s notification resource', () => {
    const [inputId] = byPrefix('AWS::S3::Bucket', 'FanoutInput');
    const [topicId] = byPrefix('AWS::SNS::Topic', 'FanoutUploads');
    const [, notifications] = byPrefix('Custom::S3BucketNotifications', 'FanoutInputNotifications');
    expect(notifications.Properties).toMatchObject({
      BucketName: { Ref: inputId },
      NotificationConfiguration: { TopicConfigurations: [{ Events: ['s3:ObjectCreated:*'], TopicArn: { Ref: topicId } }] },
    });
    // S3 checks that it may publish when the configuration is written: the topic policy must exist first.
    const [policyId] = byPrefix('AWS::SNS::TopicPolicy', 'FanoutUploadsPolicy');
    expect(notifications.DependsOn).toContain(policyId);
  });

  it('lets S3 publish only for the input bucket of this account, and refuses publishing without TLS', () => {
    const [inputId] = byPrefix('AWS::S3::Bucket', 'FanoutInput');
    const [, policy] = byPrefix('AWS::SNS::TopicPolicy', 'FanoutUploadsPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnLike: { 'aws:SourceArn': ref(inputId) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('encrypts the topic with its own rotating KMS key, which S3 may use to publish', () => {
    const [keyId, key] = byPrefix('AWS::KMS::Key', 'FanoutTopicKey');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: ref(keyId) });
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 's3.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
    );
  });

  it.each(JOBS)('subscribes the %s queue with raw delivery, a body filter on image keys, and a delivery dead-letter queue', (job) => {
    const [queueId] = byPrefix('AWS::SQS::Queue', `Fanout${job}Queue`);
    const [failuresId] = byPrefix('AWS::SQS::Queue', 'FanoutDeliveryFailures');
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: ref(queueId),
      RawMessageDelivery: true,
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { Records: { s3: { object: { key: filterPolicySuffixes().map((suffix) => ({ suffix })) } } } },
      RedrivePolicy: { deadLetterTargetArn: ref(failuresId) },
    });
  });

  it('lets the topic, and only the topic, send to each queue', () => {
    const [topicId] = byPrefix('AWS::SNS::Topic', 'FanoutUploads');
    for (const job of [...JOBS.map((j) => `${j}Queue`), 'DeliveryFailures']) {
      const [queueId] = byPrefix('AWS::SQS::Queue', `Fanout${job}`);
      const [, policy] = resources(template, 'AWS::SQS::QueuePolicy').find(([, p]) => p.Properties.Queues.some((q: { Ref: string }) => q.Ref === queueId))!;
      const allows = policy.Properties.PolicyDocument.Statement.filter((s: { Effect: string }) => s.Effect === 'Allow');
      expect(allows, job).toEqual([
        expect.objectContaining({ Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId } } } }),
      ]);
    }
  });
});

describe('functions', () => {
  it('deploys three consumers on Node.js 24, arm64, with one vCPU (1,769 MB) and active tracing', () => {
    for (const job of JOBS) {
      const [, fn] = byPrefix('AWS::Lambda::Function', `Fanout${job}Function`);
      expect(fn.Properties, job).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1769, TracingConfig: { Mode: 'Active' } });
    }
  });

  it('gives each function the output bucket and its options from sprout.json', () => {
    const [outputId] = byPrefix('AWS::S3::Bucket', 'FanoutOutput');
    const env = (job: string) => byPrefix('AWS::Lambda::Function', `Fanout${job}Function`)[1].Properties.Environment.Variables;
    expect(env('Resize')).toMatchObject({ OUTPUT_BUCKET: { Ref: outputId }, RESIZE_WIDTH: String(sprout.options.resizeWidth), OUTPUT_FORMAT: sprout.options.outputFormat });
    expect(env('Thumbnail')).toMatchObject({ OUTPUT_BUCKET: { Ref: outputId }, THUMBNAIL_SIZE: String(sprout.options.thumbnailSize), OUTPUT_FORMAT: sprout.options.outputFormat });
    expect(env('Metadata')).toMatchObject({ OUTPUT_BUCKET: { Ref: outputId } });
  });
});

describe('least privilege', () => {
  it.each([
    ['Resize', 'resized/'],
    ['Thumbnail', 'thumbnails/'],
    ['Metadata', 'metadata/'],
  ])('%s reads uploads, consumes its own queue and writes only under %s', (job, prefix) => {
    const permissions = statementsOf(`Fanout${job}Role`)
      .filter((statement) => !JSON.stringify(statement.Action).match(/logs:|xray:|appconfig:/))
      .flatMap((statement) => [statement.Action].flat().map((action) => `${action} on ${flatten(statement.Resource)}`))
      .sort();
    expect(permissions).toEqual(
      [
        's3:GetObject on <FanoutInput.Arn>/*',
        's3:ListBucket on <FanoutInput.Arn>',
        `s3:PutObject on <FanoutOutput.Arn>/${prefix}*`,
        ...['ChangeMessageVisibility', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl', 'ReceiveMessage'].map((a) => `sqs:${a} on <Fanout${job}Queue.Arn>`),
      ].sort(),
    );
  });

  it('uses Resource "*" only for X-Ray, and for the bucket notification handler that aws-cdk-lib writes', () => {
    for (const [id, policy] of resources(template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if ([statement.Resource].flat().some((resource: unknown) => flatten(resource) === '*')) {
          const actions = [statement.Action].flat();
          if (id.startsWith('BucketNotificationsHandler')) expect(actions).toEqual(['s3:PutBucketNotification']);
          else expect(actions.every((action: string) => action.startsWith('xray:')), id).toBe(true);
        }
      }
    }
  });

  it('blocks public access to all buckets, requires TLS and keeps the uploads and results when the stack is deleted', () => {
    for (const [id, bucket] of resources(template, 'AWS::S3::Bucket')) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.DeletionPolicy, id).toBe('Retain');
    }
    for (const [, policy] of resources(template, 'AWS::S3::BucketPolicy')) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'input/' } });
  });
});

describe('feature flags (sprout flags)', () => {
  it('stores them in an AppConfig hosted feature flag profile, first written with the sample flag', () => {
    template.hasResourceProperties('AWS::AppConfig::Environment', { Name: sprout.defaultStage });
    template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { Type: 'AWS.AppConfig.FeatureFlags', LocationUri: 'hosted' });
    template.hasResourceProperties('Custom::SproutInitialFeatureFlags', { Content: encodeAppConfig(initialFlags) });
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(expect.arrayContaining(['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']));
  });

  it.each(JOBS)('%s may read the flags only if it evaluates them (metadata does)', (job) => {
    const variables = byPrefix('AWS::Lambda::Function', `Fanout${job}Function`)[1].Properties.Environment.Variables;
    const appConfig = statementsOf(`Fanout${job}Role`).filter((statement) => JSON.stringify(statement.Action).includes('appconfig:'));
    if (job === 'Metadata') {
      expect(Object.keys(variables)).toEqual(expect.arrayContaining(['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']));
      expect(appConfig.map((s) => [s.Action].flat().sort())).toEqual([['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession']]);
    } else {
      expect(Object.keys(variables).filter((name) => name.startsWith('SPROUT_FLAGS'))).toEqual([]);
      expect(appConfig).toEqual([]);
    }
  });
});

describe('options change the infrastructure without code changes', () => {
  const custom = { resizeWidth: 800, thumbnailSize: 96, outputFormat: 'png', consumerTimeoutSeconds: 120 };
  let other: Template;
  beforeAll(() => {
    other = synth({ ...sprout, options: custom }, { bundle: false });
  });

  it('sets the timeouts, visibility timeouts, sizes and format from sprout.json', () => {
    for (const job of JOBS) {
      expect(byPrefix('AWS::Lambda::Function', `Fanout${job}Function`, other)[1].Properties.Timeout).toBe(120);
      expect(byPrefix('AWS::SQS::Queue', `Fanout${job}Queue`, other)[1].Properties.VisibilityTimeout).toBe(720);
    }
    const env = (job: string) => byPrefix('AWS::Lambda::Function', `Fanout${job}Function`, other)[1].Properties.Environment.Variables;
    expect(env('Resize')).toMatchObject({ RESIZE_WIDTH: '800', OUTPUT_FORMAT: 'png' });
    expect(env('Thumbnail')).toMatchObject({ THUMBNAIL_SIZE: '96', OUTPUT_FORMAT: 'png' });
  });

  it.each([1, 30, 900])('keeps every consumer sound with a %s s timeout (visibility timeout within SQS\'s 12 hours)', (seconds) => {
    const variant = seconds === 120 ? other : synth({ ...sprout, options: { ...custom, consumerTimeoutSeconds: seconds } }, { bundle: false });
    expect(asyncConsumerProblems(variant)).toEqual([]);
    for (const job of JOBS) expect(byPrefix('AWS::SQS::Queue', `Fanout${job}Queue`, variant)[1].Properties.VisibilityTimeout).toBeLessThanOrEqual(43_200);
  });
});
