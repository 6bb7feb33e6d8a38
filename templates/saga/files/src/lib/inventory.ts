import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CompensationResult, type Order, type OrderItem, StepRejected } from './saga.js';
import { documentClient, isConditionFailure, now, requiredEnv } from './table.js';
import { tables } from './table-schema.js';

/**
 * The inventory service. Stock lives in one item per SKU (`sku#<sku>`, attribute `available`); a
 * reservation is a hold on each SKU item (attribute `hold#<orderId>` = quantity) plus one item per
 * order (`reservation#<orderId>`) listing what it holds. Every write is a single conditional
 * UpdateItem or PutItem, so each is atomic and safe to repeat:
 * - holding a SKU subtracts from `available` only if this order holds nothing there yet;
 * - releasing adds back only if the hold is still there, and removes it in the same write.
 * So reserving twice holds once, and releasing twice (or releasing what was never reserved)
 * changes nothing.
 */

export type ReservationStatus = 'RESERVING' | 'RESERVED' | 'REJECTED' | 'RELEASED';

export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  items: OrderItem[];
  reservedAt?: string;
  releasedAt?: string;
}

const table = () => requiredEnv(tables.inventory.env);
export const skuKey = (sku: string) => ({ pk: `sku#${sku}` });
export const reservationKey = (orderId: string) => ({ pk: `reservation#${orderId}` });
export const holdAttribute = (orderId: string) => `hold#${orderId}`;

async function getReservation(orderId: string): Promise<Reservation | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: table(), Key: reservationKey(orderId), ConsistentRead: true }));
  return Item as Reservation | undefined;
}

/** Holds `item` for the order; returns why not when it cannot (the SKU is unknown or short). */
async function hold(orderId: string, item: OrderItem): Promise<string | undefined> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: skuKey(item.sku),
        UpdateExpression: 'SET available = available - :quantity, #hold = :quantity',
        ConditionExpression: 'available >= :quantity AND attribute_not_exists(#hold)',
        ExpressionAttributeNames: { '#hold': holdAttribute(orderId) },
        ExpressionAttributeValues: { ':quantity': item.quantity },
      }),
    );
    return undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await documentClient.send(new GetCommand({ TableName: table(), Key: skuKey(item.sku), ConsistentRead: true }));
    if (Item?.[holdAttribute(orderId)] !== undefined) return undefined; // held by an earlier attempt
    if (!Item) return `${item.sku} is not stocked`;
    return `${item.sku}: ${String(Item.available ?? 0)} available, ${item.quantity} ordered`;
  }
}

/** Gives the order's hold on `item` back; false when there was no hold (never held, or released already). */
async function unhold(orderId: string, item: OrderItem): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: skuKey(item.sku),
        UpdateExpression: 'SET available = available + :quantity REMOVE #hold',
        ConditionExpression: 'attribute_exists(#hold)',
        ExpressionAttributeNames: { '#hold': holdAttribute(orderId) },
        ExpressionAttributeValues: { ':quantity': item.quantity },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function setStatus(orderId: string, status: ReservationStatus, from: ReservationStatus[], timestamp: 'reservedAt' | 'releasedAt' | 'rejectedAt'): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: table(),
      Key: reservationKey(orderId),
      UpdateExpression: 'SET #status = :status, #at = :at',
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', '#at': timestamp },
      ExpressionAttributeValues: { ':status': status, ':at': now(), ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])) },
    }),
  );
}

/**
 * Reserves every line of the order, or none: when a SKU is short, the holds already taken are
 * given back and the step is rejected with InventoryUnavailable (nothing left to compensate).
 * Repeating it for the same order returns the same reservation.
 */
export async function reserveInventory(order: Order): Promise<{ reservationId: string; items: OrderItem[]; reservedAt: string }> {
  const { orderId } = order;
  // The order's reservation item first: from then on, a release knows what to give back, even if
  // this function dies half-way through the SKUs.
  let reservation: Reservation | undefined = { orderId, status: 'RESERVING', items: order.items };
  try {
    await documentClient.send(
      new PutCommand({ TableName: table(), Item: { ...reservationKey(orderId), ...reservation }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    reservation = await getReservation(orderId);
    if (reservation?.status === 'RESERVED') return { reservationId: orderId, items: reservation.items, reservedAt: reservation.reservedAt! };
    if (reservation?.status !== 'RESERVING') {
      throw new StepRejected('InventoryUnavailable', `The reservation for order ${orderId} was ${reservation?.status.toLowerCase() ?? 'removed'} already`);
    }
  }

  for (const item of reservation.items) {
    const short = await hold(orderId, item);
    if (short) {
      for (const held of reservation.items) await unhold(orderId, held);
      await setStatus(orderId, 'REJECTED', ['RESERVING'], 'rejectedAt');
      throw new StepRejected('InventoryUnavailable', `Not enough stock: ${short}`);
    }
  }
  await setStatus(orderId, 'RESERVED', ['RESERVING', 'RESERVED'], 'reservedAt');
  const reserved = await getReservation(orderId);
  return { reservationId: orderId, items: reservation.items, reservedAt: reserved!.reservedAt! };
}

/** Gives back whatever the order holds. Idempotent: a second release, or a release of nothing, is a no-op. */
export async function releaseInventory(orderId: string): Promise<CompensationResult> {
  const reservation = await getReservation(orderId);
  if (!reservation) {
    // Nothing was reserved. Leave a tombstone, so a reservation attempt still in flight for this
    // order (or a duplicate event) is refused instead of holding stock nobody will release.
    try {
      await documentClient.send(
        new PutCommand({
          TableName: table(),
          Item: { ...reservationKey(orderId), orderId, status: 'RELEASED', items: [], releasedAt: now() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'no-op', reason: 'nothing was reserved for this order' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return releaseInventory(orderId); // a reservation appeared meanwhile: release it
    }
  }
  if (reservation.status === 'RELEASED') return { outcome: 'no-op', reason: 'already released' };
  let released = 0;
  for (const item of reservation.items) if (await unhold(orderId, item)) released += 1;
  await setStatus(orderId, 'RELEASED', ['RESERVING', 'RESERVED', 'REJECTED'], 'releasedAt');
  return released > 0 ? { outcome: 'undone' } : { outcome: 'no-op', reason: 'the order held no stock' };
}
