import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, NotFoundError } from './http.js';
import { logger } from './powertools.js';

export interface LegacyRequest {
  /** The legacy backend's base URL, as the facade proxies to it (LEGACY_BASE_URL). */
  baseUrl: string;
  /** The same timeout the facade's legacy routes have (LEGACY_TIMEOUT_MS). */
  timeoutMs: number;
  /** The caller's Authorization header, passed on: legacy keeps deciding who may read its orders. */
  authorization?: string;
}

/** Which backend served a response, so clients and logs can tell during the migration. */
export const SOURCE_HEADER = 'x-strangler-source';

/**
 * Reads one order from the legacy backend, `GET <baseUrl>/orders/<id>`, for the read-through flag.
 * 200 is passed on as legacy sent it (body and content type); 404 is this service's 404; any other
 * status is a 502 and no answer within the timeout a 504, both in this service's error shape.
 */
export async function readLegacyOrder(id: string, request: LegacyRequest): Promise<APIGatewayProxyResult> {
  const url = `${request.baseUrl}/orders/${encodeURIComponent(id)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(request.authorization ? { authorization: request.authorization } : {}) },
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    logger.warn('Legacy read-through failed', { url, timedOut, reason: (error as Error).message });
    if (timedOut) throw new HttpError(504, 'LEGACY_TIMEOUT', `The legacy backend did not answer within ${request.timeoutMs} ms`);
    throw new HttpError(502, 'LEGACY_UNREACHABLE', 'The legacy backend could not be reached');
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new NotFoundError(`Order ${id} exists neither in the new service nor in the legacy backend`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    logger.warn('Legacy read-through answered an error', { url, status: response.status });
    throw new HttpError(502, 'LEGACY_ERROR', `The legacy backend answered ${response.status} for order ${id}`);
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    if (timedOut) throw new HttpError(504, 'LEGACY_TIMEOUT', `The legacy backend did not answer within ${request.timeoutMs} ms`);
    throw new HttpError(502, 'LEGACY_UNREACHABLE', 'The legacy backend broke off its answer');
  }
  return {
    statusCode: 200,
    headers: { 'content-type': response.headers.get('content-type') ?? 'application/json', [SOURCE_HEADER]: 'legacy' },
    body,
  };
}
