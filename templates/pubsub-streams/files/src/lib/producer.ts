import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { encodeOrderEvent, type OrderEvent } from './order-events.js';

export interface PutResult {
  event: OrderEvent;
  shardId: string;
  sequenceNumber: string;
}

/**
 * Puts order events so that each order's events land in the order given: the order id is the
 * partition key (one shard per order), one order's events are put one after another, each with
 * SequenceNumberForOrdering set to the previous one's sequence number (Kinesis then guarantees
 * strictly increasing sequence numbers for that key), and different orders are put in parallel.
 *
 * Not PutRecords for one order's events: it may store some records of a request and fail others
 * (FailedRecordCount), and putting the failed ones again would place them after later events of
 * the same order. Batch with PutRecords only records of different keys, or retry a key's failed
 * record before anything after it.
 */
export async function putInOrder(client: KinesisClient, streamName: string, events: OrderEvent[], concurrency = 10): Promise<PutResult[]> {
  const byOrder = new Map<string, OrderEvent[]>();
  for (const event of events) byOrder.set(event.orderId, [...(byOrder.get(event.orderId) ?? []), event]);
  const results: PutResult[] = [];
  const orders = [...byOrder.values()];
  let next = 0;
  const putOrder = async (orderEvents: OrderEvent[]) => {
    let previous: string | undefined;
    for (const event of orderEvents) {
      // The SDK retries a throttled put itself (ProvisionedThroughputExceededException) before this returns.
      const { ShardId, SequenceNumber } = await client.send(
        new PutRecordCommand({
          StreamName: streamName,
          PartitionKey: event.orderId,
          Data: encodeOrderEvent(event),
          ...(previous ? { SequenceNumberForOrdering: previous } : {}),
        }),
      );
      if (!ShardId || !SequenceNumber) throw new Error(`PutRecord for ${event.orderId} returned no shard or sequence number`);
      previous = SequenceNumber;
      results.push({ event, shardId: ShardId, sequenceNumber: SequenceNumber });
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, orders.length)) }, async () => {
      while (next < orders.length) await putOrder(orders[next++] as OrderEvent[]);
    }),
  );
  return results;
}

/** A sample lifecycle for `count` orders: placed → paid → shipped → delivered, every fifth one cancelled after payment. */
export function sampleOrderEvents(count: number, prefix = `order-${Date.now().toString(36)}`, start = Date.now()): OrderEvent[] {
  const events: OrderEvent[] = [];
  for (let n = 1; n <= count; n++) {
    const orderId = `${prefix}-${n}`;
    const steps = n % 5 === 0 ? (['placed', 'paid', 'cancelled'] as const) : (['placed', 'paid', 'shipped', 'delivered'] as const);
    steps.forEach((type, step) => events.push({ orderId, type, at: new Date(start + step * 60_000).toISOString() }));
  }
  return events;
}
