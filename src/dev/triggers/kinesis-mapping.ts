/**
 * Kinesis event source mappings: one consumer per shard reads kinesalite in order and invokes the
 * function with Lambda's Kinesis event, with Lambda's stream error handling: a failed batch blocks
 * its shard and is retried (BisectBatchOnFunctionError splits it without using the retry quota;
 * ReportBatchItemFailures checkpoints at the lowest failed sequence number) until
 * MaximumRetryAttempts or MaximumRecordAgeInSeconds discards it to DestinationConfig.OnFailure.
 * TumblingWindowInSeconds carries the handler's `state` through a window and ends it with a
 * final invocation.
 */
import { randomUUID } from 'node:crypto';

import type { Deliver, DevLog, DevTiming, Invoker, ResolvedApp } from '../types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, scaled } from '../types.js';
import { passesFilters, parsedOrRaw, readBatchItemFailures, readMapping, sleep, type MappingConfig } from './mapping-common.js';

export interface KinesisMappingsOptions {
  app: ResolvedApp;
  invoker: Invoker;
  deliver: Deliver;
  log: DevLog;
  timing: DevTiming;
  /** kinesalite's URL (HTTP/1.1). */
  kinesisEndpoint: string;
  /** Pause between GetRecords calls on an idle shard (Lambda polls each shard about once a second). */
  pollMs?: number;
  now?: () => number;
}

export interface KinesisMappings {
  active: Array<{ id: string; stream: string; functionName: string; shards: string[] }>;
  /** Resolves once every shard has its iterator (records put after this are seen by LATEST mappings). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** One record as GetRecords returns it. */
export interface StreamRecord {
  SequenceNumber: string;
  PartitionKey: string;
  Data: Uint8Array;
  ApproximateArrivalTimestamp: Date;
}

export interface KinesisEventRecord {
  kinesis: { kinesisSchemaVersion: '1.0'; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export function kinesisEventRecord(record: StreamRecord, shardId: string, streamArn: string, roleArn: string): KinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey,
      sequenceNumber: record.SequenceNumber,
      data: Buffer.from(record.Data).toString('base64'),
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: roleArn,
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
  };
}

/** Lambda's retry back-off on a stream: doubling from 1 s, at most a minute (then scaled). */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;
const GET_RECORDS_LIMIT = 10_000;

export function startKinesisMappings(options: KinesisMappingsOptions): KinesisMappings {
  const { app, log } = options;
  const abort = new AbortController();
  const consumers: Promise<void>[] = [];
  const readiness: Promise<void>[] = [];
  const active: KinesisMappings['active'] = [];
  let client: any;
  const clientReady = (async () => {
    const [{ KinesisClient }, { NodeHttpHandler }] = await Promise.all([import('@aws-sdk/client-kinesis'), import('@smithy/node-http-handler')]);
    // SDK v3's Kinesis client defaults to HTTP/2, which kinesalite does not speak.
    client = new KinesisClient({ region: LOCAL_REGION, endpoint: options.kinesisEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: new NodeHttpHandler() });
    return client;
  })();

  for (const resource of app.ofType('AWS::Lambda::EventSourceMapping')) {
    const arn = String(resource.properties.EventSourceArn ?? '');
    if (!arn.startsWith('arn:aws:kinesis:')) continue;
    const mapping = readMapping(resource);
    if (!mapping.enabled) {
      log({ kind: 'info', source: mapping.functionName, message: `mapping ${mapping.id} on ${arn} is disabled (Enabled: false)` });
      continue;
    }
    if (arn.includes('/consumer/')) log({ kind: 'info', source: mapping.functionName, message: `mapping ${mapping.id} uses an enhanced fan-out consumer: read as a shared-throughput consumer locally` });
    const streamArn = arn.replace(/\/consumer\/.*$/, '');
    const streamName = streamArn.split('/').pop()!;
    const entry = { id: mapping.id, stream: streamName, functionName: mapping.functionName, shards: [] as string[] };
    active.push(entry);
    const fn = app.find(mapping.functionName);
    const functionArn = fn?.attributes.Arn ?? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${mapping.functionName}`;
    const role = typeof fn?.properties.Role === 'string' ? fn.properties.Role : `arn:aws:iam::${LOCAL_ACCOUNT}:role/${mapping.functionName}`;
    const shardsReady = (async () => {
      const kinesis = await clientReady;
      const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
      const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      const starts: Promise<void>[] = [];
      for (const shard of Shards as Array<{ ShardId: string }>) {
        entry.shards.push(shard.ShardId);
        const consumer = new ShardConsumer({ ...options, mapping, streamArn, streamName, shardId: shard.ShardId, functionArn, roleArn: role, client: kinesis, signal: abort.signal });
        starts.push(consumer.started);
        consumers.push(consumer.run());
      }
      await Promise.all(starts);
    })().catch((error: Error) => {
      log({ kind: 'error', source: streamName, message: `mapping ${mapping.id} could not start: ${error.message}` });
    });
    readiness.push(shardsReady);
  }

  return {
    active,
    ready: Promise.all(readiness).then(() => undefined),
    async close() {
      abort.abort();
      await Promise.all(readiness);
      await Promise.all(consumers);
      if (client) client.destroy();
      else await clientReady.then((c) => c.destroy()).catch(() => undefined);
    },
  };
}

interface ShardDeps extends KinesisMappingsOptions {
  mapping: MappingConfig;
  streamArn: string;
  streamName: string;
  shardId: string;
  functionArn: string;
  roleArn: string;
  client: any;
  signal: AbortSignal;
}

type BatchOutcome = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; functionError: boolean; message: string };

interface Window {
  start: number;
  end: number;
  state: unknown;
}

class ShardConsumer {
  readonly started: Promise<void>;
  private markStarted!: () => void;
  private iterator?: string;
  private lastRead?: string;
  private readonly buffer: StreamRecord[] = [];
  private bufferSince = 0;
  private window?: Window;
  private readonly now: () => number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly maxAgeMs: number;
  private readonly windowMs: number;

  constructor(private readonly deps: ShardDeps) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.now = deps.now ?? Date.now;
    const p = deps.mapping.properties;
    this.batchSize = deps.mapping.batchSize ?? 100;
    this.maxRetries = p.MaximumRetryAttempts === undefined ? -1 : Number(p.MaximumRetryAttempts);
    this.maxAgeMs = p.MaximumRecordAgeInSeconds === undefined || Number(p.MaximumRecordAgeInSeconds) === -1 ? -1 : Number(p.MaximumRecordAgeInSeconds) * 1000;
    // A window groups records by arrival time: it is data semantics, not a wait, so it is not scaled.
    this.windowMs = Number(p.TumblingWindowInSeconds ?? 0) * 1000;
  }

  async run(): Promise<void> {
    const { signal, log, streamName } = this.deps;
    try {
      this.iterator = await this.initialIterator();
    } catch (error) {
      log({ kind: 'error', source: streamName, message: `${this.deps.shardId}: no shard iterator: ${(error as Error).message}` });
      return;
    } finally {
      this.markStarted();
    }
    while (!signal.aborted) {
      try {
        const read = await this.read();
        const batch = this.nextBatch();
        if (batch) await this.process(batch);
        else {
          await this.closeWindowIfDue();
          if (read === 0) await sleep(this.deps.pollMs ?? 250, signal);
          else await sleep(10, signal);
        }
        if (!this.iterator && this.buffer.length === 0) {
          await this.closeWindowIfDue(true);
          log({ kind: 'info', source: streamName, message: `${this.deps.shardId} is closed: consumer done` });
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        log({ kind: 'error', source: streamName, message: `${this.deps.shardId}: ${(error as Error).message}` });
        await sleep(1000, signal);
      }
    }
  }

  private async initialIterator(): Promise<string> {
    const { GetShardIteratorCommand } = await import('@aws-sdk/client-kinesis');
    const p = this.deps.mapping.properties;
    const type = String(p.StartingPosition ?? 'LATEST');
    const input: Record<string, unknown> = { StreamName: this.deps.streamName, ShardId: this.deps.shardId, ShardIteratorType: type };
    if (type === 'AT_TIMESTAMP') input.Timestamp = new Date(Number(p.StartingPositionTimestamp) * 1000);
    const { ShardIterator } = await this.deps.client.send(new GetShardIteratorCommand(input as never));
    return ShardIterator;
  }

  /** Fills the buffer from the shard (at most one GetRecords call); returns how many records arrived. */
  private async read(): Promise<number> {
    if (!this.iterator || this.buffer.length >= this.batchSize) return 0;
    const { GetRecordsCommand, GetShardIteratorCommand } = await import('@aws-sdk/client-kinesis');
    let output: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      output = await this.deps.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }));
    } catch (error) {
      // A long retry of a failed batch lets the iterator expire (5 minutes): resume after the last record read.
      if ((error as Error).name !== 'ExpiredIteratorException') throw error;
      const resume = this.lastRead
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.lastRead }
        : { ShardIteratorType: String(this.deps.mapping.properties.StartingPosition ?? 'LATEST') };
      const { ShardIterator } = await this.deps.client.send(new GetShardIteratorCommand({ StreamName: this.deps.streamName, ShardId: this.deps.shardId, ...resume } as never));
      this.iterator = ShardIterator;
      return 0;
    }
    this.iterator = output.NextShardIterator;
    const records = output.Records ?? [];
    if (records.length) {
      if (this.buffer.length === 0) this.bufferSince = this.now();
      this.buffer.push(...records);
      this.lastRead = records.at(-1)!.SequenceNumber;
    }
    return records.length;
  }

  /** A batch is due when BatchSize records are buffered or the (scaled) batching window has passed since the first. */
  private nextBatch(): StreamRecord[] | undefined {
    if (this.buffer.length === 0) return undefined;
    const windowMs = scaled(this.deps.timing, this.deps.mapping.batchingWindowSeconds * 1000);
    const full = this.buffer.length >= this.batchSize;
    if (!full && this.iterator && this.now() - this.bufferSince < windowMs) return undefined;
    const batch = this.buffer.splice(0, this.batchSize);
    this.bufferSince = this.now();
    return batch;
  }

  private toEventRecords(records: StreamRecord[]): KinesisEventRecord[] {
    return records.map((r) => kinesisEventRecord(r, this.deps.shardId, this.deps.streamArn, this.deps.roleArn));
  }

  private async process(batch: StreamRecord[]): Promise<void> {
    // Lambda drops records no filter matches (they count as processed).
    const kept = batch.filter((r) => {
      const event = kinesisEventRecord(r, this.deps.shardId, this.deps.streamArn, this.deps.roleArn);
      return passesFilters(this.deps.mapping.filters, { ...event.kinesis, data: parsedOrRaw(Buffer.from(r.Data).toString('utf8')) });
    });
    if (kept.length === 0) return;
    if (this.windowMs <= 0) {
      await this.deliverWithRetries(kept, 0);
      return;
    }
    // Tumbling windows: records go to the window of their arrival time, in order; a new window ends the previous one.
    let group: StreamRecord[] = [];
    let groupStart: number | undefined;
    const flush = async () => {
      if (group.length && groupStart !== undefined) await this.deliverToWindow(groupStart, group);
      group = [];
    };
    for (const record of kept) {
      const start = Math.floor(record.ApproximateArrivalTimestamp.getTime() / this.windowMs) * this.windowMs;
      if (groupStart !== undefined && start !== groupStart) await flush();
      groupStart = start;
      group.push(record);
    }
    await flush();
  }

  private async deliverToWindow(start: number, records: StreamRecord[]): Promise<void> {
    if (this.window && this.window.start !== start) await this.finishWindow();
    if (!this.window) this.window = { start, end: start + this.windowMs, state: {} };
    await this.deliverWithRetries(records, 0);
  }

  private async closeWindowIfDue(force = false): Promise<void> {
    if (this.window && (force || this.now() >= this.window.end)) await this.finishWindow();
  }

  /** The final invocation of a window: no records, isFinalInvokeForWindow true, the state so far. */
  private async finishWindow(): Promise<void> {
    await this.deliverWithRetries([], 0, true);
    this.window = undefined;
  }

  private event(records: StreamRecord[], final: boolean): unknown {
    const Records = this.toEventRecords(records);
    if (!this.window) return { Records };
    return {
      Records,
      window: { start: new Date(this.window.start).toISOString(), end: new Date(this.window.end).toISOString() },
      state: this.window.state,
      shardId: this.deps.shardId,
      eventSourceARN: this.deps.streamArn,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: false,
    };
  }

  /** Lambda's stream error handling for one batch; resolves when the batch is processed or discarded. */
  private async deliverWithRetries(records: StreamRecord[], attempt: number, final = false, invokeCount = { n: 0 }): Promise<void> {
    const { signal, log, streamName, mapping } = this.deps;
    for (;;) {
      if (signal.aborted) return;
      if (this.expired(records)) return this.discard(records, 'RecordAgeExceeded', invokeCount.n, undefined);
      invokeCount.n += 1;
      const outcome = await this.invoke(records, final);
      if (outcome.kind === 'ok') return;
      if (outcome.kind === 'partial') {
        log({ kind: 'trigger', source: streamName, message: `${mapping.functionName} reported a failure at ${records[outcome.from]!.SequenceNumber}: retrying from there` });
        records = records.slice(outcome.from);
      } else {
        log({ kind: 'warning', source: streamName, message: `${mapping.functionName} failed on ${records.length} record(s) of ${this.deps.shardId}: ${outcome.message}` });
        if (this.maxRetries !== -1 && attempt >= this.maxRetries) return this.discard(records, 'RetryAttemptsExhausted', invokeCount.n, outcome);
        const bisect = mapping.properties.BisectBatchOnFunctionError === true || mapping.properties.BisectBatchOnFunctionError === 'true';
        if (bisect && outcome.functionError && records.length > 1) {
          // Splitting does not use the retry quota.
          const half = Math.ceil(records.length / 2);
          await this.deliverWithRetries(records.slice(0, half), attempt, final, { n: 0 });
          await this.deliverWithRetries(records.slice(half), attempt, final, { n: 0 });
          return;
        }
      }
      if (this.maxRetries !== -1 && attempt >= this.maxRetries) return this.discard(records, 'RetryAttemptsExhausted', invokeCount.n, undefined);
      attempt += 1;
      await sleep(scaled(this.deps.timing, Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS)), signal);
    }
  }

  private expired(records: StreamRecord[]): boolean {
    if (this.maxAgeMs < 0 || records.length === 0) return false;
    return this.now() - records[0]!.ApproximateArrivalTimestamp.getTime() > this.maxAgeMs;
  }

  private async invoke(records: StreamRecord[], final: boolean): Promise<BatchOutcome> {
    const { invoker, mapping, log, streamName } = this.deps;
    if (records.length) log({ kind: 'trigger', source: streamName, message: `${records.length} record(s) of ${this.deps.shardId} → ${mapping.functionName}` });
    const result = await invoker.invoke(mapping.functionName, this.event(records, final));
    if (!result.ok) return { kind: 'error', functionError: true, message: `${result.error.errorType}: ${result.error.errorMessage}` };
    if (this.window && result.payload && typeof result.payload === 'object' && 'state' in result.payload) {
      this.window.state = (result.payload as { state: unknown }).state;
    }
    if (!mapping.reportBatchItemFailures || records.length === 0) return { kind: 'ok' };
    const response = readBatchItemFailures(result.payload, new Set(records.map((r) => r.SequenceNumber)));
    if (!response.ok) return { kind: 'error', functionError: false, message: `invalid batch response: ${response.reason}` };
    if (response.failed.length === 0) return { kind: 'ok' };
    const lowest = response.failed.reduce((a, b) => (BigInt(a) <= BigInt(b) ? a : b));
    return { kind: 'partial', from: records.findIndex((r) => r.SequenceNumber === lowest) };
  }

  /** Sends the on-failure record AWS sends (metadata of the discarded batch) to DestinationConfig.OnFailure. */
  private async discard(records: StreamRecord[], condition: 'RecordAgeExceeded' | 'RetryAttemptsExhausted', invokeCount: number, outcome: BatchOutcome | undefined): Promise<void> {
    const { deliver, log, streamName, mapping } = this.deps;
    const destination = mapping.properties.DestinationConfig?.OnFailure?.Destination;
    log({ kind: 'warning', source: streamName, message: `${records.length} record(s) of ${this.deps.shardId} discarded (${condition})${destination ? ` → ${destination}` : ''}` });
    if (!destination || records.length === 0) return;
    const failure = {
      requestContext: { requestId: randomUUID(), functionArn: this.deps.functionArn, condition, approximateInvokeCount: invokeCount },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(outcome?.kind === 'error' && outcome.functionError ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      KinesisBatchInfo: {
        shardId: this.deps.shardId,
        startSequenceNumber: records[0]!.SequenceNumber,
        endSequenceNumber: records.at(-1)!.SequenceNumber,
        approximateArrivalOfFirstRecord: records[0]!.ApproximateArrivalTimestamp.toISOString(),
        approximateArrivalOfLastRecord: records.at(-1)!.ApproximateArrivalTimestamp.toISOString(),
        batchSize: records.length,
        streamArn: this.deps.streamArn,
      },
    };
    try {
      await deliver(destination, { body: JSON.stringify(failure) });
    } catch (error) {
      log({ kind: 'error', source: streamName, message: `could not send the failed batch to ${destination}: ${(error as Error).message}` });
    }
  }
}
