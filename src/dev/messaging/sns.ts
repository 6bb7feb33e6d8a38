/**
 * The local SNS: AWS::SNS::Topic (with its inline Subscription list) and AWS::SNS::Subscription.
 * A publish fans out to every subscription whose filter policy matches, in the shapes AWS
 * delivers: the JSON notification envelope (or the raw message) to SQS, the SNS event to Lambda.
 * Protocols that leave the machine (email, http/s, sms, mobile push, firehose) are reported, not sent.
 */
import { createHash, randomUUID } from 'node:crypto';

import { LOCAL_REGION } from '../types.js';
import type { Deliver, DevLog, Invoker, QueueMessage, ResolvedApp } from '../types.js';
import { AwsServiceError } from './errors.js';
import { compilePattern } from './pattern.js';
import type { LocalQueues } from './sqs.js';

export type MessageAttributes = QueueMessage['messageAttributes'];

export interface PublishInput {
  message: string;
  subject?: string;
  messageAttributes?: MessageAttributes;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** `json`: `message` is a JSON object with a `default` text and optional per-protocol texts (`sqs`, `lambda`). */
  messageStructure?: string;
}

export interface TopicConfig {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
}

export interface SubscriptionConfig {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  rawMessageDelivery: boolean;
  filterPolicy?: unknown;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  deadLetterTargetArn?: string;
}

export interface LocalTopics {
  has(topic: string): boolean;
  arnOf(topic: string): string;
  list(): TopicConfig[];
  subscriptions(topic: string): SubscriptionConfig[];
  /** Fans out to the matching subscriptions; resolves once every local delivery has been handed over. */
  publish(topic: string, input: PublishInput): Promise<{ messageId: string; sequenceNumber?: string }>;
}

export interface CreateTopicsOptions {
  app: ResolvedApp;
  queues: LocalQueues;
  invoker: Invoker;
  /** For subscription dead-letter queues outside `queues` (normally unused). */
  deliver?: Deliver;
  log: DevLog;
  now?: () => number;
}

const MAX_MESSAGE_BYTES = 256 * 1024;
const LOCAL_PROTOCOLS = new Set(['sqs', 'lambda']);

export function topicConfigsOf(app: ResolvedApp): TopicConfig[] {
  return app.ofType('AWS::SNS::Topic').map((res) => {
    const arn = res.attributes.TopicArn ?? res.ref;
    const name = res.attributes.TopicName ?? (typeof res.properties.TopicName === 'string' ? res.properties.TopicName : arn.split(':').pop()!);
    return {
      name,
      arn,
      fifo: bool(res.properties.FifoTopic) || name.endsWith('.fifo'),
      contentBasedDeduplication: bool(res.properties.ContentBasedDeduplication),
    };
  });
}

export function subscriptionConfigsOf(app: ResolvedApp): SubscriptionConfig[] {
  const out: SubscriptionConfig[] = [];
  for (const res of app.ofType('AWS::SNS::Topic')) {
    const topicArn = res.attributes.TopicArn ?? res.ref;
    const inline = Array.isArray(res.properties.Subscription) ? res.properties.Subscription : [];
    inline.forEach((sub: Record<string, unknown>, index: number) => {
      out.push({
        arn: `${topicArn}:${stableUuid(`${res.stack}/${res.logicalId}/${index}`)}`,
        topicArn,
        protocol: String(sub.Protocol).toLowerCase(),
        endpoint: String(sub.Endpoint),
        rawMessageDelivery: false,
        filterPolicyScope: 'MessageAttributes',
      });
    });
  }
  for (const res of app.ofType('AWS::SNS::Subscription')) {
    const p = res.properties;
    const topicArn = String(p.TopicArn);
    const redrive = typeof p.RedrivePolicy === 'string' ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy;
    out.push({
      arn: typeof res.ref === 'string' && res.ref.startsWith(`${topicArn}:`) ? res.ref : `${topicArn}:${stableUuid(`${res.stack}/${res.logicalId}`)}`,
      topicArn,
      protocol: String(p.Protocol).toLowerCase(),
      endpoint: String(p.Endpoint),
      rawMessageDelivery: bool(p.RawMessageDelivery),
      filterPolicy: typeof p.FilterPolicy === 'string' ? JSON.parse(p.FilterPolicy) : p.FilterPolicy,
      filterPolicyScope: p.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
      deadLetterTargetArn: typeof redrive?.deadLetterTargetArn === 'string' ? redrive.deadLetterTargetArn : undefined,
    });
  }
  return out;
}

export function createTopics(options: CreateTopicsOptions): LocalTopics {
  const { queues, invoker, log } = options;
  const now = options.now ?? Date.now;
  const topics = topicConfigsOf(options.app);
  const subs = subscriptionConfigsOf(options.app).map((config) => ({ config, matches: compileFilter(config, log), reported: false }));
  let sequence = 0n;

  const find = (topic: string) => topics.find((t) => t.arn === topic || t.name === topic);
  const topicOf = (topic: string) => {
    const t = find(topic);
    if (!t) throw new AwsServiceError('NotFound', 'Topic does not exist', { status: 404 });
    return t;
  };

  async function deliverTo(sub: (typeof subs)[number], topic: TopicConfig, n: Notification): Promise<void> {
    const { config } = sub;
    if (!LOCAL_PROTOCOLS.has(config.protocol)) {
      if (!sub.reported) {
        sub.reported = true;
        log({ kind: 'info', source: topic.name, message: `${config.protocol} subscription ${config.endpoint} is not delivered locally (sprout dev only delivers to sqs and lambda subscriptions)` });
      }
      return;
    }
    const text = n.textFor(config.protocol);
    try {
      if (config.protocol === 'sqs') {
        const body = config.rawMessageDelivery ? text : JSON.stringify(sqsEnvelope(topic, config, n, text));
        await queues.send(config.endpoint, {
          body,
          messageAttributes: config.rawMessageDelivery ? n.attributes : undefined,
          messageGroupId: topic.fifo ? n.groupId : undefined,
          deduplicationId: topic.fifo ? n.dedupId : undefined,
        });
      } else {
        if (!invoker.has(config.endpoint)) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${config.endpoint}`, { status: 404 });
        invoker.invokeAsync(config.endpoint, lambdaEvent(topic, config, n, text));
      }
      log({ kind: 'trigger', source: topic.name, message: `→ ${config.protocol} ${shortName(config.endpoint)}`, data: { messageId: n.messageId, subscriptionArn: config.arn } });
    } catch (error) {
      await deadLetter(config, topic, n, text, error as Error);
    }
  }

  async function deadLetter(config: SubscriptionConfig, topic: TopicConfig, n: Notification, text: string, error: Error): Promise<void> {
    const target = config.deadLetterTargetArn;
    log({ kind: 'error', source: topic.name, message: `delivery to ${config.endpoint} failed: ${error.message}${target ? `; sent to ${shortName(target)}` : ''}`, data: { messageId: n.messageId } });
    if (!target) return;
    // The DLQ receives what the endpoint would have: raw text for raw delivery, else the envelope.
    const body = config.rawMessageDelivery ? text : JSON.stringify(sqsEnvelope(topic, config, n, text));
    try {
      if (queues.has(target)) await queues.send(target, { body, messageAttributes: config.rawMessageDelivery ? n.attributes : undefined, messageGroupId: topic.fifo ? n.groupId : undefined, deduplicationId: topic.fifo ? n.dedupId : undefined });
      else if (options.deliver) await options.deliver(target, { body, attributes: n.attributes });
    } catch (dlqError) {
      log({ kind: 'error', source: topic.name, message: `dead-letter queue ${target} rejected the message: ${(dlqError as Error).message}` });
    }
  }

  return {
    has: (topic) => find(topic) !== undefined,
    arnOf: (topic) => topicOf(topic).arn,
    list: () => topics,
    subscriptions: (topic) => subs.filter((s) => s.config.topicArn === topicOf(topic).arn).map((s) => s.config),
    async publish(topicRef, input) {
      const topic = topicOf(topicRef);
      const n = notification(topic, input, now(), () => {
        sequence += 1n;
        return (10_000_000_000_000_000_000n + sequence).toString();
      });
      const targets = subs.filter((s) => s.config.topicArn === topic.arn && s.matches(n));
      log({ kind: 'trigger', source: topic.name, message: `publish ${n.messageId} → ${targets.length} subscription(s)`, data: { messageId: n.messageId } });
      await Promise.all(targets.map((s) => deliverTo(s, topic, n)));
      return { messageId: n.messageId, sequenceNumber: n.sequenceNumber };
    },
  };
}

interface Notification {
  messageId: string;
  message: string;
  subject?: string;
  attributes?: MessageAttributes;
  timestamp: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  textFor(protocol: string): string;
}

function notification(topic: TopicConfig, input: PublishInput, at: number, nextSequence: () => string): Notification {
  if (input.message === undefined || input.message === null || input.message === '') throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Empty message');
  if (Buffer.byteLength(input.message, 'utf8') > MAX_MESSAGE_BYTES) throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Message too long');
  if (input.subject !== undefined && (input.subject.length === 0 || input.subject.length > 100)) throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Subject');
  for (const [name, attr] of Object.entries(input.messageAttributes ?? {})) {
    const base = attr.DataType?.split('.')[0];
    if (!['String', 'Number', 'Binary'].includes(base ?? '')) {
      throw new AwsServiceError('InvalidParameter', `Invalid parameter: MessageAttributes for key ${name}: DataType ${attr.DataType} is not supported`);
    }
  }
  let perProtocol: Record<string, unknown> | undefined;
  if (input.messageStructure === 'json') {
    try {
      perProtocol = JSON.parse(input.message);
    } catch {
      perProtocol = undefined;
    }
    if (!perProtocol || typeof perProtocol.default !== 'string') {
      throw new AwsServiceError('InvalidParameter', "Invalid parameter: Message Structure - No default entry in JSON message body");
    }
  }
  let groupId: string | undefined;
  let dedupId: string | undefined;
  if (topic.fifo) {
    if (!input.messageGroupId) throw new AwsServiceError('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    groupId = input.messageGroupId;
    dedupId = input.messageDeduplicationId ?? (topic.contentBasedDeduplication ? createHash('sha256').update(input.message).digest('hex') : undefined);
    if (!dedupId) {
      throw new AwsServiceError('InvalidParameter', 'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  }
  const attributes = input.messageAttributes && Object.keys(input.messageAttributes).length > 0 ? input.messageAttributes : undefined;
  return {
    messageId: randomUUID(),
    message: input.message,
    subject: input.subject,
    attributes,
    timestamp: new Date(at).toISOString(),
    groupId,
    dedupId,
    sequenceNumber: topic.fifo ? nextSequence() : undefined,
    textFor: (protocol) => (perProtocol ? String(perProtocol[protocol] ?? perProtocol.default) : input.message),
  };
}

function compileFilter(config: SubscriptionConfig, log: DevLog): (n: Notification) => boolean {
  if (config.filterPolicy === undefined || config.filterPolicy === null) return () => true;
  let match: (event: unknown) => boolean;
  try {
    match = compilePattern(config.filterPolicy);
  } catch (error) {
    log({ kind: 'warning', source: config.topicArn.split(':').pop()!, message: `filter policy of ${config.arn} is invalid (${(error as Error).message}); it receives nothing` });
    return () => false;
  }
  if (config.filterPolicyScope === 'MessageBody') {
    return (n) => {
      let body: unknown;
      try {
        body = JSON.parse(n.textFor(config.protocol));
      } catch {
        return false;
      }
      return match(body);
    };
  }
  return (n) => match(attributesForFiltering(n.attributes));
}

/** Attribute-scope filtering sees String as text, Number as a number, String.Array as its JSON array; Binary is never matched. */
export function attributesForFiltering(attributes: MessageAttributes | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    if (attr.StringValue === undefined) continue;
    if (attr.DataType.startsWith('Number')) out[name] = Number(attr.StringValue);
    else if (attr.DataType.startsWith('String.Array')) {
      try {
        out[name] = JSON.parse(attr.StringValue);
      } catch {
        out[name] = attr.StringValue;
      }
    } else out[name] = attr.StringValue;
  }
  return out;
}

function envelopeAttributes(attributes: MessageAttributes | undefined): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    out[name] = { Type: attr.DataType, Value: attr.StringValue ?? attr.BinaryValue ?? '' };
  }
  return out;
}

const SIGNING_CERT_URL = `https://sns.${LOCAL_REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000000000000000.pem`;

/** Not a verifiable RSA signature (no AWS key exists locally): a stable digest in the same base64 form. */
function signature(n: Notification, topic: TopicConfig, text: string): string {
  return createHash('sha256').update(`${n.messageId}\n${topic.arn}\n${n.timestamp}\n${text}`).digest('base64');
}

function unsubscribeUrl(config: SubscriptionConfig): string {
  return `https://sns.${LOCAL_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${config.arn}`;
}

/** The JSON document an SQS subscriber receives without raw delivery. */
export function sqsEnvelope(topic: TopicConfig, config: SubscriptionConfig, n: Notification, text: string): Record<string, unknown> {
  const envelope: Record<string, unknown> = { Type: 'Notification', MessageId: n.messageId };
  if (n.sequenceNumber) envelope.SequenceNumber = n.sequenceNumber;
  envelope.TopicArn = topic.arn;
  if (n.subject !== undefined) envelope.Subject = n.subject;
  envelope.Message = text;
  envelope.Timestamp = n.timestamp;
  envelope.SignatureVersion = '1';
  envelope.Signature = signature(n, topic, text);
  envelope.SigningCertURL = SIGNING_CERT_URL;
  envelope.UnsubscribeURL = unsubscribeUrl(config);
  if (n.attributes) envelope.MessageAttributes = envelopeAttributes(n.attributes);
  return envelope;
}

/** The event a Lambda subscriber is invoked with (note Lambda's `SigningCertUrl`/`UnsubscribeUrl` spelling and `Subject: null`). */
export function lambdaEvent(topic: TopicConfig, config: SubscriptionConfig, n: Notification, text: string): Record<string, unknown> {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: config.arn,
        Sns: {
          Type: 'Notification',
          MessageId: n.messageId,
          ...(n.sequenceNumber ? { SequenceNumber: n.sequenceNumber } : {}),
          TopicArn: topic.arn,
          Subject: n.subject ?? null,
          Message: text,
          Timestamp: n.timestamp,
          SignatureVersion: '1',
          Signature: signature(n, topic, text),
          SigningCertUrl: SIGNING_CERT_URL,
          UnsubscribeUrl: unsubscribeUrl(config),
          MessageAttributes: envelopeAttributes(n.attributes),
        },
      },
    ],
  };
}

function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function shortName(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true';
}
