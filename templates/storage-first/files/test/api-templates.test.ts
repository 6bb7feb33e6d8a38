import { afterAll, describe, expect, it } from 'vitest';
import { javaUrlEncode, renderVtl } from './helpers/vtl.js';
import { cleanUpApps, flatten, ordersIntegration, synth } from './helpers/stack.js';

// The mapping templates exactly as synthesized, run on sample bodies with the renderer in
// helpers/vtl.ts: what API Gateway would send to SQS or Kinesis, and what the client gets back.

afterAll(cleanUpApps);

/** A body with everything that breaks a naive template: & = + % in text, quotes, unicode, a newline. */
const order = {
  orderId: 'order-42',
  customerId: 'customer-7',
  items: [{ sku: 'LAMP-01', quantity: 3 }],
  note: 'Leave at "door" B&B, 50% off = 1+1 ☕\nthanks',
};
const rawBody = JSON.stringify(order, null, 2);

describe('SQS (buffer: sqs)', () => {
  const integration = ordersIntegration(synth({ buffer: 'sqs' }));

  it('calls SendMessage on the queue\'s path with a form-encoded body, signed with its own role, never passing other content types through', () => {
    expect(flatten(integration.Uri)).toBe('arn:<AWS::Partition>:apigateway:<AWS::Region>:sqs:path/<AWS::AccountId>/<BufferQueue.QueueName>');
    expect(integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    });
    expect(flatten(integration.Credentials)).toBe('<ApiIntegrationRole.Arn>');
    expect(Object.keys(integration.RequestTemplates)).toEqual(['application/json']);
  });

  it('sends the body, byte for byte, as MessageBody', () => {
    const { output } = renderVtl(integration.RequestTemplates['application/json'], { body: rawBody });
    const form = new URLSearchParams(output);
    expect([...form.keys()]).toEqual(['Action', 'MessageBody']);
    expect(form.get('Action')).toBe('SendMessage');
    expect(form.get('MessageBody')).toBe(rawBody);
  });

  it('encodes like Java\'s URLEncoder (the encoder $util.urlEncode is)', () => {
    expect(javaUrlEncode('a b&c=d+e%f*g~h☕')).toBe('a+b%26c%3Dd%2Be%25f*g%7Eh%E2%98%95');
  });

  it('answers 202 with the message id', () => {
    const responses = integration.IntegrationResponses as Array<Record<string, any>>;
    const accepted = responses.find((r) => r.SelectionPattern === undefined)!;
    expect(accepted.StatusCode).toBe('202');
    const sqsAnswer = { SendMessageResponse: { ResponseMetadata: { RequestId: 'r-1' }, SendMessageResult: { MD5OfMessageBody: 'x', MessageId: '5fea7756-0ea4-451a-a703-a558b933e274' } } };
    const { output } = renderVtl(accepted.ResponseTemplates['application/json'], { body: JSON.stringify(sqsAnswer), requestId: 'req-1' });
    expect(JSON.parse(output)).toEqual({ messageId: '5fea7756-0ea4-451a-a703-a558b933e274', requestId: 'req-1' });
  });

  it('turns an SQS 4xx into a 500 and a 5xx into a 503, in the API\'s JSON error shape', () => {
    const responses = integration.IntegrationResponses as Array<Record<string, any>>;
    const byPattern = Object.fromEntries(responses.filter((r) => r.SelectionPattern).map((r) => [r.SelectionPattern, r]));
    expect(Object.keys(byPattern).sort()).toEqual(['4\\d{2}', '5\\d{2}']);
    expect(byPattern['4\\d{2}'].StatusCode).toBe('500');
    expect(byPattern['5\\d{2}'].StatusCode).toBe('503');
    // The selection patterns are matched against the service's HTTP status code.
    expect(new RegExp(`^${byPattern['4\\d{2}'].SelectionPattern}$`).test('403')).toBe(true);
    expect(new RegExp(`^${byPattern['4\\d{2}'].SelectionPattern}$`).test('200')).toBe(false);
    const sqsError = JSON.stringify({ Error: { Code: 'AccessDenied', Message: 'no', Type: 'Sender' }, RequestId: 'r' });
    for (const [pattern, code] of [['4\\d{2}', 'INTERNAL_ERROR'], ['5\\d{2}', 'SERVICE_UNAVAILABLE']] as const) {
      const { output } = renderVtl(byPattern[pattern].ResponseTemplates['application/json'], { body: sqsError, requestId: 'req-2' });
      expect(JSON.parse(output)).toEqual({ error: { code, message: expect.any(String), requestId: 'req-2' } });
    }
  });
});

describe('Kinesis (buffer: kinesis)', () => {
  const integration = ordersIntegration(synth({ buffer: 'kinesis' }));

  it('calls PutRecord with the JSON protocol, signed with its own role', () => {
    expect(flatten(integration.Uri)).toBe('arn:<AWS::Partition>:apigateway:<AWS::Region>:kinesis:action/PutRecord');
    expect(integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      RequestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
    });
  });

  it('puts the body, base64-encoded, into the stream, keyed by orderId', () => {
    const template = flatten(integration.RequestTemplates['application/json']).replace('<BufferStream>', 'orders-stream');
    const request = JSON.parse(renderVtl(template, { body: rawBody }).output);
    expect(request).toEqual({ StreamName: 'orders-stream', PartitionKey: 'order-42', Data: expect.any(String) });
    expect(Buffer.from(request.Data, 'base64').toString('utf8')).toBe(rawBody);
  });

  it('answers 202 with the sequence number and shard id', () => {
    const accepted = (integration.IntegrationResponses as Array<Record<string, any>>).find((r) => r.SelectionPattern === undefined)!;
    expect(accepted.StatusCode).toBe('202');
    const answer = { SequenceNumber: '49546986683135544286507457936321625675700192471156785154', ShardId: 'shardId-000000000000', EncryptionType: 'KMS' };
    const { output } = renderVtl(accepted.ResponseTemplates['application/json'], { body: JSON.stringify(answer), requestId: 'req-3' });
    expect(JSON.parse(output)).toEqual({ sequenceNumber: answer.SequenceNumber, shardId: 'shardId-000000000000', requestId: 'req-3' });
  });

  it('answers a throttled PutRecord with 503 (retry) and any other 4xx with 500', () => {
    const rejected = (integration.IntegrationResponses as Array<Record<string, any>>).find((r) => r.SelectionPattern === '4\\d{2}')!;
    expect(rejected.StatusCode).toBe('500');
    const render = (type: string) => renderVtl(rejected.ResponseTemplates['application/json'], { body: JSON.stringify({ __type: type, message: 'm' }) });
    const throttled = render('ProvisionedThroughputExceededException');
    expect(throttled.statusOverride).toBe(503);
    expect(JSON.parse(throttled.output).error.code).toBe('THROTTLED');
    expect(render('KMSThrottlingException').statusOverride).toBe(503);
    const denied = render('AccessDeniedException');
    expect(denied.statusOverride).toBeUndefined();
    expect(JSON.parse(denied.output).error.code).toBe('INTERNAL_ERROR');
  });
});
