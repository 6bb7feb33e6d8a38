/**
 * The local EventBridge: the default bus plus every AWS::Events::EventBus, and every
 * AWS::Events::Rule with its pattern, state and targets. PutEvents builds AWS's event envelope,
 * matches it against each enabled rule of the bus and hands each target its input. Schedules do
 * not fire on their own locally (a rate(1 minute) rule would flood a dev session): they run on
 * demand through fireSchedule.
 */
import { randomUUID } from 'node:crypto';

import { LOCAL_ACCOUNT, LOCAL_REGION, scaled } from '../types.js';
import type { Deliver, DevLog, DevTiming, Invoker, ResolvedApp } from '../types.js';
import { AwsServiceError } from './errors.js';
import { targetInput, type TargetInputSpec } from './input-transform.js';
import { compilePattern } from './pattern.js';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  EventBusName?: string;
  Time?: Date | string | number;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface RuleTarget extends TargetInputSpec {
  Id: string;
  Arn: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
}

export interface RuleConfig {
  name: string;
  arn: string;
  busName: string;
  enabled: boolean;
  eventPattern?: unknown;
  scheduleExpression?: string;
  targets: RuleTarget[];
}

export interface LocalEventBuses {
  has(bus: string): boolean;
  busArn(bus: string): string;
  rules(): RuleConfig[];
  putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult>;
  /** Re-publishes an event another bus's rule sent here (bus-to-bus target), keeping its id, time and fields. */
  forward(bus: string, event: EventEnvelope): Promise<void>;
  /** Runs a scheduled rule's targets now, with the Scheduled Event AWS would send. */
  fireSchedule(ruleName: string): Promise<void>;
}

export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  [extra: string]: unknown;
}

export interface CreateEventBusesOptions {
  app: ResolvedApp;
  invoker: Invoker;
  deliver: Deliver;
  log: DevLog;
  /** Scales the retry back-off of targets that fail with a retryable error. */
  timing?: DevTiming;
  now?: () => number;
}

const DEFAULT_BUS = 'default';

export function busArnOf(name: string): string {
  return `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`;
}

function busNameOf(nameOrArn: string): string {
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

export function ruleConfigsOf(app: ResolvedApp): RuleConfig[] {
  return app.ofType('AWS::Events::Rule').map((res) => {
    const p = res.properties;
    const busName = busNameOf(typeof p.EventBusName === 'string' ? p.EventBusName : DEFAULT_BUS);
    const name = typeof p.Name === 'string' ? p.Name : String(res.ref || `${res.stack}-${res.logicalId}`).split('|').pop()!;
    const arn = res.attributes.Arn ?? `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${busName === DEFAULT_BUS ? '' : `${busName}/`}${name}`;
    return {
      name,
      arn,
      busName,
      enabled: p.State === undefined || String(p.State).startsWith('ENABLED'),
      eventPattern: p.EventPattern,
      scheduleExpression: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
      targets: Array.isArray(p.Targets) ? (p.Targets as RuleTarget[]) : [],
    };
  });
}

export function createEventBuses(options: CreateEventBusesOptions): LocalEventBuses {
  const { invoker, deliver, log } = options;
  const now = options.now ?? Date.now;
  const timing = options.timing ?? { scale: 1 };
  const buses = new Map<string, string>([[DEFAULT_BUS, busArnOf(DEFAULT_BUS)]]);
  for (const res of options.app.ofType('AWS::Events::EventBus')) {
    const name = typeof res.properties.Name === 'string' ? res.properties.Name : busNameOf(res.ref);
    buses.set(name, res.attributes.Arn ?? busArnOf(name));
  }
  const rules = ruleConfigsOf(options.app).map((config) => ({ config, matches: compileRule(config, log) }));
  const unsupportedReported = new Set<string>();

  for (const { config } of rules) {
    if (!buses.has(config.busName)) log({ kind: 'warning', source: config.name, message: `rule is on event bus ${config.busName}, which is not part of this app: it never fires locally` });
    if (config.scheduleExpression) {
      log({ kind: 'info', source: config.name, message: `scheduled rule (${config.scheduleExpression}) runs on demand only in sprout dev` });
    }
  }

  async function dispatch(event: EventEnvelope, busName: string): Promise<void> {
    const matched = rules.filter((r) => r.config.busName === busName && r.config.enabled && r.matches(event));
    log({ kind: 'trigger', source: busName, message: `${event.source} / ${event['detail-type']} → ${matched.length} rule(s)`, data: { eventId: event.id, rules: matched.map((r) => r.config.name) } });
    await Promise.all(matched.flatMap((r) => r.config.targets.map((t) => sendToTarget(r.config, t, event, now()))));
  }

  async function sendToTarget(rule: RuleConfig, target: RuleTarget, event: EventEnvelope, firstAttemptAt: number): Promise<void> {
    const retry = target.RetryPolicy ?? {};
    const maxAttempts = retry.MaximumRetryAttempts ?? 185;
    const maxAgeMs = (retry.MaximumEventAgeInSeconds ?? 86400) * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        await deliverOnce(rule, target, event);
        return;
      } catch (error) {
        const e = error as Error & { retryable?: boolean; code?: string };
        // Missing resources and permissions are not retried by EventBridge: straight to the DLQ.
        const backoff = scaled(timing, Math.min(1000 * 2 ** attempt, 60_000));
        if (e.retryable && attempt < maxAttempts && now() + backoff - firstAttemptAt < maxAgeMs) {
          await new Promise((r) => setTimeout(r, backoff).unref?.());
          continue;
        }
        await deadLetter(rule, target, event, e, attempt);
        return;
      }
    }
  }

  async function deliverOnce(rule: RuleConfig, target: RuleTarget, event: EventEnvelope): Promise<void> {
    const service = target.Arn.split(':')[2];
    if (service === 'events' && /:event-bus\//.test(target.Arn)) {
      // Bus-to-bus: the event itself travels, input transformation does not apply.
      await deliver(target.Arn, { body: JSON.stringify(event), event: { source: event.source, detailType: event['detail-type'], detail: JSON.stringify(event.detail), resources: event.resources } });
      return;
    }
    const input = targetInput(target, event, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime: new Date(now()).toISOString() });
    if (service === 'lambda') {
      if (!invoker.has(target.Arn)) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${target.Arn}`, { status: 404 });
      invoker.invokeAsync(target.Arn, parseOrText(input));
    } else if (service === 'sqs' || service === 'sns' || service === 'states') {
      await deliver(target.Arn, { body: input, messageGroupId: target.SqsParameters?.MessageGroupId });
    } else {
      if (!unsupportedReported.has(`${rule.arn}/${target.Id}`)) {
        unsupportedReported.add(`${rule.arn}/${target.Id}`);
        log({ kind: 'info', source: rule.name, message: `target ${target.Id} (${service}) is not delivered locally` });
      }
      return;
    }
    log({ kind: 'trigger', source: rule.name, message: `→ ${target.Arn.split(/[:/]/).pop()}`, data: { eventId: event.id, targetId: target.Id } });
  }

  async function deadLetter(rule: RuleConfig, target: RuleTarget, event: EventEnvelope, error: Error & { code?: string }, retries: number): Promise<void> {
    const dlq = target.DeadLetterConfig?.Arn;
    log({ kind: 'error', source: rule.name, message: `target ${target.Id} failed: ${error.message}${dlq ? `; event sent to ${dlq.split(':').pop()}` : ''}`, data: { eventId: event.id } });
    if (!dlq) return;
    const str = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      await deliver(dlq, {
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: str(rule.arn),
          TARGET_ARN: str(target.Arn),
          ERROR_CODE: str(error.code ?? error.name ?? 'Error'),
          ERROR_MESSAGE: str(error.message),
          EXHAUSTED_RETRY_CONDITION: str(retries > 0 ? 'MaximumRetryAttempts' : 'NonRetryable'),
          RETRY_ATTEMPTS: str(String(retries)),
        },
      });
    } catch (dlqError) {
      log({ kind: 'error', source: rule.name, message: `dead-letter queue ${dlq} rejected the event: ${(dlqError as Error).message}` });
    }
  }

  function envelopeOf(entry: PutEventsEntry, busName: string): EventEnvelope | EntryFailure {
    const invalid = (field: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` });
    if (!entry.Source) return invalid('Source');
    if (!entry.DetailType) return invalid('DetailType');
    if (entry.Detail === undefined || entry.Detail === null || entry.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorized', ErrorMessage: 'Not authorized for the source.' };
    if (!buses.has(busName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    const time = entry.Time === undefined ? new Date(now()) : new Date(entry.Time);
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: isoSeconds(Number.isNaN(time.getTime()) ? new Date(now()) : time),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
  }

  return {
    has: (bus) => buses.has(busNameOf(bus)),
    busArn(bus) {
      const arn = buses.get(busNameOf(bus));
      if (!arn) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${busNameOf(bus)} does not exist.`);
      return arn;
    },
    rules: () => rules.map((r) => r.config),
    async putEvents(entries) {
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
        throw new AwsServiceError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10`);
      }
      const results: PutEventsResultEntry[] = [];
      const accepted: Array<[EventEnvelope, string]> = [];
      for (const entry of entries) {
        const busName = busNameOf(entry.EventBusName ?? DEFAULT_BUS);
        const built = envelopeOf(entry, busName);
        if (isFailure(built)) results.push(built);
        else {
          results.push({ EventId: built.id });
          accepted.push([built, busName]);
        }
      }
      await Promise.all(accepted.map(([event, bus]) => dispatch(event, bus).catch((e) => log({ kind: 'error', source: bus, message: `dispatch failed: ${(e as Error).message}` }))));
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    },
    async forward(bus, event) {
      const name = busNameOf(bus);
      if (!buses.has(name)) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
      await dispatch(event, name);
    },
    async fireSchedule(ruleName) {
      const rule = rules.find((r) => r.config.name === ruleName || r.config.arn === ruleName);
      if (!rule || !rule.config.scheduleExpression) throw new AwsServiceError('ResourceNotFoundException', `Rule ${ruleName} does not exist or has no schedule.`);
      const event: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: LOCAL_ACCOUNT,
        time: isoSeconds(new Date(now())),
        region: LOCAL_REGION,
        resources: [rule.config.arn],
        detail: {},
      };
      log({ kind: 'trigger', source: rule.config.name, message: `schedule ${rule.config.scheduleExpression} fired on demand`, data: { eventId: event.id } });
      await Promise.all(rule.config.targets.map((t) => sendToTarget(rule.config, t, event, now())));
    },
  };
}

function compileRule(config: RuleConfig, log: DevLog): (event: unknown) => boolean {
  if (config.eventPattern === undefined) return () => false;
  try {
    return compilePattern(config.eventPattern);
  } catch (error) {
    log({ kind: 'warning', source: config.name, message: `event pattern is invalid (${(error as Error).message}); the rule never matches` });
    return () => false;
  }
}

type EntryFailure = { ErrorCode: string; ErrorMessage: string };

function isFailure(value: EventEnvelope | EntryFailure): value is EntryFailure {
  return typeof (value as { ErrorCode?: unknown }).ErrorCode === 'string';
}

/** EventBridge's `time`: ISO 8601 without milliseconds. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
