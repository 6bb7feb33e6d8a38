import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';

import { asyncConsumerProblems } from '../../../src/runtime/test/async.js';

function stackWith(build: (stack: Stack, fn: lambda.Function) => void): Template {
  const stack = new Stack(new App(), 'Async');
  const fn = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(20),
  });
  build(stack, fn);
  return Template.fromStack(stack);
}

const dlq = (stack: Stack) => ({ queue: new sqs.Queue(stack, 'Dlq'), maxReceiveCount: 5 });

describe('asyncConsumerProblems (test/sprout/async.ts in generated projects)', () => {
  it('accepts an SQS consumer with a DLQ, partial batch failures and a 6x visibility timeout', () => {
    const template = stackWith((stack, fn) => {
      const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(120), deadLetterQueue: dlq(stack) });
      fn.addEventSource(new sources.SqsEventSource(queue, { reportBatchItemFailures: true }));
    });
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it('names each broken SQS rule, counting the batching window in the visibility timeout', () => {
    const template = stackWith((stack, fn) => {
      const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(120) });
      fn.addEventSource(new sources.SqsEventSource(queue, { maxBatchingWindow: Duration.seconds(5) }));
    });
    const problems = asyncConsumerProblems(template);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/ReportBatchItemFailures/);
    expect(problems.join('\n')).toMatch(/no redrive policy/);
    expect(problems.join('\n')).toMatch(/visibility timeout of 120 s, under 6 × the function timeout \(20 s\) \+ the batching window \(5 s\)/);
  });

  it('asks a stream consumer for bisection, finite retries and an on-failure destination', () => {
    const bad = stackWith((stack, fn) => {
      fn.addEventSource(new sources.KinesisEventSource(new kinesis.Stream(stack, 'Stream'), { startingPosition: lambda.StartingPosition.LATEST }));
    });
    expect(asyncConsumerProblems(bad)).toEqual([
      expect.stringMatching(/does not bisect/),
      expect.stringMatching(/MaximumRetryAttempts/),
      expect.stringMatching(/no on-failure destination/),
    ]);
    const good = stackWith((stack, fn) => {
      fn.addEventSource(new sources.KinesisEventSource(new kinesis.Stream(stack, 'Stream'), {
        startingPosition: lambda.StartingPosition.LATEST,
        bisectBatchOnError: true,
        retryAttempts: 3,
        onFailure: new sources.SqsDlq(new sqs.Queue(stack, 'Failures')),
      }));
    });
    expect(asyncConsumerProblems(good)).toEqual([]);
  });

  it('asks a function that S3 invokes asynchronously for an on-failure destination', () => {
    const bad = stackWith((stack, fn) => {
      new s3.Bucket(stack, 'Input').addObjectCreatedNotification(new s3n.LambdaDestination(fn));
    });
    expect(asyncConsumerProblems(bad)).toEqual([expect.stringMatching(/^Consumer\w*: invoked asynchronously by s3\.amazonaws\.com/)]);
    const good = stackWith((stack, fn) => {
      new s3.Bucket(stack, 'Input').addObjectCreatedNotification(new s3n.LambdaDestination(fn));
      fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(new sqs.Queue(stack, 'Failed')), retryAttempts: 2 });
    });
    expect(asyncConsumerProblems(good)).toEqual([]);
  });
});
