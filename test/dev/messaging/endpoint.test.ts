/** Real AWS SDK v3 clients against the local endpoint: the wire protocols, shapes and errors they expect. */
import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDeliver } from '../../../src/dev/messaging/deliver.js';
import { startAwsEndpoint, type AwsEndpoint, type AwsEndpointParts } from '../../../src/dev/messaging/endpoint.js';
import { createEventBuses } from '../../../src/dev/messaging/eventbridge.js';
import { createTopics } from '../../../src/dev/messaging/sns.js';
import { createQueues, type LocalQueues } from '../../../src/dev/messaging/sqs.js';
import { fakeApp, functionArn, queue, queueArn, recordingInvoker, recordingLog, recordingStateMachines, rule, subscription, topic, topicArn } from './helpers.js';

const machineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Flow';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let endpoint: AwsEndpoint;
let queues: LocalQueues;
const logs = recordingLog();
const invoker = recordingInvoker({
  echo: (event) => ({ ok: true, payload: { got: event } }),
  fails: () => ({ ok: false, error: { errorType: 'ValidationError', errorMessage: 'bad input', stackTrace: ['ValidationError: bad input', '    at handler (index.js:1:1)'] } }),
});
const stateMachines = recordingStateMachines([machineArn]);

beforeAll(async () => {
  // The endpoint reads its parts per request, so it can start before the app (whose queue URLs point at it) exists.
  const parts = { invoker, stateMachines, log: logs.log } as Partial<AwsEndpointParts>;
  endpoint = await startAwsEndpoint(parts as AwsEndpointParts);
  const app = fakeApp([
    queue('orders', { VisibilityTimeout: 30, RedrivePolicy: { deadLetterTargetArn: queueArn('orders-dlq'), maxReceiveCount: 1 } }, endpoint.url),
    queue('orders-dlq', {}, endpoint.url),
    queue('fanout', {}, endpoint.url),
    queue('events', {}, endpoint.url),
    topic('alerts'),
    subscription('AlertsToFanout', { TopicArn: topicArn('alerts'), Protocol: 'sqs', Endpoint: queueArn('fanout'), RawMessageDelivery: true, FilterPolicy: { level: ['high'] } }),
    rule('OrderEvents', { EventPattern: { source: ['shop'] }, Targets: [{ Id: 'q', Arn: queueArn('events'), InputPath: '$.detail' }] }),
  ]);
  queues = createQueues({ app, timing: { scale: 0.01 }, log: logs.log });
  let topics: ReturnType<typeof createTopics>;
  let buses: ReturnType<typeof createEventBuses>;
  const deliver = createDeliver(() => ({ queues, topics, buses, invoker, stateMachines }));
  topics = createTopics({ app, queues, invoker, deliver, log: logs.log });
  buses = createEventBuses({ app, invoker, deliver, log: logs.log });
  Object.assign(parts, { queues, topics, buses });
});

afterAll(async () => {
  queues?.close();
  await endpoint?.close();
});

const queueUrl = (name: string) => `${endpoint.url}/000000000000/${name}`;

describe('SQS JSON protocol (SDK v3)', () => {
  it('sends, receives with attributes, deletes and redrives to the DLQ', async () => {
    const sqs = await import('@aws-sdk/client-sqs');
    const client = new sqs.SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      const { QueueUrl } = await client.send(new sqs.GetQueueUrlCommand({ QueueName: 'orders' }));
      expect(QueueUrl).toBe(queueUrl('orders'));
      const sent = await client.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: '{"id":1}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));
      expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      const batch = await client.send(
        new sqs.SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'two' }, { Id: 'b', MessageBody: 'three' }] }),
      );
      expect(batch.Successful?.map((e) => e.Id)).toEqual(['a', 'b']);

      const attrs = await client.send(new sqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'QueueArn'] }));
      expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '3', QueueArn: queueArn('orders') });

      const received = await client.send(
        new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'], MessageAttributeNames: ['All'] }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['{"id":1}', 'two', 'three']);
      const first = received.Messages![0]!;
      expect(first.Attributes).toEqual({ ApproximateReceiveCount: '1' });
      expect(first.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'order' } });

      await client.send(new sqs.DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
      const deleted = await client.send(
        new sqs.DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', ReceiptHandle: received.Messages![1]!.ReceiptHandle }, { Id: 'y', ReceiptHandle: 'bogus' }] }),
      );
      expect(deleted.Successful).toEqual([{ Id: 'x' }]);
      expect(deleted.Failed).toEqual([{ Id: 'y', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }]);

      // 'three' was received once (maxReceiveCount 1): make it visible; the next receive moves it to the DLQ.
      await client.send(new sqs.ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: received.Messages![2]!.ReceiptHandle, VisibilityTimeout: 0 }));
      const again = await client.send(new sqs.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(again.Messages).toBeUndefined();
      const dead = await client.send(new sqs.ReceiveMessageCommand({ QueueUrl: queueUrl('orders-dlq'), MessageSystemAttributeNames: ['All'] }));
      expect(dead.Messages?.[0]).toMatchObject({ Body: 'three', MessageId: batch.Successful![1]!.MessageId });
      expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(queueArn('orders'));
    } finally {
      client.destroy();
    }
  });

  it('reports an unknown queue as QueueDoesNotExist with the query-compatible code', async () => {
    const sqs = await import('@aws-sdk/client-sqs');
    const client = new sqs.SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      const error = await client.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl('missing'), MessageBody: 'x' })).catch((e) => e);
      expect(error).toBeInstanceOf(sqs.QueueDoesNotExist);
      expect(error.name).toBe('QueueDoesNotExist');
      expect(error.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
      expect(error.$metadata.httpStatusCode).toBe(400);
      const notFound = await client.send(new sqs.GetQueueUrlCommand({ QueueName: 'missing' })).catch((e) => e);
      expect(notFound.name).toBe('QueueDoesNotExist');
    } finally {
      client.destroy();
    }
  });
});

describe('SQS query protocol (API Gateway AWS integration)', () => {
  it('answers SendMessage as JSON when Accept asks for it, in the shape storage-first reads', async () => {
    const response = await fetch(`${endpoint.url}/000000000000/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `Action=SendMessage&MessageBody=${encodeURIComponent('{"orderId":"o-9"}')}`,
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as any;
    expect(json.SendMessageResponse.SendMessageResult.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.SendMessageResponse.SendMessageResult.MD5OfMessageBody).toBe(createHash('md5').update('{"orderId":"o-9"}').digest('hex'));
    expect(json.SendMessageResponse.ResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    const [m] = await queues.receive('orders', { max: 1 });
    expect(m!.body).toBe('{"orderId":"o-9"}');
    expect(m!.messageId).toBe(json.SendMessageResponse.SendMessageResult.MessageId);
    queues.delete('orders', m!.receiptHandle);
  });

  it('answers XML by default and query-shaped errors', async () => {
    const ok = await fetch(`${endpoint.url}/000000000000/orders`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=SendMessage&MessageBody=hi' });
    const xml = await ok.text();
    expect(xml).toMatch(/<SendMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>49f68a5c8493ec2c0bf489821c21fc3b<\/MD5OfMessageBody>/);
    const [m] = await queues.receive('orders', { max: 1 });
    queues.delete('orders', m!.receiptHandle);

    const missing = await fetch(`${endpoint.url}/000000000000/missing`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: 'Action=SendMessage&MessageBody=x' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ Error: { Code: 'AWS.SimpleQueueService.NonExistentQueue', Type: 'Sender' } });
    const missingXml = await fetch(`${endpoint.url}/000000000000/missing`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=SendMessage&MessageBody=x' });
    expect(await missingXml.text()).toContain('<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });
  it('serves ReceiveMessage and DeleteMessage over the query protocol with flattened XML lists', async () => {
    const form = (body: string) =>
      fetch(`${endpoint.url}/000000000000/orders`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.text());
    await form('Action=SendMessage&MessageBody=q1&MessageAttribute.1.Name=tag&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=blue');
    const xml = await form('Action=ReceiveMessage&MaxNumberOfMessages=5&AttributeName.1=ApproximateReceiveCount&MessageAttributeName.1=All');
    expect(xml).toContain('<ReceiveMessageResult><Message><MessageId>');
    expect(xml).toContain('<Body>q1</Body>');
    expect(xml).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');
    expect(xml).toContain('<MessageAttribute><Name>tag</Name><Value><DataType>String</DataType><StringValue>blue</StringValue></Value></MessageAttribute>');
    const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(xml)![1]!;
    expect(await form(`Action=DeleteMessage&ReceiptHandle=${encodeURIComponent(handle)}`)).toContain('<DeleteMessageResponse');
    expect(queues.counts('orders')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('SQS StartMessageMoveTask (SDK v3)', () => {
  it('moves dead letters back to the queue each came from, as new receives, and lists the completed task', async () => {
    const sqs = await import('@aws-sdk/client-sqs');
    const client = new sqs.SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      queues.purge('orders');
      queues.purge('orders-dlq');
      await client.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: 'poison' }));
      // maxReceiveCount 1: the first receive takes it, the next (after the visibility timeout) moves it to the DLQ.
      await client.send(new sqs.ReceiveMessageCommand({ QueueUrl: queueUrl('orders'), VisibilityTimeout: 0 }));
      expect((await client.send(new sqs.ReceiveMessageCommand({ QueueUrl: queueUrl('orders') }))).Messages ?? []).toEqual([]);
      expect(queues.counts('orders-dlq').visible).toBe(1);

      const { TaskHandle } = await client.send(new sqs.StartMessageMoveTaskCommand({ SourceArn: queueArn('orders-dlq') }));
      expect(TaskHandle).toBeTruthy();
      expect(queues.counts('orders-dlq').visible).toBe(0);
      const [back] = (await client.send(new sqs.ReceiveMessageCommand({ QueueUrl: queueUrl('orders'), MessageSystemAttributeNames: ['All'] }))).Messages ?? [];
      expect(back).toMatchObject({ Body: 'poison', Attributes: { ApproximateReceiveCount: '1' } });
      expect(back!.Attributes).not.toHaveProperty('DeadLetterQueueSourceArn');

      const listed = await client.send(new sqs.ListMessageMoveTasksCommand({ SourceArn: queueArn('orders-dlq') }));
      expect(listed.Results?.[0]).toMatchObject({ TaskHandle, Status: 'COMPLETED', SourceArn: queueArn('orders-dlq'), ApproximateNumberOfMessagesMoved: 1 });
      const missing = await client.send(new sqs.StartMessageMoveTaskCommand({ SourceArn: queueArn('nope') })).catch((e) => e);
      expect(missing.name).toBe('ResourceNotFoundException');
    } finally {
      queues.purge('orders');
      client.destroy();
    }
  });
});

describe('SNS query protocol (SDK v3)', () => {
  it('publishes with attributes through the filter policy, batches, and reports NotFound', async () => {
    const sns = await import('@aws-sdk/client-sns');
    const client = new sns.SNSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      const published = await client.send(new sns.PublishCommand({ TopicArn: topicArn('alerts'), Message: 'cpu high', MessageAttributes: { level: { DataType: 'String', StringValue: 'high' } } }));
      expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      await client.send(new sns.PublishCommand({ TopicArn: topicArn('alerts'), Message: 'cpu fine', MessageAttributes: { level: { DataType: 'String', StringValue: 'low' } } }));
      const batch = await client.send(
        new sns.PublishBatchCommand({
          TopicArn: topicArn('alerts'),
          PublishBatchRequestEntries: [
            { Id: 'one', Message: 'disk high', MessageAttributes: { level: { DataType: 'String', StringValue: 'high' } } },
            { Id: 'two', Message: '' },
          ],
        }),
      );
      expect(batch.Successful?.map((s) => s.Id)).toEqual(['one']);
      expect(batch.Failed?.[0]).toMatchObject({ Id: 'two', Code: 'InvalidParameter', SenderFault: true });
      const got = await queues.receive('fanout', { max: 10 });
      expect(got.map((m) => m.body)).toEqual(['cpu high', 'disk high']);
      expect(got[0]!.messageAttributes.level).toEqual({ DataType: 'String', StringValue: 'high' });

      const error = await client.send(new sns.PublishCommand({ TopicArn: topicArn('nope'), Message: 'x' })).catch((e) => e);
      expect(error).toBeInstanceOf(sns.NotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
    } finally {
      client.destroy();
    }
  });
});

describe('EventBridge JSON 1.1 (SDK v3)', () => {
  it('puts events, matches the rule and reports per-entry failures', async () => {
    const eb = await import('@aws-sdk/client-eventbridge');
    const client = new eb.EventBridgeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      const result = await client.send(
        new eb.PutEventsCommand({
          Entries: [
            { Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-1' }), Time: new Date('2024-05-06T07:08:09Z') },
            { Source: 'shop', DetailType: 'OrderPlaced', Detail: 'nope' },
          ],
        }),
      );
      expect(result.FailedEntryCount).toBe(1);
      expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.Entries?.[1]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
      const [m] = await queues.receive('events', { max: 1 });
      expect(JSON.parse(m!.body)).toEqual({ orderId: 'o-1' });
    } finally {
      client.destroy();
    }
  });
});

describe('Step Functions JSON 1.0 (SDK v3)', () => {
  it('starts, describes and lists executions; unknown machines are StateMachineDoesNotExist', async () => {
    const sfn = await import('@aws-sdk/client-sfn');
    const client = new sfn.SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, disableHostPrefix: true });
    try {
      const started = await client.send(new sfn.StartExecutionCommand({ stateMachineArn: machineArn, input: '{"a":1}', name: 'run-1' }));
      expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Flow:run-1');
      expect(started.startDate).toEqual(new Date(1_700_000_000_000));
      const described = await client.send(new sfn.DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(described).toMatchObject({ status: 'SUCCEEDED', input: '{"a":1}', output: '{"a":1}', stopDate: new Date(1_700_000_001_000) });
      const sync = await client.send(new sfn.StartSyncExecutionCommand({ stateMachineArn: machineArn, input: '{"b":2}' }));
      expect(sync).toMatchObject({ status: 'SUCCEEDED', output: '{"b":2}' });
      const listed = await client.send(new sfn.ListExecutionsCommand({ stateMachineArn: machineArn }));
      expect(listed.executions?.map((e) => e.name)).toEqual(['run-1', 'exec-2']);
      const error = await client.send(new sfn.StartExecutionCommand({ stateMachineArn: `${machineArn}Nope`, input: '{}' })).catch((e) => e);
      expect(error).toBeInstanceOf(sfn.StateMachineDoesNotExist);
      const badInput = await client.send(new sfn.StartExecutionCommand({ stateMachineArn: machineArn, input: '{oops' })).catch((e) => e);
      expect(badInput).toBeInstanceOf(sfn.InvalidExecutionInput);
    } finally {
      client.destroy();
    }
  });
});

describe('Step Functions GetExecutionHistory and StopExecution (SDK v3)', () => {
  it('lists the events (reverseOrder, maxResults, includeExecutionData), stops an execution, and names an unknown one', async () => {
    const sfn = await import('@aws-sdk/client-sfn');
    const client = new sfn.SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, disableHostPrefix: true });
    try {
      const { executionArn } = await client.send(new sfn.StartExecutionCommand({ stateMachineArn: machineArn, input: '{"h":1}', name: 'history-1' }));
      const history = await client.send(new sfn.GetExecutionHistoryCommand({ executionArn }));
      expect(history.events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionSucceeded']);
      expect(history.events?.[0]).toMatchObject({ id: 1, previousEventId: 0, timestamp: new Date(1_700_000_000_000), executionStartedEventDetails: { input: '{"h":1}' } });
      const last = await client.send(new sfn.GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1, includeExecutionData: false }));
      expect(last.events).toHaveLength(1);
      expect(last.events?.[0]?.type).toBe('ExecutionSucceeded');
      expect(last.events?.[0]?.executionSucceededEventDetails?.output).toBeUndefined();

      const stopped = await client.send(new sfn.StopExecutionCommand({ executionArn, error: 'Manual', cause: 'operator' }));
      expect(stopped.stopDate).toBeInstanceOf(Date);
      expect(stateMachines.started.find((d) => d.executionArn === executionArn)).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'operator' });

      const missing = await client.send(new sfn.GetExecutionHistoryCommand({ executionArn: `${executionArn}-nope` })).catch((e) => e);
      expect(missing).toBeInstanceOf(sfn.ExecutionDoesNotExist);
    } finally {
      client.destroy();
    }
  });
});

describe('Lambda Invoke REST (SDK v3)', () => {
  it('returns the payload, the Unhandled function error, 202 for Event and ResourceNotFound', async () => {
    const lambda = await import('@aws-sdk/client-lambda');
    const client = new lambda.LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    const decode = (p?: Uint8Array) => JSON.parse(new TextDecoder().decode(p));
    try {
      const ok = await client.send(new lambda.InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ x: 1 }) }));
      expect(ok.StatusCode).toBe(200);
      expect(ok.FunctionError).toBeUndefined();
      expect(decode(ok.Payload)).toEqual({ got: { x: 1 } });

      const failed = await client.send(new lambda.InvokeCommand({ FunctionName: functionArn('fails'), Payload: '{}' }));
      expect(failed.StatusCode).toBe(200);
      expect(failed.FunctionError).toBe('Unhandled');
      expect(decode(failed.Payload)).toEqual({ errorType: 'ValidationError', errorMessage: 'bad input', trace: ['ValidationError: bad input', '    at handler (index.js:1:1)'] });

      const queued = await client.send(new lambda.InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"y":2}' }));
      expect(queued.StatusCode).toBe(202);
      expect(invoker.asyncCalls.at(-1)).toEqual({ target: 'echo', event: { y: 2 } });

      const dry = await client.send(new lambda.InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
      expect(dry.StatusCode).toBe(204);

      const missing = await client.send(new lambda.InvokeCommand({ FunctionName: 'nope' })).catch((e) => e);
      expect(missing).toBeInstanceOf(lambda.ResourceNotFoundException);
      expect(missing.message).toContain('Function not found');
    } finally {
      client.destroy();
    }
  });
});

describe('request logging', () => {
  it('logs requests by service and never an empty ReceiveMessage poll', () => {
    const requests = logs.events.filter((e) => e.kind === 'request');
    expect(new Set(requests.map((e) => e.source))).toEqual(new Set(['sqs', 'sns', 'eventbridge', 'stepfunctions', 'lambda']));
    expect(requests.some((e) => /ReceiveMessage .* → 0/.test(e.message))).toBe(false);
  });
});
