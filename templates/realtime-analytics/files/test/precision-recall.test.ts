import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticStream } from '../src/lib/synthetic.js';
import { createAggregatesTable, type Dynamo, startDynamo, useAggregatorEnvironment, windowsOf } from './helpers/emulators.js';
import { driveWindows, metricRecords, type WindowHandler } from './helpers/tumbling.js';

// The whole detector on a generated stream with anomalies injected at known (key, window) points:
// the real aggregator, dynalite for the table, SNS mocked, Lambda's windows played by the helper.
// The options are the template's defaults (60 s windows, z-score threshold 3, 30-window baseline).

const TABLE = 'aggregates-precision-test';
const WINDOW = 60;
const START = Date.UTC(2026, 10, 26, 0, 0, 0);
const sns = mockClient(SNSClient);
let dynamo: Dynamo;
let handler: WindowHandler;

beforeAll(async () => {
  dynamo = await startDynamo();
  useAggregatorEnvironment(dynamo.endpoint, { AGGREGATES_TABLE_NAME: TABLE, Z_SCORE_THRESHOLD: '3', BASELINE_WINDOWS: '30' });
  await createAggregatesTable(dynamo.dynamo, TABLE);
  handler = (await import('../src/functions/aggregate-window.js')).handler;
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(() => dynamo?.stop());

describe('anomaly detection on a generated stream', () => {
  it('finds the injected anomalies with precision and recall of at least 0.9', async () => {
    const stream = syntheticStream({ seed: 2026, keys: 12, windows: 60, windowSeconds: WINDOW, start: START, anomalyRate: 0.06, anomalyShift: 8, warmupWindows: 10 });
    expect(stream.anomalies.size).toBeGreaterThan(20);

    await driveWindows(handler, metricRecords(stream.metrics), { windowSeconds: WINDOW, batchSize: 100 });

    const detected = new Set<string>();
    let windows = 0;
    for (const key of stream.keys) {
      const items = await windowsOf(dynamo.db, TABLE, key);
      windows += items.length;
      for (const item of items) if (item.anomaly) detected.add(`${key}@${(Date.parse(item.windowStart) - START) / (WINDOW * 1000)}`);
    }
    expect(windows).toBe(12 * 60);
    const truePositives = [...detected].filter((point) => stream.anomalies.has(point)).length;
    const precision = truePositives / detected.size;
    const recall = truePositives / stream.anomalies.size;
    console.log(
      `precision ${precision.toFixed(3)} (${truePositives} of ${detected.size} reported), recall ${recall.toFixed(3)} (${truePositives} of ${stream.anomalies.size} injected), over ${windows} windows`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    // Every reported anomaly was published once.
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, detected.size);
  });
});
