/**
 * The one local AWS endpoint the handlers' SDK clients and API Gateway's AWS integrations talk
 * to: SQS (JSON 1.0 as SDK v3 speaks it, and the query protocol API Gateway sends), SNS (query),
 * EventBridge (JSON 1.1), Step Functions (JSON 1.0) and Lambda's Invoke (REST JSON). Each
 * protocol answers in its own AWS shape, errors included, so SDK exceptions are the real ones.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AwsServiceError } from './errors.js';
import { eventsOperation, sfnOperation } from './endpoint-json.js';
import { lambdaInvoke } from './endpoint-lambda.js';
import { jsonRpc, parseJson, type AwsEndpointParts } from './endpoint-shared.js';
import { SNS_ACTIONS, snsQuery } from './endpoint-sns.js';
import { sqsOperation, sqsQuery } from './endpoint-sqs.js';

export type { AwsEndpointParts } from './endpoint-shared.js';

export interface AwsEndpoint {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function startAwsEndpoint(parts: AwsEndpointParts, options: { port?: number; host?: string } = {}): Promise<AwsEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(parts, req, res).catch((error) => {
      parts.log({ kind: 'error', source: 'aws', message: `endpoint failure: ${(error as Error).message}` });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AwsServiceError('RequestEntityTooLarge', 'Request body too large', { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(parts: AwsEndpointParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://local');
  const body = await readBody(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  const [service, operation = ''] = target.split('.');

  if (service === 'AmazonSQS') return jsonRpc(res, requestId, '1.0', 'com.amazonaws.sqs#', true, () => sqsOperation(parts, operation, parseJson(body)));
  if (service === 'AWSEvents') return jsonRpc(res, requestId, '1.1', '', false, () => eventsOperation(parts, operation, parseJson(body)));
  if (service === 'AWSStepFunctions') return jsonRpc(res, requestId, '1.0', '', false, () => sfnOperation(parts, operation, parseJson(body)));

  const lambdaMatch = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(url.pathname);
  if (lambdaMatch && req.method === 'POST') return lambdaInvoke(parts, req, res, requestId, decodeURIComponent(lambdaMatch[1]!), body);

  const params = new URLSearchParams(req.method === 'GET' ? url.search : body);
  if (req.method === 'GET') for (const [k, v] of new URLSearchParams(url.search)) if (!params.has(k)) params.set(k, v);
  const action = params.get('Action');
  if (action) {
    const wantsJson = /application\/json/i.test(String(req.headers.accept ?? ''));
    if (SNS_ACTIONS.has(action) || params.has('TopicArn')) return snsQuery(parts, res, requestId, action, params, wantsJson);
    return sqsQuery(parts, res, requestId, action, params, url.pathname, wantsJson);
  }
  res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
  res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `sprout dev's AWS endpoint does not serve ${req.method} ${url.pathname}` }));
}
