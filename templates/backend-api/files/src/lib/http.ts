import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** An error the client caused or should know about; anything else is a 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends HttpError {
  constructor(message: string) {
    super(400, 'VALIDATION_ERROR', message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'NOT_FOUND', message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'CONFLICT', message);
  }
}

const jsonHeaders = { 'content-type': 'application/json' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: {}, body: '' };
}

/** The one error shape of this API: `{ "error": { "code", "message" } }`. */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    return json(error.statusCode, { error: { code: error.code, message: error.message } });
  }
  // Never echo an unexpected error: its message can name tables, keys or SDK internals.
  return json(500, { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } });
}

/** Header lookup that ignores case: clients (and HTTP/2) differ in how they spell headers. */
export function header(headers: Record<string, string | undefined> | null, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Adds Access-Control-Allow-Origin when the request's Origin is one of CORS_ALLOW_ORIGINS (set by
 * the stack only for projects whose browser app lives on another origin). Without the variable,
 * responses carry no CORS header at all.
 */
export function withCors(event: Pick<APIGatewayProxyEvent, 'headers'>, response: APIGatewayProxyResult): APIGatewayProxyResult {
  const allowed = process.env.CORS_ALLOW_ORIGINS?.split(',').filter(Boolean) ?? [];
  const origin = header(event.headers, 'origin');
  if (!origin || !allowed.includes(origin)) return response;
  return { ...response, headers: { ...response.headers, 'access-control-allow-origin': origin, vary: 'Origin' } };
}
