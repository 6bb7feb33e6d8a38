/** SQS on the wire: JSON 1.0 (SDK v3, query-compatible errors) and the query protocol API Gateway's AWS integration sends. */
import type { ServerResponse } from 'node:http';

import type { QueueMessage, Queues } from '../types.js';
import { AwsServiceError, sqsErrors } from './errors.js';
import { asServiceError, queryError, sendJson, sendXml, shortName as queueNameOf, type AwsEndpointParts, type Json } from './endpoint-shared.js';
import { md5OfMessageAttributes } from './md5.js';
import type { LocalQueues } from './sqs.js';
import { indexedList, indexedValues, queryMessageAttributes, subEntries, toXml, type MessageAttributeValue } from './wire.js';

const SQS_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';


function requireQueue(parts: AwsEndpointParts, queue: unknown): string {
  if (typeof queue !== 'string' || !queue) throw sqsErrors.missingParameter('The request must contain the parameter QueueUrl.');
  if (!parts.queues.has(queue)) throw sqsErrors.queueDoesNotExist();
  return queue;
}

function extras(parts: AwsEndpointParts): Partial<LocalQueues> {
  return parts.queues as Partial<LocalQueues>;
}

function sendInputOf(entry: Json): { body: string; messageAttributes?: Record<string, MessageAttributeValue>; delaySeconds?: number; messageGroupId?: string; deduplicationId?: string } {
  return {
    body: entry.MessageBody,
    messageAttributes: entry.MessageAttributes,
    delaySeconds: entry.DelaySeconds === undefined ? undefined : Number(entry.DelaySeconds),
    messageGroupId: entry.MessageGroupId,
    deduplicationId: entry.MessageDeduplicationId,
  };
}

function sendResult(sent: { messageId: string; md5OfBody: string; sequenceNumber?: string }, attributes: Json | undefined): Json {
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfBody,
    ...(md5OfMessageAttributes(attributes) ? { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
    ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}),
  };
}

function batchEntries(input: Json): Json[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new AwsServiceError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.', { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest' });
  }
  if (entries.length > 10) {
    throw new AwsServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`, {
      queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
  }
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.Id)) throw new AwsServiceError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`, { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' });
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(String(e.Id))) {
      throw new AwsServiceError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.', {
        queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
      });
    }
    ids.add(e.Id);
  }
  return entries;
}

function failedEntry(id: string, error: unknown): Json {
  const e = asServiceError(error);
  return { Id: id, SenderFault: e.fault === 'Sender', Code: e.queryCode, Message: e.message };
}

function selectAttributes(all: Record<string, string>, names: unknown[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  if (names.includes('All')) return all;
  const out: Record<string, string> = {};
  for (const n of names) if (typeof n === 'string' && all[n] !== undefined) out[n] = all[n];
  return Object.keys(out).length ? out : undefined;
}

function selectMessageAttributes(all: QueueMessage['messageAttributes'], names: unknown[]): QueueMessage['messageAttributes'] | undefined {
  const out: QueueMessage['messageAttributes'] = {};
  for (const [name, value] of Object.entries(all)) {
    const wanted = names.some((n) => n === 'All' || n === '.*' || n === name || (typeof n === 'string' && n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    if (wanted) out[name] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

export async function sqsOperation(parts: AwsEndpointParts, op: string, input: Json): Promise<Json> {
  const { queues, log } = parts;
  switch (op) {
    case 'SendMessage': {
      const queue = requireQueue(parts, input.QueueUrl);
      const sent = await queues.send(queue, sendInputOf(input));
      log({ kind: 'request', source: 'sqs', message: `SendMessage ${queueNameOf(queue)}`, data: { messageId: sent.messageId } });
      return sendResult(sent, input.MessageAttributes);
    }
    case 'SendMessageBatch': {
      const queue = requireQueue(parts, input.QueueUrl);
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of batchEntries(input)) {
        try {
          Successful.push({ Id: entry.Id, ...sendResult(await queues.send(queue, sendInputOf(entry)), entry.MessageAttributes) });
        } catch (error) {
          Failed.push(failedEntry(entry.Id, error));
        }
      }
      log({ kind: 'request', source: 'sqs', message: `SendMessageBatch ${queueNameOf(queue)} (${Successful.length} sent, ${Failed.length} failed)` });
      return { Successful, Failed };
    }
    case 'ReceiveMessage': {
      const queue = requireQueue(parts, input.QueueUrl);
      const wait = input.WaitTimeSeconds === undefined ? undefined : Number(input.WaitTimeSeconds);
      if (wait !== undefined && !(wait >= 0 && wait <= 20)) {
        throw sqsErrors.invalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
      }
      const messages = await queues.receive(queue, {
        max: input.MaxNumberOfMessages === undefined ? 1 : Number(input.MaxNumberOfMessages),
        visibilityTimeoutSeconds: input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout),
        waitMs: wait === undefined ? undefined : wait * 1000,
      });
      // Polling is constant; only receives that return something are worth a log line.
      if (messages.length > 0) log({ kind: 'request', source: 'sqs', message: `ReceiveMessage ${queueNameOf(queue)} → ${messages.length}` });
      // SQS omits Messages entirely when nothing was received.
      if (messages.length === 0) return {};
      const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
      const attributeNames = input.MessageAttributeNames ?? [];
      return {
        Messages: messages.map((m) => {
          const attributes = selectAttributes(m.attributes, systemNames);
          const messageAttributes = selectMessageAttributes(m.messageAttributes, attributeNames);
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5OfBody,
            Body: m.body,
            ...(attributes ? { Attributes: attributes } : {}),
            ...(messageAttributes ? { MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes), MessageAttributes: messageAttributes } : {}),
          };
        }),
      };
    }
    case 'DeleteMessage': {
      const queue = requireQueue(parts, input.QueueUrl);
      queues.delete(queue, String(input.ReceiptHandle ?? ''));
      log({ kind: 'request', source: 'sqs', message: `DeleteMessage ${queueNameOf(queue)}` });
      return {};
    }
    case 'DeleteMessageBatch': {
      const queue = requireQueue(parts, input.QueueUrl);
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of batchEntries(input)) {
        try {
          queues.delete(queue, String(entry.ReceiptHandle ?? ''));
          Successful.push({ Id: entry.Id });
        } catch (error) {
          Failed.push(failedEntry(entry.Id, error));
        }
      }
      log({ kind: 'request', source: 'sqs', message: `DeleteMessageBatch ${queueNameOf(queue)} (${Successful.length})` });
      return { Successful, Failed };
    }
    case 'ChangeMessageVisibility': {
      const queue = requireQueue(parts, input.QueueUrl);
      queues.changeVisibility(queue, String(input.ReceiptHandle ?? ''), Number(input.VisibilityTimeout));
      return {};
    }
    case 'ChangeMessageVisibilityBatch': {
      const queue = requireQueue(parts, input.QueueUrl);
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of batchEntries(input)) {
        try {
          queues.changeVisibility(queue, String(entry.ReceiptHandle ?? ''), Number(entry.VisibilityTimeout));
          Successful.push({ Id: entry.Id });
        } catch (error) {
          Failed.push(failedEntry(entry.Id, error));
        }
      }
      return { Successful, Failed };
    }
    case 'GetQueueUrl': {
      const name = String(input.QueueName ?? '');
      if (!queues.has(name)) throw sqsErrors.queueDoesNotExist();
      return { QueueUrl: extras(parts).urlOf?.(name) ?? name };
    }
    case 'ListQueues': {
      const prefix = String(input.QueueNamePrefix ?? '');
      const all = extras(parts).list?.() ?? [];
      return { QueueUrls: all.filter((q) => q.name.startsWith(prefix)).map((q) => q.url) };
    }
    case 'GetQueueAttributes': {
      const queue = requireQueue(parts, input.QueueUrl);
      const all = extras(parts).attributes?.(queue) ?? countsAsAttributes(queues, queue);
      return { Attributes: selectAttributes(all, input.AttributeNames ?? []) ?? {} };
    }
    case 'PurgeQueue': {
      const queue = requireQueue(parts, input.QueueUrl);
      const purge = extras(parts).purge;
      if (!purge) throw new AwsServiceError('UnsupportedOperation', 'PurgeQueue is not available', { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
      purge(queue);
      log({ kind: 'request', source: 'sqs', message: `PurgeQueue ${queueNameOf(queue)}` });
      return {};
    }
    case 'StartMessageMoveTask': {
      const move = extras(parts).moveMessages;
      if (!move) break;
      const source = requireQueueArn(parts, input.SourceArn, 'SourceArn');
      const destination = input.DestinationArn === undefined ? undefined : requireQueueArn(parts, input.DestinationArn, 'DestinationArn');
      const startedAt = Date.now();
      // The move is done at once: the task is COMPLETED by the time ListMessageMoveTasks asks.
      const { moved, left } = move(source, destination);
      const handle = Buffer.from(JSON.stringify({ source, startedAt })).toString('base64url');
      moveTasks(parts).unshift({ TaskHandle: handle, Status: 'COMPLETED', SourceArn: source, ...(destination ? { DestinationArn: destination } : {}), ApproximateNumberOfMessagesMoved: moved, ApproximateNumberOfMessagesToMove: moved + left, StartedTimestamp: startedAt });
      log({ kind: 'request', source: 'sqs', message: `StartMessageMoveTask ${queueNameOf(source)} → ${moved} moved` });
      return { TaskHandle: handle };
    }
    case 'ListMessageMoveTasks': {
      const source = requireQueueArn(parts, input.SourceArn, 'SourceArn');
      const max = Number(input.MaxResults) || 1;
      return { Results: moveTasks(parts).filter((t) => t.SourceArn === source).slice(0, max) };
    }
    default:
      break;
  }
  throw new AwsServiceError('UnsupportedOperation', `sprout dev's SQS does not implement ${op}`, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
}

/** The move tasks started through this endpoint, newest first (per set of queues). */
const moveTaskLists = new WeakMap<object, Json[]>();
function moveTasks(parts: AwsEndpointParts): Json[] {
  let list = moveTaskLists.get(parts.queues);
  if (!list) moveTaskLists.set(parts.queues, (list = []));
  return list;
}

/** A queue named by its ARN (StartMessageMoveTask's SourceArn, DestinationArn). */
function requireQueueArn(parts: AwsEndpointParts, arn: unknown, field: string): string {
  if (typeof arn !== 'string' || !parts.queues.has(arn)) throw new AwsServiceError('ResourceNotFoundException', `${field} ${String(arn)} is not a queue`, { queryCode: 'ResourceNotFoundException' });
  return arn;
}

function countsAsAttributes(queues: Queues, queue: string): Record<string, string> {
  const c = queues.counts(queue);
  return {
    QueueArn: queues.arnOf(queue),
    ApproximateNumberOfMessages: String(c.visible),
    ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
    ApproximateNumberOfMessagesDelayed: String(c.delayed),
  };
}

/** Query-protocol SQS (what API Gateway's `sqs:path/<account>/<queue>` integration sends): the same operations, form in, XML or JSON out. */
export async function sqsQuery(parts: AwsEndpointParts, res: ServerResponse, requestId: string, action: string, params: URLSearchParams, path: string, wantsJson: boolean): Promise<void> {
  const queueUrl = params.get('QueueUrl') ?? (/^\/\d{12}\/[^/]+\/?$/.test(path) ? path.replace(/\/$/, '') : undefined);
  const input: Json = { QueueUrl: queueUrl };
  for (const key of ['MessageBody', 'DelaySeconds', 'MessageGroupId', 'MessageDeduplicationId', 'MaxNumberOfMessages', 'WaitTimeSeconds', 'VisibilityTimeout', 'ReceiptHandle', 'QueueName', 'QueueNamePrefix']) {
    const v = params.get(key);
    if (v !== null) input[key] = v;
  }
  input.MessageAttributes = queryMessageAttributes(indexedList(params, 'MessageAttribute'));
  input.AttributeNames = indexedValues(params, 'AttributeName');
  input.MessageSystemAttributeNames = indexedValues(params, 'MessageSystemAttributeName');
  input.MessageAttributeNames = indexedValues(params, 'MessageAttributeName');
  const batchPrefix = { SendMessageBatch: 'SendMessageBatchRequestEntry', DeleteMessageBatch: 'DeleteMessageBatchRequestEntry', ChangeMessageVisibilityBatch: 'ChangeMessageVisibilityBatchRequestEntry' }[action];
  if (batchPrefix) {
    input.Entries = indexedList(params, batchPrefix).map((e) => ({ ...e, MessageAttributes: queryMessageAttributes(subEntries(e, 'MessageAttribute')) }));
  }
  try {
    const result = await sqsOperation(parts, action, input);
    if (wantsJson) return sendJson(res, 200, { [`${action}Response`]: { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } } }, requestId);
    sendXml(res, 200, `<${action}Response xmlns="${SQS_XMLNS}">${toXml(`${action}Result`, sqsResultForXml(action, result))}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId);
  } catch (error) {
    queryError(res, requestId, asServiceError(error), wantsJson, SQS_XMLNS);
  }
}

/** The query protocol names list members and maps differently from JSON (`<Message>`, `<Attribute><Name/><Value/>`). */
function sqsResultForXml(action: string, result: Json): Json {
  const mapEntries = (map: Record<string, unknown> | undefined, element: string) => (map ? { [element]: Object.entries(map).map(([Name, Value]) => ({ Name, Value })) } : {});
  switch (action) {
    case 'ReceiveMessage':
      return {
        Message: ((result.Messages ?? []) as Json[]).map(({ Attributes, MessageAttributes, ...rest }) => ({ ...rest, ...mapEntries(Attributes, 'Attribute'), ...mapEntries(MessageAttributes, 'MessageAttribute') })),
      };
    case 'GetQueueAttributes':
      return mapEntries(result.Attributes, 'Attribute');
    case 'ListQueues':
      return { QueueUrl: result.QueueUrls };
    case 'SendMessageBatch':
      return { SendMessageBatchResultEntry: result.Successful, BatchResultErrorEntry: result.Failed };
    case 'DeleteMessageBatch':
      return { DeleteMessageBatchResultEntry: result.Successful, BatchResultErrorEntry: result.Failed };
    case 'ChangeMessageVisibilityBatch':
      return { ChangeMessageVisibilityBatchResultEntry: result.Successful, BatchResultErrorEntry: result.Failed };
    default:
      return result;
  }
}
