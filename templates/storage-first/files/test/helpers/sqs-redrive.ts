import { createHash, randomUUID } from 'node:crypto';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda.js';

/**
 * An in-memory model of an SQS standard queue with a redrive policy, feeding a Lambda function
 * through an event source mapping, with the settings read from the synthesized template. There is
 * no SQS emulator here, so this is what the tests deliver batches through. What it models, from the
 * SQS and Lambda developer guides:
 * - each receive hands out up to BatchSize visible messages and increments their ReceiveCount;
 * - a message whose ReceiveCount has reached maxReceiveCount is moved to the dead-letter queue
 *   instead of being received again ("the number of times a message is delivered to the source
 *   queue before being moved to the dead-letter queue");
 * - with ReportBatchItemFailures, the messages the function lists in batchItemFailures stay in the
 *   queue and the others are deleted; an empty or null itemIdentifier, or one that is not in the
 *   batch, fails the whole batch; without ReportBatchItemFailures the response is ignored;
 * - a function error (a thrown exception) leaves the whole batch in the queue;
 * - a message left in the queue is visible again once its visibility timeout has passed: here, on
 *   the next poll.
 * Not modelled: timing (each poll stands for one visibility timeout), the batching window, message
 * retention, and concurrent pollers.
 */

export interface QueueWiring {
  queueId: string;
  deadLetterQueueId: string;
  maxReceiveCount: number;
  batchSize: number;
  reportsBatchItemFailures: boolean;
  visibilityTimeoutSeconds: number;
  functionTimeoutSeconds: number;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

const refId = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];

/** The one SQS event source mapping of the stack, its queue's redrive policy and its function's timeout. */
export function queueWiring(template: Template): QueueWiring {
  const resources = template.toJSON().Resources as Resources;
  const mappings = Object.values(resources).filter(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && resources[refId(r.Properties?.EventSourceArn) ?? '']?.Type === 'AWS::SQS::Queue',
  );
  if (mappings.length !== 1) throw new Error(`expected one SQS event source mapping, found ${mappings.length}`);
  const mapping = mappings[0]!.Properties!;
  const queueId = refId(mapping.EventSourceArn)!;
  const queue = resources[queueId]!.Properties!;
  const redrive = queue.RedrivePolicy;
  if (!redrive) throw new Error(`queue ${queueId} has no redrive policy`);
  const fn = resources[refId(mapping.FunctionName)!]!.Properties!;
  return {
    queueId,
    deadLetterQueueId: refId(redrive.deadLetterTargetArn)!,
    maxReceiveCount: Number(redrive.maxReceiveCount),
    // Lambda's defaults when the template leaves them out.
    batchSize: mapping.BatchSize ?? 10,
    reportsBatchItemFailures: (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    visibilityTimeoutSeconds: queue.VisibilityTimeout ?? 30,
    functionTimeoutSeconds: fn.Timeout ?? 3,
  };
}

export interface SimulatedMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
}

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export class SqsRedriveSimulator {
  /** Messages still in the source queue, oldest first. */
  readonly queue: SimulatedMessage[] = [];
  readonly deadLetterQueue: SimulatedMessage[] = [];
  /** Messages the event source mapping deleted after the function processed them. */
  readonly deleted: SimulatedMessage[] = [];
  /** Every batch handed to the function: the message ids, in order. */
  readonly batches: string[][] = [];
  /** How often each message id was handed to the function. */
  readonly deliveries = new Map<string, number>();

  constructor(
    readonly wiring: QueueWiring,
    private readonly handler: BatchHandler,
  ) {}

  /** SendMessage: what the API's integration does for each accepted order. */
  send(body: string): string {
    const messageId = randomUUID();
    this.queue.push({ messageId, body, sentTimestamp: Date.now(), receiveCount: 0 });
    return messageId;
  }

  /**
   * A standard queue delivers at least once: now and then a message that was already processed and
   * deleted comes again, with the same message id (a copy kept on another SQS server).
   */
  deliverAgain(messageId: string): void {
    const original = this.deleted.find((message) => message.messageId === messageId);
    if (!original) throw new Error(`message ${messageId} was not deleted`);
    this.queue.push({ ...original, receiveCount: 0 });
  }

  /** One poll of the event source mapping: receive a batch, invoke the function, act on its answer. */
  async poll(): Promise<boolean> {
    const batch: SimulatedMessage[] = [];
    for (const message of [...this.queue]) {
      if (batch.length === this.wiring.batchSize) break;
      if (message.receiveCount >= this.wiring.maxReceiveCount) {
        this.remove(message);
        this.deadLetterQueue.push(message);
        continue;
      }
      message.receiveCount += 1;
      batch.push(message);
    }
    if (batch.length === 0) return false;
    this.batches.push(batch.map((message) => message.messageId));
    for (const { messageId } of batch) this.deliveries.set(messageId, (this.deliveries.get(messageId) ?? 0) + 1);

    let failed: Set<string>;
    try {
      const response = await this.handler(this.event(batch), lambdaContext('process-orders', this.wiring.functionTimeoutSeconds));
      failed = this.failedIds(batch, response);
    } catch {
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (failed.has(message.messageId)) continue;
      this.remove(message);
      this.deleted.push(message);
    }
    return true;
  }

  /** Polls until the queue is empty (every message deleted or moved aside). */
  async drain(maxPolls = 1000): Promise<void> {
    for (let polls = 0; this.queue.length > 0; polls += 1) {
      if (polls === maxPolls) throw new Error(`queue not drained after ${maxPolls} polls`);
      await this.poll();
    }
  }

  private failedIds(batch: SimulatedMessage[], response: unknown): Set<string> {
    const all = new Set(batch.map((message) => message.messageId));
    if (!this.wiring.reportsBatchItemFailures) return new Set();
    const failures = (response as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined)?.batchItemFailures;
    if (!failures) return new Set();
    const ids = failures.map((failure) => failure.itemIdentifier);
    if (ids.some((id) => typeof id !== 'string' || id === '' || !all.has(id))) return all;
    return new Set(ids as string[]);
  }

  private remove(message: SimulatedMessage): void {
    this.queue.splice(this.queue.indexOf(message), 1);
  }

  private event(batch: SimulatedMessage[]): SQSEvent {
    const arn = `arn:aws:sqs:us-east-1:123456789012:${this.wiring.queueId}`;
    const now = Date.now();
    return {
      Records: batch.map(
        (message): SQSRecord => ({
          messageId: message.messageId,
          receiptHandle: randomUUID(),
          body: message.body,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentTimestamp),
            SenderId: 'AROAEXAMPLE:apigateway',
            ApproximateFirstReceiveTimestamp: String(now),
          },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(message.body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: 'us-east-1',
        }),
      ),
    };
  }
}
