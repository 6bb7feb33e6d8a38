import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ValidationError } from './http.js';

const ID_MAX_LENGTH = 128;

/** The `{id}` path parameter; API Gateway guarantees it is present, not that it is sane. */
export function itemId(event: APIGatewayProxyEvent): string {
  const id = event.pathParameters?.id;
  if (!id || id.length > ID_MAX_LENGTH) {
    throw new ValidationError(`The item id must be 1 to ${ID_MAX_LENGTH} characters`);
  }
  return id;
}

export const MAX_PAGE_SIZE = 100;

/** `?limit=`: an integer from 1 to MAX_PAGE_SIZE, or the stage's default page size. */
export function pageLimit(event: APIGatewayProxyEvent, defaultPageSize: number): number {
  const raw = event.queryStringParameters?.limit;
  if (raw === undefined || raw === '') return defaultPageSize;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`"limit" must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}
