/**
 * The order a client POSTs to /orders. The API's JSON Schema model (infra/constructs/ingest-api.ts)
 * is built from these limits, so API Gateway refuses a bad order with a 400 before it reaches the
 * buffer. The consumer checks again: a message can reach the buffer by another path (a producer
 * with sqs:SendMessage or kinesis:PutRecord, a DLQ redrive, an older API version), and a message
 * it cannot read is a poison message, not something to guess at.
 */
export const ORDER_LIMITS = {
  /** Ids are client-chosen, so a retried POST carries the same id (and is stored once). */
  idPattern: '^[A-Za-z0-9_-]{1,64}$',
  skuPattern: '^[A-Z0-9][A-Z0-9-]{0,31}$',
  maxItems: 100,
  maxQuantity: 1000,
  noteMaxLength: 1000,
} as const;

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  items: OrderLine[];
  note?: string;
}

/** A message that can never be processed, however often it is retried. */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';
}

const ID = new RegExp(ORDER_LIMITS.idPattern);
const SKU = new RegExp(ORDER_LIMITS.skuPattern);

/** Parses a message body into an Order, with the same rules as the API's model (no extra fields). */
export function parseOrder(body: string): Order {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidOrderError('The message body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOrderError('The order must be a JSON object');
  const { orderId, customerId, items, note, ...extra } = value as Record<string, unknown>;
  const fail = (message: string): never => {
    throw new InvalidOrderError(message);
  };
  if (Object.keys(extra).length > 0) fail(`Unknown fields: ${Object.keys(extra).join(', ')}`);
  if (typeof orderId !== 'string' || !ID.test(orderId)) fail('orderId must be 1 to 64 letters, digits, - or _');
  if (typeof customerId !== 'string' || !ID.test(customerId)) fail('customerId must be 1 to 64 letters, digits, - or _');
  if (!Array.isArray(items) || items.length === 0 || items.length > ORDER_LIMITS.maxItems) {
    fail(`items must be a list of 1 to ${ORDER_LIMITS.maxItems} order lines`);
  }
  const lines = (items as unknown[]).map((line, index): OrderLine => {
    const { sku, quantity, ...rest } = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || typeof sku !== 'string' || !SKU.test(sku)) fail(`items[${index}].sku must be an upper-case SKU such as LAMP-01`);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > ORDER_LIMITS.maxQuantity) {
      fail(`items[${index}].quantity must be an integer from 1 to ${ORDER_LIMITS.maxQuantity}`);
    }
    return { sku: sku as string, quantity: quantity as number };
  });
  if (note !== undefined && (typeof note !== 'string' || note.length > ORDER_LIMITS.noteMaxLength)) {
    fail(`note must be a string of at most ${ORDER_LIMITS.noteMaxLength} characters`);
  }
  return { orderId: orderId as string, customerId: customerId as string, items: lines, ...(note === undefined ? {} : { note: note as string }) };
}

export function totalUnits(order: Order): number {
  return order.items.reduce((sum, line) => sum + line.quantity, 0);
}
