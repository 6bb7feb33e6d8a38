/**
 * SQS event source mappings: Lambda's pollers for a queue. Each mapping receives batches with the
 * queue's visibility timeout, invokes its function synchronously with the SQS event, and deletes
 * what succeeded; what failed stays in the queue, comes back after the visibility timeout and,
 * past the queue's maxReceiveCount, is moved to its DLQ by the queue's redrive policy.
 */
import { md5OfMessageAttributes } from '../messaging/md5.js';
import type { DevLog, DevTiming, Invoker, QueueMessage, Queues, ResolvedApp } from '../types.js';
import { LOCAL_REGION, scaled } from '../types.js';
import { passesFilters, parsedOrRaw, readBatchItemFailures, readMapping, sleep, type MappingConfig } from './mapping-common.js';

export interface SqsMappingsOptions {
  app: ResolvedApp;
  invoker: Invoker;
  queues: Queues;
  log: DevLog;
  timing: DevTiming;
  /** How long one idle receive waits before checking for close(); Lambda long-polls 20 s, which would only delay shutdown here. */
  pollMs?: number;
}

export interface SqsMappings {
  /** The mappings being polled (disabled ones and those whose queue is unknown are not). */
  active: Array<{ id: string; queue: string; functionName: string; concurrency: number }>;
  close(): Promise<void>;
}

/** Lambda's pollers start at 5 per queue and scale up; locally 5 concurrent batches is plenty unless MaximumConcurrency says fewer. */
const DEFAULT_CONCURRENCY = 5;
const MAX_RECEIVE = 10;

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** An SQS message as Lambda puts it in the event (camel-cased attribute fields). */
export function sqsRecord(message: QueueMessage, queueArn: string): SqsRecord {
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, attr] of Object.entries(message.messageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(attr.StringValue !== undefined ? { stringValue: attr.StringValue } : {}),
      ...(attr.BinaryValue !== undefined ? { binaryValue: attr.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: attr.DataType,
    };
  }
  const md5Attributes = md5OfMessageAttributes(message.messageAttributes);
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: { ...message.attributes },
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(md5Attributes ? { md5OfMessageAttributes: md5Attributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

export function startSqsMappings(options: SqsMappingsOptions): SqsMappings {
  const { app, invoker, queues, log, timing } = options;
  const pollMs = options.pollMs ?? 200;
  const abort = new AbortController();
  const workers: Promise<void>[] = [];
  const active: SqsMappings['active'] = [];

  for (const resource of app.ofType('AWS::Lambda::EventSourceMapping')) {
    const arn = String(resource.properties.EventSourceArn ?? '');
    if (!arn.startsWith('arn:aws:sqs:')) continue;
    const mapping = readMapping(resource);
    if (!queues.has(arn)) {
      log({ kind: 'warning', source: mapping.functionName, message: `event source ${arn} is not a queue of this app: mapping ${mapping.id} not started` });
      continue;
    }
    if (!mapping.enabled) {
      log({ kind: 'info', source: mapping.functionName, message: `mapping ${mapping.id} on ${arn} is disabled (Enabled: false)` });
      continue;
    }
    const max = Number(resource.properties.ScalingConfig?.MaximumConcurrency);
    const concurrency = Number.isFinite(max) && max > 0 ? Math.min(max, DEFAULT_CONCURRENCY) : DEFAULT_CONCURRENCY;
    active.push({ id: mapping.id, queue: arn, functionName: mapping.functionName, concurrency });
    const poller = new SqsPoller(mapping, { invoker, queues, log, timing, pollMs, signal: abort.signal });
    for (let i = 0; i < concurrency; i++) workers.push(poller.run());
  }

  return {
    active,
    async close() {
      abort.abort();
      await Promise.all(workers);
    },
  };
}

interface PollerDeps {
  invoker: Invoker;
  queues: Queues;
  log: DevLog;
  timing: DevTiming;
  pollMs: number;
  signal: AbortSignal;
}

class SqsPoller {
  private readonly queueArn: string;
  private readonly source: string;
  private readonly batchSize: number;

  constructor(
    private readonly mapping: MappingConfig,
    private readonly deps: PollerDeps,
  ) {
    this.queueArn = deps.queues.arnOf(mapping.eventSourceArn);
    this.source = this.queueArn.split(':').pop()!;
    this.batchSize = mapping.batchSize ?? 10;
  }

  async run(): Promise<void> {
    const { signal, log } = this.deps;
    while (!signal.aborted) {
      try {
        const batch = await this.collectBatch();
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        if (signal.aborted) break;
        log({ kind: 'error', source: this.source, message: `poller for ${this.mapping.functionName} failed: ${(error as Error).message}` });
        await sleep(1000, signal);
      }
    }
  }

  /** One long poll, then (with a batching window) more receives until the batch is full or the window closes. */
  private async collectBatch(): Promise<QueueMessage[]> {
    const { queues, timing, pollMs, signal } = this.deps;
    const queue = this.mapping.eventSourceArn;
    const batch = await queues.receive(queue, { max: Math.min(MAX_RECEIVE, this.batchSize), waitMs: pollMs });
    if (batch.length === 0 || this.mapping.batchingWindowSeconds <= 0) return batch;
    const deadline = Date.now() + scaled(timing, this.mapping.batchingWindowSeconds * 1000);
    while (batch.length < this.batchSize && !signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      batch.push(...(await queues.receive(queue, { max: Math.min(MAX_RECEIVE, this.batchSize - batch.length), waitMs: remaining })));
    }
    return batch;
  }

  private async process(messages: QueueMessage[]): Promise<void> {
    const { invoker, log } = this.deps;
    const fn = this.mapping.functionName;
    const records = messages.map((m) => sqsRecord(m, this.queueArn));
    // Lambda deletes the messages no filter matches, without invoking.
    const matching = records.filter((r) => passesFilters(this.mapping.filters, { ...r, body: parsedOrRaw(r.body) }));
    const filteredOut = records.filter((r) => !matching.includes(r));
    this.delete(filteredOut);
    if (filteredOut.length) log({ kind: 'trigger', source: this.source, message: `${filteredOut.length} message(s) matched no filter of ${fn}: deleted` });
    if (matching.length === 0) return;

    log({ kind: 'trigger', source: this.source, message: `${matching.length} message(s) → ${fn}`, data: { messageIds: matching.map((r) => r.messageId) } });
    const result = await invoker.invoke(fn, { Records: matching });
    if (!result.ok) {
      log({ kind: 'warning', source: this.source, message: `${fn} failed (${result.error.errorType}: ${result.error.errorMessage}): the batch returns to the queue after its visibility timeout` });
      return;
    }
    if (!this.mapping.reportBatchItemFailures) {
      this.delete(matching);
      return;
    }
    const response = readBatchItemFailures(result.payload, new Set(matching.map((r) => r.messageId)));
    if (!response.ok) {
      log({ kind: 'warning', source: this.source, message: `${fn} returned an invalid batch response (${response.reason}): the whole batch counts as failed` });
      return;
    }
    const failed = new Set(response.failed);
    this.delete(matching.filter((r) => !failed.has(r.messageId)));
    if (failed.size) log({ kind: 'trigger', source: this.source, message: `${fn} reported ${failed.size} of ${matching.length} message(s) failed: they return after the visibility timeout`, data: { failed: [...failed] } });
  }

  private delete(records: SqsRecord[]): void {
    for (const record of records) {
      try {
        this.deps.queues.delete(this.mapping.eventSourceArn, record.receiptHandle);
      } catch (error) {
        // The visibility timeout expired during the invocation and the message was received again: SQS refuses the old handle.
        this.deps.log({ kind: 'warning', source: this.source, message: `could not delete message ${record.messageId}: ${(error as Error).message}` });
      }
    }
  }
}
