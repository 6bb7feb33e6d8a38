import type { APIGatewayProxyEvent } from 'aws-lambda';
import { demoAnswer, MAX_DEMO_DELAY_MS } from '../lib/demo.js';
import { httpHandler } from '../lib/handler.js';
import { ValidationError, json } from '../lib/http.js';
import { SOURCE_NAME } from '../lib/sources.js';

function integerParameter(event: APIGatewayProxyEvent, name: string, min: number, max: number, fallback: number): number {
  const raw = event.queryStringParameters?.[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ValidationError(`"${name}" must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * GET /demo/{name}?customerId=&delayMs=&status=: a stand-in downstream service. It waits delayMs
 * (at most 5 s), then answers `status` (200 by default) with sample JSON for `name`.
 */
export const handler = httpHandler('demoSource', async (event) => {
  const name = event.pathParameters?.name ?? '';
  if (!SOURCE_NAME.test(name)) throw new ValidationError('The demo source name must be a letter followed by letters, digits, - or _');
  const delayMs = integerParameter(event, 'delayMs', 0, MAX_DEMO_DELAY_MS, 0);
  const status = integerParameter(event, 'status', 200, 599, 200);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  if (status >= 300) {
    return json(status, { error: { code: 'DEMO_FAILURE', message: `The demo source "${name}" answers ${status}, as its URL asks` } });
  }
  return json(status, demoAnswer(name, event.queryStringParameters?.customerId ?? 'unknown'));
});
