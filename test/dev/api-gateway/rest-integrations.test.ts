import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApis, type RunningApis } from '../../../src/dev/api-gateway/index.js';
import type { LocalEndpoints } from '../../../src/dev/types.js';
import { fakeInvoker, logSink, stubServer } from './fixtures/fakes.js';
import { ENDPOINTS, fixtureApp } from './fixtures/load.js';

describe('REST AWS service integrations (storage-first → SQS, execution-models → Lambda Event)', () => {
  let sqsStatus = 200;
  const aws = stubServer((request) => {
    if (request.url.startsWith('/2015-03-31/functions/')) return { status: 202, body: '' };
    if (sqsStatus !== 200) return { status: sqsStatus, body: '{"Error":{"Code":"X"}}' };
    return { status: 200, body: JSON.stringify({ SendMessageResponse: { SendMessageResult: { MessageId: 'm-1', MD5OfMessageBody: 'x' }, ResponseMetadata: { RequestId: 'r' } } }) };
  });
  let stub: Awaited<typeof aws>;
  let apis: RunningApis;
  let orders: string;
  let jobs: string;

  beforeAll(async () => {
    stub = await aws;
    const endpoints: LocalEndpoints = { ...ENDPOINTS, aws: stub.url };
    const app = fixtureApp(['storage-first', 'execution-models'], endpoints);
    const { invoker } = fakeInvoker({});
    apis = await startApis({ app, invoker, endpoints, log: logSink().log });
    orders = apis.apis.find((a) => a.name === 'storage-first-local')!.url;
    jobs = apis.apis.find((a) => a.name === 'execution-models-local')!.url;
  });
  afterAll(async () => {
    await apis?.close();
    await stub?.close();
  });

  it('sends the rendered form body to the queue URL path and maps the JSON answer through the 202 template', async () => {
    sqsStatus = 200;
    const order = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A-1', quantity: 1 }], note: 'a b&c' };
    const response = await fetch(`${orders}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order) });
    const body: any = await response.json();
    expect(response.status).toBe(202);
    expect(body.messageId).toBe('m-1');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const sent = stub.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/000000000000/storage-first-local-BufferQueue404A7D55');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers.accept).toBe('application/json');
    const form = new URLSearchParams(sent.body);
    expect(form.get('Action')).toBe('SendMessage');
    expect(form.get('MessageBody')).toBe(JSON.stringify(order));
    // Java's URLEncoder: spaces as +, & encoded.
    expect(sent.body).toContain('a+b%26c');
    // Signed like API Gateway signs with the integration role (kinesalite and dynalite refuse unsigned calls).
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/sqs\/aws4_request, SignedHeaders=[a-z0-9;-]*content-type[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(sent.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('selects integration responses by the service status code', async () => {
    sqsStatus = 400;
    const bad = await fetch(`${orders}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ orderId: 'o', customerId: 'c', items: [{ sku: 'A', quantity: 1 }] }) });
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as any).error.code).toBe('INTERNAL_ERROR');
    sqsStatus = 503;
    const down = await fetch(`${orders}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ orderId: 'o', customerId: 'c', items: [{ sku: 'A', quantity: 1 }] }) });
    expect(down.status).toBe(503);
    expect(((await down.json()) as any).error.code).toBe('SERVICE_UNAVAILABLE');
    sqsStatus = 200;
  });

  it('validates the body against the model before calling the service', async () => {
    const before = stub.requests.length;
    const response = await fetch(`${orders}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ orderId: 'o', customerId: 'c', items: [] }) });
    expect(response.status).toBe(400);
    expect(stub.requests.length).toBe(before);
  });

  it('refuses a content type without a template when passthrough is NEVER (415)', async () => {
    const response = await fetch(`${jobs}/stream`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the job as application/json' } });
  });

  it('invokes a Lambda AWS integration through the Invoke API with the mapped invocation type', async () => {
    const response = await fetch(`${jobs}/async`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'hi', sleepSeconds: 1 }) });
    expect(response.status).toBe(202);
    const body: any = await response.json();
    expect(body.status).toBe('QUEUED');
    const sent = stub.requests.at(-1)!;
    expect(sent.url).toBe('/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:execution-models-local-AsyncFunctionDDEED48F/invocations');
    expect(sent.headers['x-amz-invocation-type']).toBe('Event');
    expect(JSON.parse(sent.body)).toEqual({ id: body.id, input: { message: 'hi', sleepSeconds: 1 } });
  });
});

describe('REST MOCK integrations (spa CORS preflight) and HTTP_PROXY (strangler)', () => {
  let apis: RunningApis;
  const legacy = stubServer((request) => ({ status: 207, headers: { 'X-Legacy': 'yes' }, body: JSON.stringify({ legacy: request.url }) }));
  let stub: Awaited<typeof legacy>;

  beforeAll(async () => {
    stub = await legacy;
    const app = fixtureApp(['spa', 'strangler'], ENDPOINTS);
    for (const method of app.ofType('AWS::ApiGateway::Method')) {
      const integration = method.properties.Integration;
      if (integration.Type === 'HTTP_PROXY') integration.Uri = integration.Uri.replace('https://legacy.example.com', stub.url);
    }
    const { invoker } = fakeInvoker({ OrdersServiceFunctionACC86FD4: (event) => ({ ok: true, payload: { statusCode: 200, body: JSON.stringify({ proxy: event.pathParameters?.proxy ?? null, resource: event.resource }) } }) });
    apis = await startApis({ app, invoker, endpoints: ENDPOINTS, log: logSink().log });
  });
  afterAll(async () => {
    await apis?.close();
    await stub?.close();
  });

  it('answers the preflight from the mock integration response', async () => {
    const spa = apis.apis.find((a) => a.name === 'spa-local')!.url;
    const response = await fetch(`${spa}/items/42`, { method: 'OPTIONS', headers: { Origin: 'https://x', 'Access-Control-Request-Method': 'PUT' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization,Idempotency-Key');
    expect(response.headers.get('access-control-max-age')).toBe('3600');
    expect(response.headers.get('access-control-allow-origin')).toMatch(/^https:\/\/.+/);
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('routes literal resources before greedy ones and proxies the rest to the HTTP backend', async () => {
    const facade = apis.apis.find((a) => a.name === 'strangler-local')!.url;
    const orders = await fetch(`${facade}/orders/12/lines`);
    expect(await orders.json()).toEqual({ proxy: '12/lines', resource: '/orders/{proxy+}' });
    const exact = await fetch(`${facade}/orders`);
    expect(await exact.json()).toEqual({ proxy: null, resource: '/orders' });
    const legacyResponse = await fetch(`${facade}/catalog/books?q=1`, { method: 'POST', body: 'x' });
    expect(legacyResponse.status).toBe(207);
    expect(legacyResponse.headers.get('x-legacy')).toBe('yes');
    expect(await legacyResponse.json()).toEqual({ legacy: '/catalog/books?q=1' });
    expect(stub.requests.at(-1)!.method).toBe('POST');
    expect(stub.requests.at(-1)!.body).toBe('x');
    const root = await fetch(`${facade}/`);
    expect(await root.json()).toEqual({ legacy: '/' });
  });
});
