import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AggregateItem } from './aggregates.js';

/** What a subscriber receives, as the SNS message body (JSON). */
export interface AnomalyAlert {
  type: 'anomaly';
  /** The same for every delivery of this alert: a subscriber can drop a rare duplicate with it. */
  alertId: string;
  metricKey: string;
  window: { start: string; end: string };
  shardId: string;
  count: number;
  mean: number;
  p95: number;
  min: number;
  max: number;
  baseline: { windows: number; mean: number; stdDev: number };
  zScore: number;
  criticalZ: number;
  direction: 'above' | 'below';
}

export function anomalyAlert(item: AggregateItem): AnomalyAlert {
  if (!item.alertId || !item.baseline || item.zScore === undefined || item.criticalZ === undefined) {
    throw new Error(`${item.metricKey} ${item.windowId} is not an anomaly`);
  }
  return {
    type: 'anomaly',
    alertId: item.alertId,
    metricKey: item.metricKey,
    window: { start: item.windowStart, end: item.windowEnd },
    shardId: item.shardId,
    count: item.count,
    mean: item.mean,
    p95: item.p95,
    min: item.min,
    max: item.max,
    baseline: item.baseline,
    zScore: item.zScore,
    criticalZ: item.criticalZ,
    direction: item.zScore > 0 ? 'above' : 'below',
  };
}

const round = (value: number) => Number(value.toPrecision(4));

/**
 * SNS subjects (email subscriptions show them) are ASCII, printable, without line breaks, under
 * 100 characters: anything else in the metric key becomes "?".
 */
export function alertSubject(alert: AnomalyAlert): string {
  const key = alert.metricKey.replace(/[^\x20-\x7e]/g, '?');
  return `Anomaly: ${key} mean ${round(alert.mean)} ${alert.direction} baseline ${round(alert.baseline.mean)} (z ${alert.zScore.toFixed(1)})`.slice(0, 99);
}

/**
 * Publishes one alert. Message attributes carry the metric key (subscriptions can filter on it,
 * e.g. `{"metricKey":[{"prefix":"checkout."}]}`) and the alert id.
 */
export async function publishAlert(sns: SNSClient, topicArn: string, alert: AnomalyAlert): Promise<string> {
  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: alertSubject(alert),
      Message: JSON.stringify(alert),
      MessageAttributes: {
        metricKey: { DataType: 'String', StringValue: alert.metricKey },
        alertId: { DataType: 'String', StringValue: alert.alertId },
        direction: { DataType: 'String', StringValue: alert.direction },
      },
    }),
  );
  if (!MessageId) throw new Error(`SNS returned no MessageId for ${alert.alertId}`);
  return MessageId;
}
