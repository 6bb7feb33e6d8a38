/**
 * The sample domain: the lifecycle events of an order, put on the stream with the order id as the
 * partition key, so every event of one order lands on the same shard, in order. The consumer keeps
 * one item per order (src/lib/orders-table.ts) and only accepts an event that follows from the
 * order's current status: applying them out of order would fail loudly, not silently.
 */
export const ORDER_EVENT_TYPES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** The status an order has after each event. */
export const STATUS_AFTER: Record<OrderEventType, string> = {
  placed: 'PLACED',
  paid: 'PAID',
  shipped: 'SHIPPED',
  delivered: 'DELIVERED',
  cancelled: 'CANCELLED',
};

/** The statuses each event may follow; `null` means "no order yet". */
export const ALLOWED_AFTER: Record<OrderEventType, ReadonlyArray<string | null>> = {
  placed: [null],
  paid: ['PLACED'],
  shipped: ['PAID'],
  delivered: ['SHIPPED'],
  cancelled: ['PLACED', 'PAID'],
};

export interface OrderEvent {
  orderId: string;
  type: OrderEventType;
  /** When the producer saw it happen (ISO 8601). */
  at: string;
}

/**
 * A record that will never succeed however often it is retried: not JSON, not an order event, put
 * under another order's partition key, or not a valid next step for the order.
 */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
}

const ORDER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Decodes and checks one record's data (base64, as Lambda delivers it). */
export function parseOrderEvent(base64Data: string, partitionKey: string): OrderEvent {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(base64Data, 'base64').toString('utf8'));
  } catch {
    throw new InvalidRecordError('the record data is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRecordError('the record data is not a JSON object');
  const { orderId, type, at } = body as Record<string, unknown>;
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) throw new InvalidRecordError('orderId must be 1 to 128 letters, digits or _ . : -');
  if (orderId !== partitionKey) {
    // Order is only kept per partition key: an event under another key could overtake its order's other events.
    throw new InvalidRecordError(`orderId ${orderId} was put with partition key ${partitionKey}; use the order id as the partition key`);
  }
  if (typeof type !== 'string' || !(ORDER_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new InvalidRecordError(`type must be one of ${ORDER_EVENT_TYPES.join(', ')}`);
  }
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new InvalidRecordError('at must be an ISO 8601 timestamp');
  return { orderId, type: type as OrderEventType, at };
}

/** The data a producer puts for `event` (the inverse of parseOrderEvent, before base64). */
export function encodeOrderEvent(event: OrderEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}
