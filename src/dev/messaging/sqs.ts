/**
 * The local SQS: every AWS::SQS::Queue of the app held in memory with SQS's delivery semantics
 * (visibility timeout, receive count and redrive to the DLQ, delays, FIFO groups and
 * deduplication, retention, long polling). Waits are scaled by DevTiming so a poison message
 * reaches its DLQ in seconds; retention and the FIFO dedup window are not (they are limits, not waits).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { LOCAL_ACCOUNT, LOCAL_REGION, scaled } from '../types.js';
import type { DevLog, DevTiming, QueueMessage, Queues, ResolvedApp, SendInput } from '../types.js';
import { AwsServiceError, sqsErrors } from './errors.js';
import { md5Hex, md5OfMessageAttributes } from './md5.js';

const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Long polls wake at least this often so a visibility timeout expiring mid-poll is seen. */
const POLL_SLICE_MS = 25;

export interface QueueConfig {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  retentionSeconds: number;
  receiveWaitSeconds: number;
  contentBasedDeduplication: boolean;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  messageAttributes: QueueMessage['messageAttributes'];
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The latest receipt handle; older ones of the same message are accepted but do nothing, as in SQS. */
  receiptHandle?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
}

interface QueueState {
  config: QueueConfig;
  messages: StoredMessage[];
  dedup: Map<string, { messageId: string; sequenceNumber?: string; expiresAt: number }>;
  /** Every receipt handle issued by this queue → the message id it was issued for. */
  handles: Map<string, string>;
  waiters: Set<() => void>;
}

export interface LocalQueues extends Queues {
  /** The queue's URL (what Ref gives), from its URL, ARN or name. */
  urlOf(queue: string): string;
  config(queue: string): QueueConfig;
  /** All queues, in template order. */
  list(): QueueConfig[];
  purge(queue: string): void;
  /**
   * StartMessageMoveTask: moves the dead-letter queue's available messages to the queue each came
   * from (or to `destination`), as new receives; messages in flight stay. Returns how many moved
   * and how many were left (no known source queue, or in flight).
   */
  moveMessages(source: string, destination?: string): { moved: number; left: number };
  /** GetQueueAttributes' values (all of them; the endpoint filters). */
  attributes(queue: string): Record<string, string>;
  /** Stops long polls and timers. */
  close(): void;
}

export interface CreateQueuesOptions {
  app: ResolvedApp;
  timing: DevTiming;
  log: DevLog;
  /** Epoch milliseconds; injectable for tests. Long-poll waits still use real timers. */
  now?: () => number;
}

export function queueConfigsOf(app: ResolvedApp): QueueConfig[] {
  return app.ofType('AWS::SQS::Queue').map((res) => {
    const p = res.properties;
    const url = res.attributes.QueueUrl ?? res.ref;
    const name = res.attributes.QueueName ?? (typeof p.QueueName === 'string' ? p.QueueName : url.split('/').pop()!);
    const arn = res.attributes.Arn ?? `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
    const redrive = typeof p.RedrivePolicy === 'string' ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy;
    return {
      name,
      url,
      arn,
      fifo: bool(p.FifoQueue) || name.endsWith('.fifo'),
      visibilityTimeoutSeconds: num(p.VisibilityTimeout, 30),
      delaySeconds: num(p.DelaySeconds, 0),
      retentionSeconds: num(p.MessageRetentionPeriod, 345600),
      receiveWaitSeconds: num(p.ReceiveMessageWaitTimeSeconds, 0),
      contentBasedDeduplication: bool(p.ContentBasedDeduplication),
      redrive:
        redrive && typeof redrive.deadLetterTargetArn === 'string'
          ? { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: num(redrive.maxReceiveCount, 10) }
          : undefined,
    };
  });
}

function num(v: unknown, fallback: number): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : fallback;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

export function createQueues(options: CreateQueuesOptions): LocalQueues {
  const { timing, log } = options;
  const now = options.now ?? Date.now;
  const states = queueConfigsOf(options.app).map<QueueState>((config) => ({ config, messages: [], dedup: new Map(), handles: new Map(), waiters: new Set() }));
  let sequence = 0n;
  let closed = false;

  const byKey = new Map<string, QueueState>();
  for (const s of states) {
    byKey.set(s.config.arn, s);
    byKey.set(s.config.name, s);
    byKey.set(queuePath(s.config.url), s);
  }

  for (const s of states) {
    const target = s.config.redrive?.deadLetterTargetArn;
    if (target && !byKey.has(target)) log({ kind: 'warning', source: s.config.name, message: `dead-letter queue ${target} is not a queue of this app; messages over maxReceiveCount are dropped` });
  }

  function lookup(queue: string): QueueState | undefined {
    return byKey.get(queue) ?? (queue.includes('/') ? byKey.get(queuePath(queue)) : undefined);
  }

  function state(queue: string): QueueState {
    const s = lookup(queue);
    if (!s) throw sqsErrors.queueDoesNotExist();
    return s;
  }

  function wake(s: QueueState): void {
    for (const w of [...s.waiters]) w();
  }

  function dropExpired(s: QueueState, at: number): void {
    const limit = s.config.retentionSeconds * 1000;
    s.messages = s.messages.filter((m) => at - m.sentAt < limit);
    for (const [id, d] of s.dedup) if (d.expiresAt <= at) s.dedup.delete(id);
  }

  function enqueue(s: QueueState, message: StoredMessage): void {
    s.messages.push(message);
    wake(s);
  }

  async function send(queue: string, input: SendInput) {
    const s = state(queue);
    const { config } = s;
    validateBody(input.body);
    validateAttributes(input.messageAttributes);
    if (input.delaySeconds !== undefined && (input.delaySeconds < 0 || input.delaySeconds > 900)) {
      throw sqsErrors.invalidParameterValue(`Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`);
    }
    const at = now();
    dropExpired(s, at);
    let dedupId: string | undefined;
    let sequenceNumber: string | undefined;
    if (config.fifo) {
      if (!input.messageGroupId) throw sqsErrors.missingParameter('The request must contain the parameter MessageGroupId.');
      if (input.delaySeconds) {
        throw sqsErrors.invalidParameterValue(
          `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
      dedupId = input.deduplicationId ?? (config.contentBasedDeduplication ? createHash('sha256').update(input.body).digest('hex') : undefined);
      if (!dedupId) {
        throw sqsErrors.invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      const seen = s.dedup.get(dedupId);
      // A duplicate inside the window is accepted but not enqueued: the caller gets the first id back.
      if (seen) return { messageId: seen.messageId, md5OfBody: md5Hex(input.body), sequenceNumber: seen.sequenceNumber };
      sequence += 1n;
      sequenceNumber = (18_000_000_000_000_000_000n + sequence).toString();
    }
    const messageId = randomUUID();
    const delay = input.delaySeconds ?? config.delaySeconds;
    const message: StoredMessage = {
      id: messageId,
      body: input.body,
      md5: md5Hex(input.body),
      messageAttributes: input.messageAttributes ?? {},
      sentAt: at,
      visibleAt: at + scaled(timing, delay * 1000),
      receiveCount: 0,
      groupId: input.messageGroupId,
      dedupId,
      sequenceNumber,
    };
    if (dedupId) s.dedup.set(dedupId, { messageId, sequenceNumber, expiresAt: at + DEDUP_WINDOW_MS });
    enqueue(s, message);
    if (message.visibleAt > at) setTimeout(() => wake(s), message.visibleAt - at + 1).unref?.();
    return { messageId, md5OfBody: message.md5, sequenceNumber };
  }

  /** The messages a receive may return now, in order; FIFO groups with a message in flight or not yet visible are skipped whole. */
  function takeVisible(s: QueueState, max: number, visibilitySeconds: number, at: number): QueueMessage[] {
    const out: QueueMessage[] = [];
    const blockedGroups = new Set<string>();
    const redrive = s.config.redrive;
    const dlq = redrive ? lookup(redrive.deadLetterTargetArn) : undefined;
    for (const m of [...s.messages]) {
      if (out.length >= max) break;
      if (s.config.fifo && m.groupId !== undefined) {
        if (blockedGroups.has(m.groupId)) continue;
        if (m.visibleAt > at) {
          blockedGroups.add(m.groupId);
          continue;
        }
      } else if (m.visibleAt > at) {
        continue;
      }
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        // SQS moves the message on the receive attempt after its last allowed receive.
        s.messages.splice(s.messages.indexOf(m), 1);
        moveToDeadLetter(s, m, dlq, at);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceiveAt ??= at;
      m.visibleAt = at + scaled(timing, visibilitySeconds * 1000);
      m.receiptHandle = newReceiptHandle(m.id);
      s.handles.set(m.receiptHandle, m.id);
      out.push(toQueueMessage(m));
    }
    return out;
  }

  function moveToDeadLetter(source: QueueState, m: StoredMessage, dlq: QueueState | undefined, at: number): void {
    log({
      kind: 'warning',
      source: source.config.name,
      message: `message ${m.id} received ${m.receiveCount} times (maxReceiveCount ${source.config.redrive!.maxReceiveCount}): moved to ${dlq ? dlq.config.name : 'nowhere (no such dead-letter queue)'}`,
      data: { messageId: m.id, deadLetterQueue: dlq?.config.name },
    });
    if (!dlq) return;
    // The DLQ keeps the message id, body, attributes and original sent time; receiving starts over.
    enqueue(dlq, {
      ...m,
      visibleAt: at,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receiptHandle: undefined,
      deadLetterSourceArn: source.config.arn,
    });
  }

  function toQueueMessage(m: StoredMessage): QueueMessage {
    const attributes: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
    };
    if (m.groupId !== undefined) attributes.MessageGroupId = m.groupId;
    if (m.dedupId !== undefined) attributes.MessageDeduplicationId = m.dedupId;
    if (m.sequenceNumber !== undefined) attributes.SequenceNumber = m.sequenceNumber;
    if (m.deadLetterSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
    return {
      messageId: m.id,
      receiptHandle: m.receiptHandle!,
      body: m.body,
      md5OfBody: m.md5,
      attributes,
      messageAttributes: structuredClone(m.messageAttributes),
    };
  }

  async function receive(queue: string, opts: { max: number; visibilityTimeoutSeconds?: number; waitMs?: number }): Promise<QueueMessage[]> {
    const s = state(queue);
    if (!(opts.max >= 1 && opts.max <= 10)) {
      throw sqsErrors.invalidParameterValue(`Value ${opts.max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const visibility = opts.visibilityTimeoutSeconds ?? s.config.visibilityTimeoutSeconds;
    const deadline = Date.now() + (opts.waitMs ?? s.config.receiveWaitSeconds * 1000);
    for (;;) {
      const at = now();
      dropExpired(s, at);
      const got = closed ? [] : takeVisible(s, opts.max, visibility, at);
      const remaining = deadline - Date.now();
      if (got.length > 0 || remaining <= 0 || closed) return got;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          s.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(remaining, POLL_SLICE_MS));
        s.waiters.add(done);
      });
    }
  }

  function findByHandle(s: QueueState, receiptHandle: string): { message?: StoredMessage; current: boolean } {
    const id = s.handles.get(receiptHandle);
    if (id === undefined) throw sqsErrors.receiptHandleIsInvalid(receiptHandle);
    const message = s.messages.find((m) => m.id === id);
    return { message, current: message?.receiptHandle === receiptHandle };
  }

  function del(queue: string, receiptHandle: string): void {
    const s = state(queue);
    const { message, current } = findByHandle(s, receiptHandle);
    // A stale handle (the message was received again since) succeeds without deleting, as in SQS.
    if (message && current) s.messages.splice(s.messages.indexOf(message), 1);
  }

  function changeVisibility(queue: string, receiptHandle: string, seconds: number): void {
    const s = state(queue);
    if (!(seconds >= 0 && seconds <= 43200)) {
      throw sqsErrors.invalidParameterValue(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
    }
    const { message, current } = findByHandle(s, receiptHandle);
    const at = now();
    if (!message || !current || message.visibleAt <= at) throw sqsErrors.messageNotInflight();
    message.visibleAt = at + scaled(timing, seconds * 1000);
    if (seconds === 0) wake(s);
    else setTimeout(() => wake(s), message.visibleAt - at + 1).unref?.();
  }

  function counts(queue: string) {
    const s = state(queue);
    const at = now();
    dropExpired(s, at);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of s.messages) {
      if (m.visibleAt <= at) visible++;
      else if (m.receiptHandle !== undefined) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  return {
    has: (queue) => lookup(queue) !== undefined,
    send,
    receive,
    delete: del,
    changeVisibility,
    counts,
    arnOf: (queue) => state(queue).config.arn,
    urlOf: (queue) => state(queue).config.url,
    config: (queue) => state(queue).config,
    list: () => states.map((s) => s.config),
    purge(queue) {
      const s = state(queue);
      s.messages = [];
    },
    moveMessages(source, destination) {
      const s = state(source);
      const to = destination === undefined ? undefined : state(destination);
      const at = now();
      let moved = 0;
      for (const m of [...s.messages]) {
        const target = to ?? (m.deadLetterSourceArn !== undefined ? lookup(m.deadLetterSourceArn) : undefined);
        if (!target || m.visibleAt > at) continue;
        s.messages.splice(s.messages.indexOf(m), 1);
        if (m.receiptHandle) s.handles.delete(m.receiptHandle);
        enqueue(target, { ...m, visibleAt: at, receiveCount: 0, firstReceiveAt: undefined, receiptHandle: undefined, deadLetterSourceArn: undefined });
        moved += 1;
      }
      log({ kind: 'info', source: s.config.name, message: `moved ${moved} message(s) back${to ? ` to ${to.config.name}` : ' to their source queues'}` });
      return { moved, left: s.messages.length };
    },
    attributes(queue) {
      const s = state(queue);
      const c = counts(queue);
      const attrs: Record<string, string> = {
        QueueArn: s.config.arn,
        ApproximateNumberOfMessages: String(c.visible),
        ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
        ApproximateNumberOfMessagesDelayed: String(c.delayed),
        VisibilityTimeout: String(s.config.visibilityTimeoutSeconds),
        DelaySeconds: String(s.config.delaySeconds),
        MessageRetentionPeriod: String(s.config.retentionSeconds),
        ReceiveMessageWaitTimeSeconds: String(s.config.receiveWaitSeconds),
        MaximumMessageSize: String(MAX_MESSAGE_BYTES),
        CreatedTimestamp: '0',
        LastModifiedTimestamp: '0',
        SqsManagedSseEnabled: 'true',
      };
      if (s.config.redrive) attrs.RedrivePolicy = JSON.stringify(s.config.redrive);
      if (s.config.fifo) {
        attrs.FifoQueue = 'true';
        attrs.ContentBasedDeduplication = String(s.config.contentBasedDeduplication);
      }
      return attrs;
    },
    close() {
      closed = true;
      for (const s of states) wake(s);
    },
  };
}

/** `/<account>/<name>`: queue URLs are matched by path so any host that reaches the endpoint works. */
function queuePath(url: string): string {
  const match = /\/(\d{12})\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url);
  return match ? `/${match[1]}/${match[2]}` : url;
}

function newReceiptHandle(messageId: string): string {
  return Buffer.from(`${messageId} ${randomBytes(48).toString('base64')}`).toString('base64');
}

function validateBody(body: string | undefined): void {
  if (body === undefined || body === null || body === '') throw sqsErrors.missingParameter('The request must contain the parameter MessageBody.');
  if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES) {
    throw sqsErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
  }
  // SQS accepts only these XML-safe characters in a message body.
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(body)) {
    throw new AwsServiceError('InvalidMessageContents', 'Invalid binary character found in message body; see the SQS allowed character list.');
  }
}

function validateAttributes(attributes: SendInput['messageAttributes']): void {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10) throw sqsErrors.invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, attr] of entries) {
    const base = attr?.DataType?.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw sqsErrors.invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const value = base === 'Binary' ? attr.BinaryValue : attr.StringValue;
    if (value === undefined || value === '') throw sqsErrors.invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
    if (base === 'Number' && !Number.isFinite(Number(value))) throw sqsErrors.invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
}

export { md5OfMessageAttributes };
