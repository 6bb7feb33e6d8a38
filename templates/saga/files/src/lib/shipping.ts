import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Address, type CompensationResult, type Order, StepRejected } from './saga.js';
import { documentClient, isConditionFailure, now, requiredEnv } from './table.js';
import { tables } from './table-schema.js';

/** The shipping service: one item per order's shipment, booked with the (stand-in) carrier. */

export type ShipmentStatus = 'ARRANGED' | 'CANCELLED';
export type ServiceLevel = 'standard' | 'priority';

export interface Shipment {
  orderId: string;
  status: ShipmentStatus;
  carrier: string;
  serviceLevel: ServiceLevel;
  trackingNumber: string;
  shipTo: Address;
  arrangedAt: string;
  cancelledAt?: string;
}

/** Where the carrier delivers. An order to any other country is refused with ShippingUnavailable. */
export const SHIPS_TO = ['AT', 'BE', 'CA', 'CH', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'NL', 'NO', 'PL', 'PT', 'SE', 'US'];

const table = () => requiredEnv(tables.shipments.env);

async function getShipment(orderId: string): Promise<Shipment | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: table(), Key: { orderId }, ConsistentRead: true }));
  return Item as Shipment | undefined;
}

export async function arrangeShipping(order: Order, serviceLevel: ServiceLevel): Promise<Shipment> {
  const { orderId, shipTo } = order;
  if (!SHIPS_TO.includes(shipTo.country)) throw new StepRejected('ShippingUnavailable', `The carrier does not deliver to ${shipTo.country}`);
  const shipment: Shipment = {
    orderId,
    status: 'ARRANGED',
    carrier: 'sandbox-carrier',
    serviceLevel,
    // The carrier's booking reference; a real carrier API would take orderId as its idempotency key.
    trackingNumber: `TRK${createHash('sha256').update(orderId).digest('hex').slice(0, 12).toUpperCase()}`,
    shipTo,
    arrangedAt: now(),
  };
  try {
    await documentClient.send(new PutCommand({ TableName: table(), Item: shipment, ConditionExpression: 'attribute_not_exists(orderId)' }));
    return shipment;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await getShipment(orderId);
    if (existing?.status === 'ARRANGED') return existing; // a repeat of a step that already booked it
    throw new StepRejected('ShippingUnavailable', `The shipment for order ${orderId} was cancelled already`);
  }
}

/** Cancels the order's shipment. Idempotent: cancelling twice, or cancelling what was never arranged, is a no-op. */
export async function cancelShipment(orderId: string): Promise<CompensationResult> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: { orderId },
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at',
        ConditionExpression: '#status = :arranged',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':arranged': 'ARRANGED', ':at': now() },
      }),
    );
    return { outcome: 'undone' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  if (await getShipment(orderId)) return { outcome: 'no-op', reason: 'already cancelled' };
  try {
    // Never arranged: the tombstone makes a booking still in flight for this order refuse to run.
    await documentClient.send(
      new PutCommand({ TableName: table(), Item: { orderId, status: 'CANCELLED', cancelledAt: now() }, ConditionExpression: 'attribute_not_exists(orderId)' }),
    );
    return { outcome: 'no-op', reason: 'nothing was arranged for this order' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return cancelShipment(orderId);
  }
}
