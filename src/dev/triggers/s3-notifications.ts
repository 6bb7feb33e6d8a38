/**
 * S3 bucket notifications: s3rver emits an event per object written or deleted; this turns it
 * into AWS's S3 event record (s3rver's is an older, slightly wrong shape) and sends it where the
 * bucket's NotificationConfiguration says: Lambda (async invoke), SQS and SNS (the event JSON),
 * and EventBridge ("Object Created"/"Object Deleted" on the default bus).
 *
 * CDK writes notifications as Custom::S3BucketNotifications (its own Lambda applies them at
 * deploy time); a plain AWS::S3::Bucket NotificationConfiguration is read too.
 */
import type { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';

import type { Deliver, DevLog, Invoker, ResolvedApp } from '../types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../types.js';

export interface S3NotificationTarget {
  kind: 'lambda' | 'queue' | 'topic';
  arn: string;
  id: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, ... */
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface BucketNotifications {
  bucket: string;
  targets: S3NotificationTarget[];
  eventBridge: boolean;
}

/** An EventBridge sink (the local buses' putEvents); without it events go to the default bus through Deliver. */
export interface EventBridgeSink {
  putEvents(entries: Array<{ Source: string; DetailType: string; Detail: string; Resources: string[]; EventBusName: string; Time?: Date }>): Promise<unknown>;
}

export interface WireS3NotificationsOptions {
  app: ResolvedApp;
  /** The s3rver instance (emits 'event' with `{ Records: [...] }`). */
  s3rver: EventEmitter;
  invoker: Invoker;
  deliver: Deliver;
  buses?: EventBridgeSink;
  log: DevLog;
}

const DEFAULT_BUS_ARN = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/default`;

/** Every bucket's notification configuration, from Custom::S3BucketNotifications and AWS::S3::Bucket. */
export function bucketNotificationsOf(app: ResolvedApp): BucketNotifications[] {
  const byBucket = new Map<string, BucketNotifications>();
  const add = (bucket: string, config: Record<string, any> | undefined) => {
    if (!bucket || !config) return;
    const entry = byBucket.get(bucket) ?? { bucket, targets: [], eventBridge: false };
    byBucket.set(bucket, entry);
    const kinds: Array<[S3NotificationTarget['kind'], string, string]> = [
      ['lambda', 'LambdaFunctionConfigurations', 'LambdaFunctionArn'],
      ['lambda', 'LambdaConfigurations', 'Function'], // AWS::S3::Bucket's spelling
      ['queue', 'QueueConfigurations', 'QueueArn'],
      ['queue', 'QueueConfigurations', 'Queue'],
      ['topic', 'TopicConfigurations', 'TopicArn'],
      ['topic', 'TopicConfigurations', 'Topic'],
    ];
    for (const [kind, list, arnKey] of kinds) {
      for (const c of (config[list] ?? []) as Array<Record<string, any>>) {
        if (typeof c[arnKey] !== 'string') continue;
        // S3 API configs list Events; AWS::S3::Bucket configs have a single Event.
        const events: string[] = Array.isArray(c.Events) ? c.Events : c.Event ? [c.Event] : [];
        const rules: Array<{ Name: string; Value: string }> = c.Filter?.Key?.FilterRules ?? c.Filter?.S3Key?.Rules ?? [];
        const rule = (name: string) => rules.find((r) => String(r.Name).toLowerCase() === name)?.Value;
        const prefix = rule('prefix');
        const suffix = rule('suffix');
        entry.targets.push({ kind, arn: c[arnKey], id: c.Id ?? randomUUID(), events, ...(prefix !== undefined ? { prefix } : {}), ...(suffix !== undefined ? { suffix } : {}) });
      }
    }
    if (config.EventBridgeConfiguration && (config.EventBridgeConfiguration.EventBridgeEnabled ?? true) !== false) entry.eventBridge = true;
  };
  for (const resource of app.ofType('Custom::S3BucketNotifications')) add(String(resource.properties.BucketName ?? ''), resource.properties.NotificationConfiguration);
  for (const resource of app.ofType('AWS::S3::Bucket')) add(resource.ref, resource.properties.NotificationConfiguration);
  return [...byBucket.values()];
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; `s3:ObjectCreated:Put` only itself. */
export function eventMatches(configured: string, eventName: string): boolean {
  const wanted = configured.replace(/^s3:/, '');
  if (wanted.endsWith(':*')) return eventName.startsWith(wanted.slice(0, -1));
  if (wanted === '*') return true;
  return wanted === eventName;
}

/** S3 puts the key in events form-URL-encoded ("red flower.jpg" → "red+flower.jpg"), keeping '/'. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** The sequencer orders events of one key; a fixed-width, increasing hex string compares correctly. */
let lastSequencer = 0n;
function nextSequencer(): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

/** What s3rver 3.7.1 emits, fixed to AWS's record: eventVersion 2.1, a real bucket ARN, the key URL-encoded, multipart completions named. */
export function awsS3Record(raw: Record<string, any>, configurationId: string): Record<string, any> {
  const bucket = String(raw.s3?.bucket?.name);
  const object = raw.s3?.object ?? {};
  const key = String(object.key);
  let eventName = String(raw.eventName);
  // s3rver reports CompleteMultipartUpload as Post; a multipart ETag is "<md5>-<parts>".
  if (eventName === 'ObjectCreated:Post' && typeof object.eTag === 'string' && object.eTag.includes('-')) eventName = 'ObjectCreated:CompleteMultipartUpload';
  const created = eventName.startsWith('ObjectCreated:');
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: LOCAL_REGION,
    eventTime: raw.eventTime ?? new Date().toISOString(),
    eventName,
    userIdentity: { principalId: `AWS:${LOCAL_ACCOUNT}` },
    requestParameters: { sourceIPAddress: raw.requestParameters?.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': raw.responseElements?.['x-amz-request-id'] ?? randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': raw.responseElements?.['x-amz-id-2'] ?? randomBytes(32).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: { name: bucket, ownerIdentity: { principalId: LOCAL_ACCOUNT }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeEventKey(key),
        ...(created && object.size !== undefined ? { size: Number(object.size) } : {}),
        ...(created && object.eTag !== undefined ? { eTag: String(object.eTag) } : {}),
        sequencer: nextSequencer(),
      },
    },
  };
}

const EVENTBRIDGE_REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'PostObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'DeleteObject',
};

/** The EventBridge event S3 sends for an object (the key is not URL-encoded there). */
export function eventBridgeDetail(record: Record<string, any>, rawKey: string): { detailType: string; detail: Record<string, unknown> } | undefined {
  const created = String(record.eventName).startsWith('ObjectCreated:');
  const removed = String(record.eventName).startsWith('ObjectRemoved:');
  if (!created && !removed) return undefined;
  const object = record.s3.object;
  return {
    detailType: created ? 'Object Created' : 'Object Deleted',
    detail: {
      version: '0',
      bucket: { name: record.s3.bucket.name },
      object: created ? { key: rawKey, size: object.size, etag: object.eTag, sequencer: object.sequencer } : { key: rawKey, sequencer: object.sequencer },
      'request-id': record.responseElements['x-amz-request-id'],
      requester: LOCAL_ACCOUNT,
      'source-ip-address': record.requestParameters.sourceIPAddress,
      reason: EVENTBRIDGE_REASONS[record.eventName] ?? record.eventName,
      ...(removed ? { 'deletion-type': 'Permanently Deleted' } : {}),
    },
  };
}

/** Subscribes to s3rver's events; returns a function that unsubscribes. */
export function wireS3Notifications(options: WireS3NotificationsOptions): { buckets: BucketNotifications[]; close(): void } {
  const { app, s3rver, invoker, deliver, buses, log } = options;
  const buckets = bucketNotificationsOf(app);
  const byName = new Map(buckets.map((b) => [b.bucket, b]));

  const dispatch = async (rawRecord: Record<string, any>) => {
    const notifications = byName.get(String(rawRecord.s3?.bucket?.name));
    if (!notifications) return;
    const rawKey = String(rawRecord.s3?.object?.key ?? '');
    const base = awsS3Record(rawRecord, '');
    for (const target of notifications.targets) {
      if (!target.events.some((e) => eventMatches(e, base.eventName))) continue;
      if (target.prefix !== undefined && !rawKey.startsWith(target.prefix)) continue;
      if (target.suffix !== undefined && !rawKey.endsWith(target.suffix)) continue;
      const event = { Records: [{ ...base, s3: { ...base.s3, configurationId: target.id } }] };
      log({ kind: 'trigger', source: notifications.bucket, message: `${base.eventName} ${rawKey} → ${target.arn.split(':').pop()}` });
      if (target.kind === 'lambda') {
        if (!invoker.has(target.arn)) log({ kind: 'warning', source: notifications.bucket, message: `notification target ${target.arn} is not a function of this app` });
        else invoker.invokeAsync(target.arn, event);
      } else {
        await deliver(target.arn, { body: JSON.stringify(event) });
      }
    }
    if (notifications.eventBridge) {
      const bridged = eventBridgeDetail(base, rawKey);
      if (!bridged) return;
      const resources = [base.s3.bucket.arn];
      const detail = JSON.stringify(bridged.detail);
      if (buses) await buses.putEvents([{ Source: 'aws.s3', DetailType: bridged.detailType, Detail: detail, Resources: resources, EventBusName: 'default', Time: new Date(base.eventTime) }]);
      else await deliver(DEFAULT_BUS_ARN, { body: detail, event: { source: 'aws.s3', detailType: bridged.detailType, detail, resources } });
    }
  };

  const onEvent = (event: { Records?: Array<Record<string, any>> }) => {
    for (const record of event?.Records ?? []) {
      dispatch(record).catch((error: Error) => log({ kind: 'error', source: String(record.s3?.bucket?.name), message: `bucket notification failed: ${error.message}` }));
    }
  };
  s3rver.on('event', onEvent);
  return { buckets, close: () => void s3rver.off('event', onEvent) };
}
