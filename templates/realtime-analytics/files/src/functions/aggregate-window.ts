import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import type { FlushSettings } from '../lib/aggregates.js';
import { alertsMuted } from '../lib/flag-client.js';
import { FlushError, flushWindow } from '../lib/flush.js';
import { logger, metrics, tracer } from '../lib/powertools.js';
import { foldRecords, readState, STATE_BUDGET_BYTES } from '../lib/window-state.js';

const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
const sns = tracer.captureAWSv3Client(new SNSClient({}));

function numberFrom(name: string): number {
  const value = Number(process.env[name]);
  if (!Number.isFinite(value)) throw new Error(`${name} must be set to a number (the stack sets it)`);
  return value;
}

/** Read on each invocation (cheap), so tests can set the environment before calling the handler. */
function settings(): FlushSettings {
  return {
    tableName: process.env.AGGREGATES_TABLE_NAME ?? '',
    zScoreThreshold: numberFrom('Z_SCORE_THRESHOLD'),
    baselineWindows: numberFrom('BASELINE_WINDOWS'),
    aggregateTtlDays: numberFrom('AGGREGATE_TTL_DAYS'),
  };
}

/** The tumbling-window event; Lambda also sends the shard id and stream ARN (not in @types/aws-lambda). */
export type WindowEvent = KinesisStreamTumblingWindowEvent & { shardId?: string; eventSourceARN?: string };

/**
 * The stream's consumer, on Lambda's tumbling windows. Lambda invokes it with batches of one
 * shard's records and the window they belong to (by arrival time), passing back the `state` the
 * previous invocation of the window returned. Every invocation folds its records into the state
 * (count, sum, min, max and a p95 sketch per metric key) and returns it. The last invocation of
 * the window (isFinalInvokeForWindow), or one that Lambda ended early (isWindowTerminatedEarly,
 * when a state would pass 1 MB or the shard ends), writes each key's aggregates to DynamoDB,
 * judges the window's mean against the key's baseline and publishes anomalies to SNS.
 *
 * Failures: a record that is not a metric is counted and set aside (it can never succeed). Any
 * other error is thrown, so Lambda retries the invocation with the state from before it; the
 * writes of the final invocation are idempotent (see src/lib/flush.ts). The handler never reports
 * partial batch failures: with a state that already contains part of the batch, a partial
 * checkpoint would count those records twice.
 */
export const handler = async (event: WindowEvent, context: Context): Promise<KinesisStreamStateResponse> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const state = readState(event.state);
    const fold = foldRecords(state, event.Records ?? []);
    metrics.addMetric('RecordsAggregated', MetricUnit.Count, fold.folded);
    if (fold.duplicates) metrics.addMetric('RecordsDuplicate', MetricUnit.Count, fold.duplicates);
    if (fold.rejected.length) {
      metrics.addMetric('RecordsRejected', MetricUnit.Count, fold.rejected.length);
      logger.warn('Records that are not metrics were set aside', { count: fold.rejected.length, first: fold.rejected.slice(0, 5) });
    }
    if (fold.dropped || fold.squeezed) {
      metrics.addMetric('RecordsDroppedOverStateBudget', MetricUnit.Count, fold.dropped);
      logger.error('The window state reached its size budget: records of new keys are dropped', {
        budgetBytes: STATE_BUDGET_BYTES,
        keys: Object.keys(state.keys).length,
        dropped: fold.dropped,
        squeezed: fold.squeezed,
        droppedKeys: fold.droppedKeys,
        shard: state.shard,
      });
    }

    if (!event.isFinalInvokeForWindow && !event.isWindowTerminatedEarly) {
      metrics.addMetric('StateBytes', MetricUnit.Bytes, Buffer.byteLength(JSON.stringify(state)));
      return { state, batchItemFailures: [] };
    }

    const shardId = state.shard ?? event.shardId;
    if (state.first === undefined || shardId === undefined) return { state: {}, batchItemFailures: [] }; // an empty window
    const window = { start: event.window.start, end: event.window.end, shardId, first: state.first, terminatedEarly: event.isWindowTerminatedEarly };
    const result = await flushWindow({ db, sns, topicArn: process.env.ANOMALY_TOPIC_ARN ?? '', settings: settings(), muted: alertsMuted }, window, state);
    metrics.addMetric('AggregatesWritten', MetricUnit.Count, result.written);
    metrics.addMetric('AnomaliesDetected', MetricUnit.Count, result.anomalies.length);
    metrics.addMetric('AlertsPublished', MetricUnit.Count, result.published.length + result.caughtUp.length);
    logger.info('Window flushed', {
      window: event.window,
      shardId,
      terminatedEarly: event.isWindowTerminatedEarly,
      keys: result.keys,
      written: result.written,
      alreadyWritten: result.alreadyWritten,
      anomalies: result.anomalies.map((item) => ({ metricKey: item.metricKey, mean: item.mean, zScore: item.zScore, alert: item.alert })),
      rejected: state.rejected,
      mismatchedPartitionKeys: state.mismatched,
      droppedOverBudget: state.dropped,
    });
    if (state.mismatched) metrics.addMetric('PartitionKeyMismatches', MetricUnit.Count, state.mismatched);
    if (result.failures.length) {
      for (const { metricKey, error } of result.failures.slice(0, 10)) logger.error('Key not flushed; Lambda retries the window', { metricKey, error: error as Error });
      throw new FlushError(result);
    }
    return { state: {}, batchItemFailures: [] };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
