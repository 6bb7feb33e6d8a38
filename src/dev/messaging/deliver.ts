/**
 * Routes a delivery to whatever an ARN names: queue, topic, event bus, function or state
 * machine. Destinations, DLQs and rule targets all go through it. The parts are late-bound
 * because deliver is handed to them at construction.
 */
import { randomUUID } from 'node:crypto';

import type { Deliver, Delivery, Invoker, StateMachines } from '../types.js';
import { AwsServiceError } from './errors.js';
import type { EventEnvelope, LocalEventBuses } from './eventbridge.js';
import type { LocalTopics } from './sns.js';
import type { LocalQueues } from './sqs.js';

export interface DeliverParts {
  queues: LocalQueues;
  topics: LocalTopics;
  buses: LocalEventBuses;
  invoker: Invoker;
  stateMachines: StateMachines;
}

export function createDeliver(parts: () => DeliverParts): Deliver {
  return async (arn: string, message: Delivery): Promise<void> => {
    const p = parts();
    const service = arn.startsWith('arn:') ? arn.split(':')[2] : undefined;
    switch (service) {
      case 'sqs':
        if (!p.queues.has(arn)) throw notFound('queue', arn);
        await p.queues.send(arn, {
          body: message.body,
          messageAttributes: message.attributes,
          messageGroupId: message.messageGroupId,
          deduplicationId: needsDedupId(p.queues.config(arn)) ? randomUUID() : undefined,
        });
        return;
      case 'sns':
        if (!p.topics.has(arn)) throw notFound('topic', arn);
        await p.topics.publish(arn, {
          message: message.body,
          messageAttributes: message.attributes,
          messageGroupId: message.messageGroupId,
          messageDeduplicationId: needsDedupId(p.topics.list().find((t) => t.arn === arn)) ? randomUUID() : undefined,
        });
        return;
      case 'events':
        await toBus(p.buses, arn, message);
        return;
      case 'lambda':
        if (!p.invoker.has(arn)) throw notFound('function', arn);
        p.invoker.invokeAsync(arn, parseOrText(message.body));
        return;
      case 'states':
        if (!p.stateMachines.has(arn)) throw notFound('state machine', arn);
        await p.stateMachines.start(arn, message.body);
        return;
      default:
        throw new AwsServiceError('InvalidParameterValue', `sprout dev cannot deliver to ${arn}: only SQS, SNS, EventBridge, Lambda and Step Functions ARNs are local`);
    }
  };
}

async function toBus(buses: LocalEventBuses, arn: string, message: Delivery): Promise<void> {
  if (!buses.has(arn)) throw notFound('event bus', arn);
  const forwarded = parseOrText(message.body) as Partial<EventEnvelope>;
  if (forwarded && typeof forwarded === 'object' && typeof forwarded.source === 'string' && typeof forwarded['detail-type'] === 'string' && 'detail' in forwarded) {
    await buses.forward(arn, forwarded as EventEnvelope);
    return;
  }
  const event = message.event ?? { source: 'sprout.dev', detailType: 'Delivery', detail: isJsonObject(message.body) ? message.body : JSON.stringify({ message: message.body }) };
  const result = await buses.putEvents([{ EventBusName: arn, Source: event.source, DetailType: event.detailType, Detail: event.detail, Resources: event.resources }]);
  const entry = result.Entries[0];
  if (entry && 'ErrorCode' in entry) throw new AwsServiceError(entry.ErrorCode, entry.ErrorMessage);
}

/**
 * A FIFO queue or topic without content-based deduplication needs an explicit id: each delivery
 * is a distinct message (EventBridge uses the event id the same way), so a fresh one.
 */
function needsDedupId(config: { fifo: boolean; contentBasedDeduplication: boolean } | undefined): boolean {
  return !!config && config.fifo && !config.contentBasedDeduplication;
}

function notFound(what: string, arn: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `No ${what} ${arn} in this app`, { status: 404 });
}

function isJsonObject(text: string): boolean {
  const v = parseOrText(text);
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
