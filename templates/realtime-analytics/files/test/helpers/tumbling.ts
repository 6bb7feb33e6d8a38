import type { _Record } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamRecord, KinesisStreamStateResponse } from 'aws-lambda';
import { encodeMetric, type Metric } from '../../src/lib/metric.js';
import type { WindowEvent } from '../../src/functions/aggregate-window.js';

export type WindowHandler = (event: WindowEvent, context: Context) => Promise<KinesisStreamStateResponse>;

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/metrics';

export const lambdaContext = (): Context =>
  ({
    functionName: 'aggregator',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:aggregator',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/aggregator',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** A record as Lambda delivers it: base64 data, arrival time in epoch seconds, eventID `<shard>:<sequence>`. */
export function eventRecord(data: Uint8Array | string, partitionKey: string, sequenceNumber: string, arrivalMs: number, shardId = 'shardId-000000000000'): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/aggregator',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

let sequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
/** Metrics as records of one shard, each with the next sequence number, partition key = metric key. */
export function metricRecords(metrics: ReadonlyArray<Metric & { at: number }>, shardId = 'shardId-000000000000'): KinesisStreamRecord[] {
  return metrics.map((metric) => eventRecord(encodeMetric(metric), metric.key, String((sequence += 17n)), metric.at, shardId));
}

/** A record read back from kinesalite, as Lambda would deliver it. */
export function fromKinesis(record: _Record, shardId: string): KinesisStreamRecord {
  return eventRecord(record.Data as Uint8Array, record.PartitionKey as string, record.SequenceNumber as string, (record.ApproximateArrivalTimestamp as Date).getTime(), shardId);
}

export function windowOf(arrivalMs: number, windowSeconds: number): { start: string; end: string } {
  const size = windowSeconds * 1000;
  const start = Math.floor(arrivalMs / size) * size;
  return { start: new Date(start).toISOString().replace('.000Z', 'Z'), end: new Date(start + size).toISOString().replace('.000Z', 'Z') };
}

export function windowEvent(records: KinesisStreamRecord[], window: { start: string; end: string }, state: Record<string, unknown> | undefined, flags: { final?: boolean; early?: boolean } = {}): WindowEvent {
  return {
    Records: records,
    window,
    state: state ?? {},
    shardId: 'shardId-000000000000',
    eventSourceARN: STREAM_ARN,
    isFinalInvokeForWindow: flags.final ?? false,
    isWindowTerminatedEarly: flags.early ?? false,
  };
}

export interface WindowRun {
  window: { start: string; end: string };
  /** Every event the handler got for the window, the final one last. */
  events: WindowEvent[];
  responses: KinesisStreamStateResponse[];
}

/**
 * Plays Lambda's part for one shard with tumbling windows, as the Lambda developer guide describes
 * it: records go to the window of their arrival time; each window's records come in batches of
 * `batchSize`, one invocation each, every invocation getting the state the previous one returned
 * (`{}` for the first); then a final invocation (isFinalInvokeForWindow, no records) with the last
 * state. Windows are delivered in order.
 */
export async function driveWindows(handler: WindowHandler, records: KinesisStreamRecord[], options: { windowSeconds: number; batchSize: number }): Promise<WindowRun[]> {
  const byWindow = new Map<string, { window: { start: string; end: string }; records: KinesisStreamRecord[] }>();
  for (const record of records) {
    const window = windowOf(record.kinesis.approximateArrivalTimestamp * 1000, options.windowSeconds);
    const entry = byWindow.get(window.start) ?? { window, records: [] };
    entry.records.push(record);
    byWindow.set(window.start, entry);
  }
  const runs: WindowRun[] = [];
  for (const { window, records: inWindow } of [...byWindow.values()].sort((a, b) => a.window.start.localeCompare(b.window.start))) {
    const run: WindowRun = { window, events: [], responses: [] };
    let state: Record<string, unknown> = {};
    const invoke = async (batch: KinesisStreamRecord[], final: boolean) => {
      const event = windowEvent(batch, window, state, { final });
      run.events.push(event);
      // Lambda serializes the state between invocations: a copy, never the handler's own object.
      const response = await handler(event, lambdaContext());
      run.responses.push(JSON.parse(JSON.stringify(response)));
      state = JSON.parse(JSON.stringify(response.state));
    };
    for (let offset = 0; offset < inWindow.length; offset += options.batchSize) await invoke(inWindow.slice(offset, offset + options.batchSize), false);
    await invoke([], true);
    runs.push(run);
  }
  return runs;
}
