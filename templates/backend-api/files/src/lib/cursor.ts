import { ValidationError } from './http.js';
import { ITEM_KIND, itemsTable } from './table-schema.js';

/** DynamoDB's LastEvaluatedKey for a query on the list index. */
export type ListCursor = Record<'id' | 'kind' | 'createdAt', string>;

const { partitionKey, listIndex } = itemsTable;
const cursorKeys = [partitionKey, listIndex.partitionKey, listIndex.sortKey].sort();

/** Opaque to clients: base64url of the key JSON, so they pass it back unchanged. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes and checks a cursor, so a tampered one is a 400 rather than a
 * DynamoDB ValidationException (a 500) or a read outside the list index.
 */
export function decodeCursor(cursor: string): ListCursor {
  const invalid = () => new ValidationError('"cursor" is not a cursor returned by this API');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  const keysMatch = entries.map(([name]) => name).sort().join() === cursorKeys.join();
  const allStrings = entries.every(([, value]) => typeof value === 'string' && value.length > 0);
  if (!keysMatch || !allStrings || (key as ListCursor).kind !== ITEM_KIND) throw invalid();
  return key as ListCursor;
}
