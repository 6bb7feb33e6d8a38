import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ALLOWED_AFTER, InvalidRecordError, type OrderEvent, STATUS_AFTER } from './order-events.js';
import { compareSequence, sortableSequence } from './sequence.js';

/** The orders table's key (the stack creates it with this partition key). */
export const ordersTable = { partitionKey: 'orderId' } as const;

/** Where a record sits in the stream: what makes it unique, and what orders it. */
export interface RecordPosition {
  shardId: string;
  sequenceNumber: string;
}

/** One order as the consumer keeps it. */
export interface OrderItem {
  orderId: string;
  status?: string;
  history?: Array<{ type: string; at: string; sequenceNumber: string }>;
  rejected?: Array<{ sequenceNumber: string; reason: string }>;
  appliedCount?: number;
  rejectedCount?: number;
  /** The last record applied (or rejected) for this order: its shard, its sequence number, and that number padded to 129 digits. */
  lastShardId?: string;
  lastSequenceNumber?: string;
  lastSequence?: string;
  updatedAt?: string;
}

/**
 * The idempotency guard, part of every write: the record must come after the last one this
 * order's item has seen. Lambda delivers a record again after a retry (the whole rest of the batch
 * from the lowest failed sequence number, or the whole batch after a timeout), and the guard turns
 * that second delivery into a no-op. Sequence numbers are compared padded to the same width, and
 * only within one shard: after a reshard, an order's records move to a child shard, which Lambda
 * only reads once the parent shard is finished.
 */
const AFTER_LAST_RECORD = '(attribute_not_exists(lastSequence) OR lastShardId <> :shard OR lastSequence < :seq)';

const positionValues = (position: RecordPosition) => ({
  ':shard': position.shardId,
  ':seq': sortableSequence(position.sequenceNumber),
  ':rawSeq': position.sequenceNumber,
});

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** True when `item` has already seen the record at `position` (or a later one of the same shard). */
export function hasSeen(item: OrderItem | undefined, position: RecordPosition): boolean {
  return (
    item?.lastShardId === position.shardId &&
    item.lastSequenceNumber !== undefined &&
    compareSequence(item.lastSequenceNumber, position.sequenceNumber) >= 0
  );
}

async function readOrder(db: DynamoDBDocumentClient, tableName: string, orderId: string): Promise<OrderItem | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { [ordersTable.partitionKey]: orderId }, ConsistentRead: true }));
  return Item as OrderItem | undefined;
}

/**
 * Applies one event to its order in a single conditional write: the new status, the event appended
 * to the history, and the record's position, only if the record is new (see AFTER_LAST_RECORD) and
 * the event follows from the current status. Returns `duplicate` for a record already applied;
 * throws InvalidRecordError for an event that does not follow (it never will).
 */
export async function applyOrderEvent(
  db: DynamoDBDocumentClient,
  tableName: string,
  position: RecordPosition,
  event: OrderEvent,
): Promise<'applied' | 'duplicate'> {
  const allowed = ALLOWED_AFTER[event.type];
  const statuses = allowed.filter((status): status is string => status !== null);
  const transition = [
    ...(allowed.includes(null) ? ['attribute_not_exists(#status)'] : []),
    ...(statuses.length ? [`#status IN (${statuses.map((_, i) => `:from${i}`).join(', ')})`] : []),
  ].join(' OR ');
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [ordersTable.partitionKey]: event.orderId },
        ConditionExpression: `${AFTER_LAST_RECORD} AND (${transition})`,
        UpdateExpression:
          'SET #status = :status, history = list_append(if_not_exists(history, :empty), :entry), ' +
          'lastShardId = :shard, lastSequence = :seq, lastSequenceNumber = :rawSeq, updatedAt = :now ADD appliedCount :one',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...positionValues(position),
          ...Object.fromEntries(statuses.map((status, i) => [`:from${i}`, status])),
          ':status': STATUS_AFTER[event.type],
          ':empty': [],
          ':entry': [{ type: event.type, at: event.at, sequenceNumber: position.sequenceNumber }],
          ':now': new Date().toISOString(),
          ':one': 1,
        },
      }),
    );
    return 'applied';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Which half of the condition failed? Read the item (strongly consistent) to tell.
    const order = await readOrder(db, tableName, event.orderId);
    if (hasSeen(order, position)) return 'duplicate';
    throw new InvalidRecordError(`"${event.type}" cannot follow ${order?.status ? `status ${order.status}` : 'an order that was never placed'}`);
  }
}

/**
 * Records that the record at `position` was skipped as invalid (when the skip-invalid-records flag
 * says so): the order's item remembers the sequence number and the reason, and its position moves
 * past the record, so a later event of the order is applied as if the invalid one had not been put.
 */
export async function rejectRecord(
  db: DynamoDBDocumentClient,
  tableName: string,
  position: RecordPosition,
  orderId: string,
  reason: string,
): Promise<'rejected' | 'duplicate'> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [ordersTable.partitionKey]: orderId },
        ConditionExpression: AFTER_LAST_RECORD,
        UpdateExpression:
          'SET rejected = list_append(if_not_exists(rejected, :empty), :entry), ' +
          'lastShardId = :shard, lastSequence = :seq, lastSequenceNumber = :rawSeq, updatedAt = :now ADD rejectedCount :one',
        ExpressionAttributeValues: {
          ...positionValues(position),
          ':empty': [],
          ':entry': [{ sequenceNumber: position.sequenceNumber, reason: reason.slice(0, 500) }],
          ':now': new Date().toISOString(),
          ':one': 1,
        },
      }),
    );
    return 'rejected';
  } catch (error) {
    if (isConditionFailure(error)) return 'duplicate';
    throw error;
  }
}
