import { ValidationError } from './http.js';

/** Limits shared by the API Gateway models and the handlers' own checks. */
export const NAME_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;

export interface Item {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  /** Starts at 1, +1 on every update; send it back on PUT for optimistic locking. */
  version: number;
}

export interface CreateItemInput {
  name: string;
  description?: string;
}

export interface UpdateItemInput extends CreateItemInput {
  version?: number;
}

/** Strips storage-only attributes (the list index key) from a stored record. */
export function toItem(record: Record<string, unknown>): Item {
  const { kind: _kind, ...item } = record;
  return item as unknown as Item;
}

export function parseCreateItem(body: string | null): CreateItemInput {
  const input = parseObject(body, ['name', 'description']);
  return { name: requireName(input.name), ...optionalDescription(input.description) };
}

export function parseUpdateItem(body: string | null): UpdateItemInput {
  const input = parseObject(body, ['name', 'description', 'version']);
  const update: UpdateItemInput = { name: requireName(input.name), ...optionalDescription(input.description) };
  if (input.version !== undefined) {
    if (!Number.isInteger(input.version) || (input.version as number) < 1) {
      throw new ValidationError('"version" must be an integer of at least 1');
    }
    update.version = input.version as number;
  }
  return update;
}

// API Gateway already validates bodies sent as application/json; these checks
// also cover other content types (which API Gateway passes through unvalidated)
// and direct invocations.
function parseObject(body: string | null, allowed: string[]): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new ValidationError('The request body must be valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('The request body must be a JSON object');
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ValidationError(`Unknown field(s): ${unknown.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The stricter name rules of the `strict-item-names` flag, on top of the length check every name
 * passes: not blank, no leading or trailing spaces, no control characters (tabs, line breaks, NUL…).
 */
export function requireStrictName(name: string): void {
  if (name.trim() === '') throw new ValidationError('"name" must contain more than spaces');
  if (name !== name.trim()) throw new ValidationError('"name" must not start or end with spaces');
  if (/\p{Cc}/u.test(name)) throw new ValidationError('"name" must not contain control characters');
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > NAME_MAX_LENGTH) {
    throw new ValidationError(`"name" must be a string of 1 to ${NAME_MAX_LENGTH} characters`);
  }
  return name;
}

function optionalDescription(description: unknown): { description?: string } {
  if (description === undefined) return {};
  if (typeof description !== 'string' || description.length > DESCRIPTION_MAX_LENGTH) {
    throw new ValidationError(`"description" must be a string of at most ${DESCRIPTION_MAX_LENGTH} characters`);
  }
  return { description };
}
