import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { judge, type Verdict } from './baseline.js';
import { quantile, RELATIVE_ACCURACY, type Sketch } from './sketch.js';

/** The aggregates table's key (the stack creates it with these names). */
export const aggregatesTable = { partitionKey: 'metricKey', sortKey: 'windowId', ttlAttribute: 'expiresAt' } as const;

/**
 * One window of one key, as the final invocation of the window writes it.
 *
 * windowId = `<window start, ISO 8601>#<shard id>#<first sequence number of the state>`: sorted by
 * time within a key, and unique per piece of state Lambda hands over. Normally that is one item per
 * key and window; a window Lambda ended early (isWindowTerminatedEarly, or a resharding) goes on in
 * a fresh state and gives a second item instead of overwriting the first, and a key put under
 * several partition keys gets one item per shard (README, "Partition key").
 */
export interface AggregateItem {
  metricKey: string;
  windowId: string;
  windowStart: string;
  windowEnd: string;
  shardId: string;
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
  /** Within ±p95RelativeError of the true value of the same rank. */
  p95: number;
  p95RelativeError: number;
  terminatedEarly: boolean;
  /** Previous windows the verdict compared with (absent while the key is warming up). */
  baseline?: { windows: number; mean: number; stdDev: number };
  zScore?: number;
  criticalZ?: number;
  anomaly: boolean;
  /**
   * Whether later windows count this one in their baseline: every ordinary window, and an anomaly
   * from the third in a row on (LEVEL_SHIFT_RUN), so a lasting change becomes the new normal.
   */
  inBaseline: boolean;
  /** Only for anomalies: `pending` until SNS accepted the alert (or the flag muted it). */
  alert?: 'pending' | 'published' | 'muted';
  alertId?: string;
  messageId?: string;
  alertedAt?: string;
  writtenAt: string;
  /** Epoch seconds: DynamoDB's time to live deletes the item after `aggregateTtlDays`. */
  expiresAt: number;
}

export interface WindowRef {
  start: string;
  end: string;
  shardId: string;
  /** The state's first sequence number. */
  first: string;
  terminatedEarly: boolean;
}

export interface FlushSettings {
  tableName: string;
  zScoreThreshold: number;
  baselineWindows: number;
  aggregateTtlDays: number;
}

/**
 * An isolated anomaly stays out of later baselines, so that one spike does not widen the baseline
 * and hide the next. But a key whose level really changed would then alert forever: from the third
 * anomalous window in a row, anomalies count in the baseline again, and after a few more alerts
 * the new level is the normal one.
 */
export const LEVEL_SHIFT_RUN = 3;

export const iso = (time: string) => new Date(time).toISOString();
export const windowIdOf = (window: WindowRef) => `${iso(window.start)}#${window.shardId}#${window.first}`;

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** The window's aggregates for one key, judged against the baseline: the item to write. */
export function aggregateItem(metricKey: string, sketch: Sketch, window: WindowRef, previous: Pick<PreviousWindows, 'means' | 'anomaliesInARow'>, settings: FlushSettings, now = new Date()): AggregateItem {
  const mean = sketch.s / sketch.n;
  const verdict: Verdict = judge(mean, previous.means, settings.zScoreThreshold);
  const windowId = windowIdOf(window);
  const anomaly = verdict.judged && verdict.anomaly;
  return {
    metricKey,
    windowId,
    windowStart: iso(window.start),
    windowEnd: iso(window.end),
    shardId: window.shardId,
    count: sketch.n,
    sum: sketch.s,
    mean,
    min: sketch.lo,
    max: sketch.hi,
    p95: quantile(sketch, 0.95) as number,
    p95RelativeError: RELATIVE_ACCURACY,
    terminatedEarly: window.terminatedEarly,
    ...(verdict.baseline ? { baseline: verdict.baseline } : {}),
    ...(verdict.judged ? { zScore: verdict.zScore, criticalZ: verdict.criticalZ } : {}),
    anomaly,
    inBaseline: !anomaly || previous.anomaliesInARow + 1 >= LEVEL_SHIFT_RUN,
    ...(anomaly ? { alert: 'pending' as const, alertId: `${metricKey}@${windowId}` } : {}),
    writtenAt: now.toISOString(),
    expiresAt: Math.floor(new Date(window.end).getTime() / 1000) + settings.aggregateTtlDays * 86_400,
  };
}

export interface PreviousWindows {
  /** Means of the key's last windows that count in a baseline (inBaseline), newest first. */
  means: number[];
  /** How many of the key's latest windows, just before this one, were anomalies. */
  anomaliesInARow: number;
  /** Earlier anomalies whose alert never reached SNS (a window whose retries ran out): published again. */
  pendingAlerts: AggregateItem[];
}

/**
 * The key's windows before `windowStart`, newest first, until `baselineWindows` that count in a
 * baseline are found: one strongly consistent Query page (or a few, when anomalies are among them).
 */
export async function previousWindows(db: DynamoDBDocumentClient, settings: FlushSettings, metricKey: string, windowStart: string): Promise<PreviousWindows> {
  const result: PreviousWindows = { means: [], anomaliesInARow: 0, pendingAlerts: [] };
  let run = true;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 20; page++) {
    const { Items = [], LastEvaluatedKey } = await db.send(
      new QueryCommand({
        TableName: settings.tableName,
        KeyConditionExpression: '#key = :key AND #window < :start',
        ExpressionAttributeNames: { '#key': aggregatesTable.partitionKey, '#window': aggregatesTable.sortKey },
        ExpressionAttributeValues: { ':key': metricKey, ':start': iso(windowStart) },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: settings.baselineWindows - result.means.length + 5,
        ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
      }),
    );
    for (const item of Items as AggregateItem[]) {
      if (item.alert === 'pending') result.pendingAlerts.push(item);
      if (run && item.anomaly) result.anomaliesInARow += 1;
      else run = false;
      if ((item.inBaseline ?? !item.anomaly) && result.means.length < settings.baselineWindows) result.means.push(item.mean);
    }
    if (!LastEvaluatedKey || result.means.length >= settings.baselineWindows) break;
    exclusiveStartKey = LastEvaluatedKey;
  }
  return result;
}

/**
 * Writes the item once: a second delivery of the same window (a retried final invocation) finds
 * it there and gets the stored item back, with its alert status, instead of overwriting it.
 */
export async function putOnce(db: DynamoDBDocumentClient, tableName: string, item: AggregateItem): Promise<{ item: AggregateItem; written: boolean }> {
  try {
    await db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': aggregatesTable.partitionKey } }));
    return { item, written: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { [aggregatesTable.partitionKey]: item.metricKey, [aggregatesTable.sortKey]: item.windowId }, ConsistentRead: true }));
    return { item: Item as AggregateItem, written: false };
  }
}

/** Marks a pending alert as done (published or muted); a no-op when another attempt already did. */
export async function settleAlert(db: DynamoDBDocumentClient, tableName: string, item: AggregateItem, outcome: { alert: 'published'; messageId: string } | { alert: 'muted' }, now = new Date()): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [aggregatesTable.partitionKey]: item.metricKey, [aggregatesTable.sortKey]: item.windowId },
        ConditionExpression: '#alert = :pending',
        ExpressionAttributeNames: { '#alert': 'alert' },
        UpdateExpression: outcome.alert === 'published' ? 'SET #alert = :alert, messageId = :messageId, alertedAt = :now' : 'SET #alert = :alert, alertedAt = :now',
        ExpressionAttributeValues: { ':pending': 'pending', ':alert': outcome.alert, ':now': now.toISOString(), ...(outcome.alert === 'published' ? { ':messageId': outcome.messageId } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
