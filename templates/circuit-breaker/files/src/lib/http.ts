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

const jsonHeaders = { 'content-type': 'application/json' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

/** The one error shape of this API: `{ "error": { "code", "message" } }`. */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    return json(error.statusCode, { error: { code: error.code, message: error.message } });
  }
  // Never echo an unexpected error: its message can name hosts, ports or internals.
  return json(500, { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } });
}

/** Header lookup that ignores case: clients (and HTTP/2) differ in how they spell headers. */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
