import { describe, expect, it } from 'vitest';

import { edgeFunctionsIn } from '../../src/deploy/edge.js';
import { type DestroyedApp, edgeFollowUps } from '../../src/deploy/destroy.js';

/** The shape CDK synthesizes for a distribution with a Lambda@Edge viewer-request function in the same stack. */
const sameStack = {
  Resources: {
    RouterFn: { Type: 'AWS::Lambda::Function', DeletionPolicy: 'Retain', Properties: { FunctionName: 'shop-router' } },
    RouterFnCurrentVersion: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'RouterFn' } } },
    HeadersFn: { Type: 'AWS::Lambda::Function', Properties: {} },
    HeadersFnVersion: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'HeadersFn' } } },
    ApiHandler: { Type: 'AWS::Lambda::Function', Properties: {} },
    Site: {
      Type: 'AWS::CloudFront::Distribution',
      Properties: {
        DistributionConfig: {
          DefaultCacheBehavior: { LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: { Ref: 'RouterFnCurrentVersion' } }] },
          CacheBehaviors: [{ LambdaFunctionAssociations: [{ EventType: 'origin-response', LambdaFunctionARN: { Ref: 'HeadersFnVersion' } }] }],
        },
      },
    },
  },
};

describe('edgeFunctionsIn', () => {
  it('finds the functions a distribution associates, through their versions, and whether they are retained', () => {
    expect(edgeFunctionsIn('shop-web-prod', sameStack, 'us-east-1')).toEqual([
      { stackName: 'shop-web-prod', logicalId: 'RouterFn', retained: true, functionName: 'shop-router' },
      { stackName: 'shop-web-prod', logicalId: 'HeadersFn', retained: false },
    ]);
  });

  it('treats the functions of a CDK edge-lambda stack in us-east-1 whose role Lambda@Edge assumes as edge functions', () => {
    const trust = (...services: string[]) => ({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: services } }] });
    const edgeStack = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', DeletionPolicy: 'Retain', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust('lambda.amazonaws.com', 'edgelambda.amazonaws.com') } },
        // The release bucket's auto-delete handler lives there too, and is no edge function.
        AutoDelete: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['AutoDeleteRole', 'Arn'] } } },
        AutoDeleteRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust('lambda.amazonaws.com') } },
      },
    };
    expect(edgeFunctionsIn('edge-lambda-stack-c8a1b2', edgeStack, 'us-east-1')).toEqual([{ stackName: 'edge-lambda-stack-c8a1b2', logicalId: 'Fn', retained: true }]);
    expect(edgeFunctionsIn('shop-api-prod', edgeStack, 'eu-west-1')).toEqual([]);
  });

  it('finds nothing in a stack without a distribution', () => {
    expect(edgeFunctionsIn('api', { Resources: { A: { Type: 'AWS::Lambda::Function' } } }, 'us-east-1')).toEqual([]);
  });
});

describe('edgeFollowUps', () => {
  const app = (edgeFunctions: DestroyedApp['edgeFunctions']): DestroyedApp => ({ kind: 'service', name: 'web', account: '1', region: 'eu-west-1', status: 'destroyed', stacks: [], edgeFunctions });

  it('says a retained function was kept and how to delete it later', () => {
    expect(edgeFollowUps(app([{ stackName: 's', logicalId: 'RouterFn', retained: true, functionName: 'shop-router' }]))).toEqual([
      'web: the Lambda@Edge function shop-router (s) was kept, as CloudFront still holds replicas of it. Delete it in a few hours: aws lambda delete-function --region us-east-1 --function-name shop-router',
    ]);
  });

  it('warns that a function that is not retained makes the stack deletion fail for a while', () => {
    expect(edgeFollowUps(app([{ stackName: 's', logicalId: 'HeadersFn', retained: false }]))[0]).toMatch(/is not retained, so deleting its stack fails while CloudFront holds replicas/);
  });
});
