/** Lambda's Invoke API on the wire (REST JSON): RequestResponse, Event, DryRun, function errors as X-Amz-Function-Error. */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { LOCAL_ACCOUNT, LOCAL_REGION } from '../types.js';
import { shortName as queueNameOf, type AwsEndpointParts } from './endpoint-shared.js';

function lambdaError(res: ServerResponse, requestId: string, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });
  res.end(JSON.stringify({ Type: 'User', message, Message: message }));
}

export async function lambdaInvoke(parts: AwsEndpointParts, req: IncomingMessage, res: ServerResponse, requestId: string, name: string, body: string): Promise<void> {
  const { invoker, log } = parts;
  if (!invoker.has(name)) {
    const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
    return lambdaError(res, requestId, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  }
  let event: unknown = {};
  if (body.trim() !== '') {
    try {
      event = JSON.parse(body);
    } catch {
      return lambdaError(res, requestId, 400, 'InvalidRequestContentException', 'Could not parse request body into json: Unexpected character');
    }
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
  if (type === 'DryRun') {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  if (type === 'Event') {
    invoker.invokeAsync(name, event);
    log({ kind: 'request', source: 'lambda', message: `Invoke ${queueNameOf(name)} (Event)` });
    res.writeHead(202, headers);
    res.end();
    return;
  }
  if (type !== 'RequestResponse') return lambdaError(res, requestId, 400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`);
  log({ kind: 'request', source: 'lambda', message: `Invoke ${queueNameOf(name)}` });
  const result = await invoker.invoke(name, event);
  if (result.ok) {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(result.payload === undefined ? 'null' : JSON.stringify(result.payload));
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
  res.end(JSON.stringify({ errorType: result.error.errorType, errorMessage: result.error.errorMessage, trace: result.error.stackTrace ?? [] }));
}
