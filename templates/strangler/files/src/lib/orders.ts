import { ValidationError } from './http.js';

/** Limits of an order, checked on every create. */
export const MAX_LINES = 50;
export const MAX_QUANTITY = 1_000;
export const MAX_UNIT_PRICE_CENTS = 10_000_000;

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderInput {
  customerId: string;
  currency: string;
  lines: OrderLine[];
}

export interface Order extends OrderInput {
  id: string;
  totalCents: number;
  status: 'PLACED';
  createdAt: string;
}

/**
 * An order id in a path: the ids this service creates (UUIDs) and the legacy system's ids
 * (usually numbers), which the read-through flag looks up there. Nothing that could change the
 * legacy URL it is put into.
 */
export const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const IDENTIFIER = /^[A-Za-z0-9._:-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

export function parseOrderInput(body: string | null): OrderInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new ValidationError('The request body must be valid JSON');
  }
  const input = parseObject(parsed, ['customerId', 'currency', 'lines'], 'The request body');
  if (typeof input.customerId !== 'string' || !IDENTIFIER.test(input.customerId)) {
    throw new ValidationError('"customerId" must be 1 to 64 letters, digits, ".", "_", ":" or "-"');
  }
  if (typeof input.currency !== 'string' || !CURRENCY.test(input.currency)) {
    throw new ValidationError('"currency" must be an ISO 4217 code such as "EUR"');
  }
  if (!Array.isArray(input.lines) || input.lines.length < 1 || input.lines.length > MAX_LINES) {
    throw new ValidationError(`"lines" must be an array of 1 to ${MAX_LINES} order lines`);
  }
  const lines = input.lines.map((line, index) => parseLine(line, `lines[${index}]`));
  return { customerId: input.customerId, currency: input.currency, lines };
}

function parseLine(value: unknown, at: string): OrderLine {
  const line = parseObject(value, ['sku', 'quantity', 'unitPriceCents'], `"${at}"`);
  if (typeof line.sku !== 'string' || !IDENTIFIER.test(line.sku)) {
    throw new ValidationError(`"${at}.sku" must be 1 to 64 letters, digits, ".", "_", ":" or "-"`);
  }
  if (!isIntegerIn(line.quantity, 1, MAX_QUANTITY)) {
    throw new ValidationError(`"${at}.quantity" must be an integer from 1 to ${MAX_QUANTITY}`);
  }
  if (!isIntegerIn(line.unitPriceCents, 0, MAX_UNIT_PRICE_CENTS)) {
    throw new ValidationError(`"${at}.unitPriceCents" must be an integer from 0 to ${MAX_UNIT_PRICE_CENTS}`);
  }
  return { sku: line.sku, quantity: line.quantity as number, unitPriceCents: line.unitPriceCents as number };
}

/** The order total, in integer cents: no floating-point money. */
export function totalCents(lines: OrderLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A JSON object with no field outside `allowed`. */
function parseObject(parsed: unknown, allowed: string[], what: string): Record<string, unknown> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`${what} must be a JSON object`);
  }
  const unknown = Object.keys(parsed).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new ValidationError(`${what} has unknown field(s): ${unknown.join(', ')}`);
  return parsed as Record<string, unknown>;
}
