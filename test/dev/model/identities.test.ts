import { describe, expect, it } from 'vitest';

import { appOf, resource } from './helpers.js';

const ACCOUNT = '000000000000';

describe('local identities', () => {
  it('Lambda functions: Ref is the name, Arn the function ARN; explicit FunctionName wins', () => {
    const app = appOf({
      'shop-local': {
        Resources: {
          Handler1A2B: { Type: 'AWS::Lambda::Function', Properties: {} },
          Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'checkout' } },
        },
      },
    });
    expect(resource(app, 'Handler1A2B').ref).toBe('shop-local-Handler1A2B');
    expect(resource(app, 'Handler1A2B').attributes.Arn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:shop-local-Handler1A2B`);
    expect(resource(app, 'Named').ref).toBe('checkout');
  });

  it('generated names longer than the service allows are cut with a hash suffix, distinct per logical id', () => {
    const long = 'A'.repeat(70);
    const app = appOf({ 'shop-local': { Resources: { [`${long}1`]: { Type: 'AWS::Lambda::Function' }, [`${long}2`]: { Type: 'AWS::Lambda::Function' } } } });
    const [first, second] = app.ofType('AWS::Lambda::Function').map((item) => item.ref);
    expect(first!.length).toBe(64);
    expect(second!.length).toBe(64);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^shop-local-A+-[0-9a-f]{8}$/);
  });

  it('Lambda versions: Ref is the version ARN, numbered per function in template order; aliases qualify by name', () => {
    const app = appOf({
      s: {
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function' },
          Other: { Type: 'AWS::Lambda::Function' },
          V1: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' } } },
          OtherV: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Other' } } },
          V2: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
          Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: { 'Fn::GetAtt': ['V2', 'Version'] }, Name: 'live' } },
        },
      },
    });
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:s-Fn`;
    expect(resource(app, 'V1').ref).toBe(`${fnArn}:1`);
    expect(resource(app, 'V1').attributes.Version).toBe('1');
    expect(resource(app, 'OtherV').ref).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:s-Other:1`);
    expect(resource(app, 'V2').ref).toBe(`${fnArn}:2`);
    expect(resource(app, 'Live').ref).toBe(`${fnArn}:live`);
    expect(resource(app, 'Live').properties.FunctionVersion).toBe('2');
    expect(app.find(`${fnArn}:2`)?.logicalId).toBe('V2');
    // a qualifier without a resource of its own is the function
    expect(app.find(`${fnArn}:$LATEST`)?.logicalId).toBe('Fn');
  });

  it('DynamoDB tables: name, ARN, and a StreamArn only with a StreamSpecification', () => {
    const app = appOf({
      s: {
        Resources: {
          Plain: { Type: 'AWS::DynamoDB::Table', Properties: {} },
          Streamed: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'orders', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } } },
        },
      },
    });
    expect(resource(app, 'Plain').ref).toBe('s-Plain');
    expect(resource(app, 'Plain').attributes).toEqual({ Arn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/s-Plain` });
    expect(resource(app, 'Streamed').attributes.StreamArn).toBe(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/stream/2026-01-01T00:00:00.000`);
  });

  it('S3 buckets: lowercase valid names (≤63), ARN and domain names', () => {
    const app = appOf({
      'Shop-Local': {
        Resources: {
          SiteBucket978D4AEB: { Type: 'AWS::S3::Bucket' },
          [`Very${'Long'.repeat(20)}Bucket`]: { Type: 'AWS::S3::Bucket' },
          Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'sprout-releases-a330019cd115' } },
        },
      },
    });
    const site = resource(app, 'SiteBucket978D4AEB');
    expect(site.ref).toBe('shop-local-sitebucket978d4aeb');
    expect(site.attributes).toMatchObject({
      Arn: 'arn:aws:s3:::shop-local-sitebucket978d4aeb',
      DomainName: 'shop-local-sitebucket978d4aeb.s3.amazonaws.com',
      RegionalDomainName: 'shop-local-sitebucket978d4aeb.s3.us-east-1.amazonaws.com',
      WebsiteURL: 'http://shop-local-sitebucket978d4aeb.s3-website-us-east-1.amazonaws.com',
    });
    const long = app.ofType('AWS::S3::Bucket')[1]!.ref;
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
    expect(resource(app, 'Named').ref).toBe('sprout-releases-a330019cd115');
  });

  it('SQS queues: Ref is the local URL, FIFO names end in .fifo', () => {
    const app = appOf({ s: { Resources: { Jobs: { Type: 'AWS::SQS::Queue' }, Ordered: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } } } } });
    expect(resource(app, 'Jobs').ref).toBe(`http://127.0.0.1:4569/${ACCOUNT}/s-Jobs`);
    expect(resource(app, 'Jobs').attributes).toEqual({
      Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:s-Jobs`,
      QueueName: 's-Jobs',
      QueueUrl: `http://127.0.0.1:4569/${ACCOUNT}/s-Jobs`,
    });
    expect(resource(app, 'Ordered').attributes.QueueName).toBe('s-Ordered.fifo');
    expect(app.find(`arn:aws:sqs:us-east-1:${ACCOUNT}:s-Jobs`)?.logicalId).toBe('Jobs');
    expect(app.find(`http://127.0.0.1:4569/${ACCOUNT}/s-Jobs`)?.logicalId).toBe('Jobs');
  });

  it('SNS topics and subscriptions: Ref is the ARN', () => {
    const app = appOf({
      s: {
        Resources: {
          Topic: { Type: 'AWS::SNS::Topic' },
          Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Topic' }, Protocol: 'sqs' } },
        },
      },
    });
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:s-Topic`;
    expect(resource(app, 'Topic').ref).toBe(topicArn);
    expect(resource(app, 'Topic').attributes).toEqual({ TopicArn: topicArn, TopicName: 's-Topic' });
    expect(resource(app, 'Sub').ref).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
  });

  it('EventBridge: bus name and ARN; rule ARNs on the default and on a custom bus', () => {
    const app = appOf({
      s: {
        Resources: {
          Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
          OnBus: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' } } },
          OnBusArn: { Type: 'AWS::Events::Rule', Properties: { Name: 'by-arn', EventBusName: { 'Fn::GetAtt': ['Bus', 'Arn'] } } },
          Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 minute)' } },
        },
      },
    });
    expect(resource(app, 'Bus').ref).toBe('orders');
    expect(resource(app, 'Bus').attributes).toEqual({ Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`, Name: 'orders' });
    expect(resource(app, 'OnBus').ref).toBe('s-OnBus');
    expect(resource(app, 'OnBus').attributes.Arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/s-OnBus`);
    expect(resource(app, 'OnBusArn').attributes.Arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/by-arn`);
    expect(resource(app, 'Schedule').attributes.Arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/s-Schedule`);
  });

  it('Kinesis streams and state machines', () => {
    const app = appOf({ s: { Resources: { Stream: { Type: 'AWS::Kinesis::Stream' }, Machine: { Type: 'AWS::StepFunctions::StateMachine' } } } });
    expect(resource(app, 'Stream').ref).toBe('s-Stream');
    expect(resource(app, 'Stream').attributes.Arn).toBe(`arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s-Stream`);
    const machineArn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:s-Machine`;
    expect(resource(app, 'Machine').ref).toBe(machineArn);
    expect(resource(app, 'Machine').attributes).toMatchObject({ Arn: machineArn, Name: 's-Machine', StateMachineName: 's-Machine' });
  });

  it('API Gateway: 10-char lowercase ids stable across loads, distinct per API; stage Ref is its name', () => {
    const template = {
      Resources: {
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } },
        Other: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'other' } },
        Items: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, RestApiId: { Ref: 'Api' } } },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { StageName: 'local', RestApiId: { Ref: 'Api' } } },
        Http: { Type: 'AWS::ApiGatewayV2::Api' },
      },
    };
    const app = appOf({ s: template });
    const api = resource(app, 'Api');
    expect(api.ref).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.ref).not.toBe(resource(app, 'Other').ref);
    expect(appOf({ s: template }).resources.find((item) => item.logicalId === 'Api')!.ref).toBe(api.ref);
    expect(resource(app, 'Items').properties).toEqual({ ParentId: api.attributes.RootResourceId, RestApiId: api.ref });
    expect(resource(app, 'Items').ref).toMatch(/^[a-z0-9]{6}$/);
    expect(resource(app, 'Stage').ref).toBe('local');
    const http = resource(app, 'Http');
    expect(http.attributes.ApiEndpoint).toBe(`https://${http.ref}.execute-api.us-east-1.amazonaws.com`);
  });

  it('CloudFront: distribution id and its cloudfront.net domain; policies get ids', () => {
    const app = appOf({
      s: {
        Resources: {
          Dist: { Type: 'AWS::CloudFront::Distribution' },
          Cache: { Type: 'AWS::CloudFront::CachePolicy' },
          Oac: { Type: 'AWS::CloudFront::OriginAccessControl' },
          Viewer: { Type: 'AWS::CloudFront::Function', Properties: { Name: { 'Fn::Join': ['', [{ Ref: 'AWS::Region' }, 'router']] }, AutoPublish: true } },
        },
      },
    });
    const dist = resource(app, 'Dist');
    expect(dist.ref).toMatch(/^E[A-Z0-9]{13}$/);
    expect(dist.attributes.DomainName).toBe(`${dist.ref.toLowerCase()}.cloudfront.net`);
    expect(resource(app, 'Cache').ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(resource(app, 'Oac').attributes.Id).toBe(resource(app, 'Oac').ref);
    expect(resource(app, 'Viewer').attributes.FunctionARN).toBe(`arn:aws:cloudfront::${ACCOUNT}:function/us-east-1router`);
    expect(resource(app, 'Viewer').attributes.Stage).toBe('LIVE');
  });

  it('IAM roles and log groups', () => {
    const app = appOf({ s: { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/service/' } }, Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/x' } } } } });
    expect(resource(app, 'Role').attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/service/s-Role`);
    expect(resource(app, 'Logs').ref).toBe('/aws/lambda/x');
    expect(resource(app, 'Logs').attributes.Arn).toBe(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/x:*`);
  });

  it('other types get <stack>-<logicalId> and an ARN of their service; custom resource outputs are unresolved', () => {
    const app = appOf({
      s: {
        Resources: {
          Thing: { Type: 'AWS::Foo::Bar' },
          Custom: { Type: 'Custom::Lookup', Properties: {} },
          User: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { VALUE: { 'Fn::GetAtt': ['Custom', 'Value'] }, BAD: { 'Fn::GetAtt': ['Thing', 'Nope'] } } } } },
        },
      },
    });
    expect(resource(app, 'Thing').ref).toBe('s-Thing');
    expect(resource(app, 'Thing').attributes.Arn).toBe(`arn:aws:foo:us-east-1:${ACCOUNT}:s-Thing`);
    const vars = resource(app, 'User').properties.Environment.Variables;
    expect(vars.VALUE).toEqual({ unresolved: expect.stringContaining('custom resource') });
    expect(vars.BAD).toEqual({ unresolved: expect.stringContaining('AWS::Foo::Bar attribute Nope') });
  });

  it('find() maps Refs and ARNs back to resources across stacks, and nothing else', () => {
    const app = appOf({ a: { Resources: { T: { Type: 'AWS::DynamoDB::Table' } } }, b: { Resources: { F: { Type: 'AWS::Lambda::Function' } } } });
    expect(app.find('a-T')).toMatchObject({ stack: 'a', logicalId: 'T' });
    expect(app.find(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:b-F`)).toMatchObject({ stack: 'b', logicalId: 'F' });
    expect(app.find('arn:aws:lambda:us-east-1:000000000000:function:missing')).toBeUndefined();
    expect(app.stacks).toEqual(['a', 'b']);
  });
});
