import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AggregateItem, aggregateItem, type FlushSettings, previousWindows, putOnce, settleAlert, type WindowRef } from './aggregates.js';
import { anomalyAlert, publishAlert } from './alerts.js';
import type { WindowState } from './window-state.js';

export interface FlushDeps {
  db: DynamoDBDocumentClient;
  sns: SNSClient;
  topicArn: string;
  settings: FlushSettings;
  /** The sample flag: true keeps this key's anomalies out of SNS. */
  muted(metricKey: string): Promise<boolean>;
  /** Keys written at the same time. */
  concurrency?: number;
}

export interface FlushResult {
  keys: number;
  written: number;
  /** Items already there (a redelivered window): left as they were. */
  alreadyWritten: number;
  anomalies: AggregateItem[];
  published: string[];
  muted: string[];
  /** Pending alerts of earlier windows published now. */
  caughtUp: string[];
  failures: Array<{ metricKey: string; error: unknown }>;
}

/**
 * Delivers an alert that is `pending` on its item: publish (or mute), then mark it. A crash between
 * the two leaves it pending, and the next attempt publishes it again: at least once, never lost.
 */
async function deliver(deps: FlushDeps, item: AggregateItem, result: FlushResult, caughtUp: boolean): Promise<void> {
  if (await deps.muted(item.metricKey)) {
    if (await settleAlert(deps.db, deps.settings.tableName, item, { alert: 'muted' })) result.muted.push(item.alertId as string);
    return;
  }
  const messageId = await publishAlert(deps.sns, deps.topicArn, anomalyAlert(item));
  await settleAlert(deps.db, deps.settings.tableName, item, { alert: 'published', messageId });
  (caughtUp ? result.caughtUp : result.published).push(item.alertId as string);
}

async function flushKey(deps: FlushDeps, window: WindowRef, metricKey: string, state: WindowState, result: FlushResult): Promise<void> {
  const sketch = Object.hasOwn(state.keys, metricKey) ? state.keys[metricKey] : undefined;
  if (!sketch || sketch.n === 0) return;
  const previous = await previousWindows(deps.db, deps.settings, metricKey, window.start);
  const { item, written } = await putOnce(deps.db, deps.settings.tableName, aggregateItem(metricKey, sketch, window, previous, deps.settings));
  if (written) result.written += 1;
  else result.alreadyWritten += 1;
  if (item.anomaly) result.anomalies.push(item);
  if (item.alert === 'pending') await deliver(deps, item, result, false);
  for (const pending of previous.pendingAlerts) await deliver(deps, pending, result, true);
}

/**
 * The final invocation of a window (or of a window Lambda ended early): for every key of the
 * state, read its previous windows, write its aggregates once, and deliver its alert. Keys go in
 * parallel; one key's failure does not stop the others, and the whole flush then throws, so Lambda
 * retries the invocation with the same state: keys already written are found and skipped, pending
 * alerts are published.
 */
export async function flushWindow(deps: FlushDeps, window: WindowRef, state: WindowState): Promise<FlushResult> {
  const keys = Object.keys(state.keys);
  const result: FlushResult = { keys: keys.length, written: 0, alreadyWritten: 0, anomalies: [], published: [], muted: [], caughtUp: [], failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const metricKey = keys[next++] as string;
      try {
        await flushKey(deps, window, metricKey, state, result);
      } catch (error) {
        result.failures.push({ metricKey, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 16, keys.length)) }, worker));
  return result;
}

export class FlushError extends Error {
  override readonly name = 'FlushError';
  constructor(readonly result: FlushResult) {
    const first = result.failures[0];
    super(`${result.failures.length} of ${result.keys} keys could not be flushed (first: ${first?.metricKey}: ${(first?.error as Error)?.message ?? String(first?.error)}); Lambda retries the window`);
  }
}
