import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { holdLargeOrders } from './flag-client.js';
import { LARGE_ORDER_UNITS } from './flags.js';
import { InvalidOrderError, type Order, parseOrder, totalUnits } from './order.js';
import { logger, metrics } from './powertools.js';
import { documentClient, dynamoDb, requiredEnv } from './table.js';

const ordersTableName = requiredEnv('ORDERS_TABLE_NAME');

/** Where a message came from, for the stored order and the logs. */
export interface Delivery {
  /** The SQS message id, or the Kinesis sequence number. */
  id: string;
  /** When the buffer accepted it (SQS SentTimestamp, Kinesis approximateArrivalTimestamp). */
  receivedAt: string;
}

export type OrderStatus = 'ACCEPTED' | 'HELD';

export interface OrderOutcome {
  orderId: string;
  status: OrderStatus;
  /** The id of the delivery that stored the order (a redelivery or a retried POST reports the first one). */
  storedFrom: string;
}

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requiredEnv('IDEMPOTENCY_TABLE_NAME'),
  awsSdkV3Client: dynamoDb,
});

/**
 * Idempotency is keyed on the client's orderId, not on the SQS message id or Kinesis sequence
 * number: those identify one message, and cover only the buffer's own redeliveries (SQS delivers
 * at least once; Lambda retries a Kinesis batch from its checkpoint). A client that retries its
 * POST after a timeout sends a second message with a new message id but the same orderId, and
 * that duplicate is only caught by the orderId. The payload is validated too: the same orderId
 * with other lines is refused (IdempotencyValidationError) rather than silently dropped.
 * Records expire after 24 hours, longer than any redelivery (maxReceiveCount × the visibility
 * timeout; the stream's 24-hour retention); after that the conditional write below still refuses
 * to store an order twice.
 */
export const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'orderId',
  payloadValidationJmesPath: '[customerId, items, note]',
  expiresAfterSeconds: 24 * 60 * 60,
});

async function storeOrder(order: Order, delivery: Delivery): Promise<OrderOutcome> {
  const units = totalUnits(order);
  // Decided once: the idempotency record keeps this outcome, so a redelivery after the flag
  // changed does not change an order that was already stored.
  const status: OrderStatus = units > LARGE_ORDER_UNITS && (await holdLargeOrders(order.customerId)) ? 'HELD' : 'ACCEPTED';
  try {
    await documentClient.send(
      new PutCommand({
        TableName: ordersTableName,
        Item: { ...order, units, status, receivedAt: delivery.receivedAt, storedAt: new Date().toISOString(), storedFrom: delivery.id },
        ConditionExpression: 'attribute_not_exists(orderId)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Stored before the idempotency record expired (a DLQ redrive days later): keep the first.
    logger.warn('Order already stored; this delivery changes nothing', { orderId: order.orderId, delivery: delivery.id });
    return { orderId: order.orderId, status, storedFrom: 'earlier delivery' };
  }
  metrics.addMetric(status === 'HELD' ? 'OrderHeld' : 'OrderAccepted', MetricUnit.Count, 1);
  logger.info('Order stored', { orderId: order.orderId, status, units, delivery: delivery.id });
  return { orderId: order.orderId, status, storedFrom: delivery.id };
}

/** Stores an order at most once per orderId (see idempotencyConfig); the order is the key's source. */
const storeOrderOnce = makeIdempotent(storeOrder, { persistenceStore, config: idempotencyConfig, dataIndexArgument: 0 });

/**
 * Processes one message body. Throws when it cannot: the batch processor then reports the message
 * as a batch item failure and only that message is retried. An order that does not parse throws
 * InvalidOrderError every time, so after maxReceiveCount deliveries it lands in the dead-letter
 * queue (with Kinesis: the on-failure destination) with the reason in the logs.
 */
export async function processOrder(body: string, delivery: Delivery): Promise<OrderOutcome> {
  let order: Order;
  try {
    order = parseOrder(body);
  } catch (error) {
    if (error instanceof InvalidOrderError) {
      metrics.addMetric('InvalidOrder', MetricUnit.Count, 1);
      logger.error('Unreadable order: it will be retried, then set aside', { delivery: delivery.id, reason: error.message });
    }
    throw error;
  }
  return storeOrderOnce(order, delivery);
}
