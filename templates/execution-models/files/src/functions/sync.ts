import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { instrumented, processJob } from '../lib/handler.js';
import { InvalidJobError, parseJobInput } from '../lib/job.js';

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * Synchronous model: API Gateway (Lambda proxy integration) invokes this function and waits.
 * Nothing is retried and nothing is queued: a job that fails throws out of the handler, and API
 * Gateway answers 502 at once; a job slower than this function's timeout is killed by Lambda
 * ("Task timed out", 502 again); a job slower than API Gateway's 29 s integration timeout gets a 504
 * while the function keeps running to its own end (and is billed for it).
 */
export const handler = instrumented('sync', async (event: APIGatewayProxyEvent, context) => {
  let input;
  try {
    input = parseJobInput(JSON.parse(event.body ?? '{}'));
  } catch (error) {
    const message = error instanceof InvalidJobError ? error.message : 'The request body must be valid JSON';
    return json(400, { error: { code: 'VALIDATION_ERROR', message } });
  }
  const result = await processJob('sync', { id: event.requestContext.requestId, input }, context);
  return json(200, result);
});
