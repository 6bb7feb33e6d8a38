/** SNS on the wire: the query protocol (form in, XML out; JSON when Accept asks for it). */
import type { ServerResponse } from 'node:http';

import { AwsServiceError } from './errors.js';
import { asServiceError, queryError, sendJson, sendXml, shortName as queueNameOf, type AwsEndpointParts, type Json } from './endpoint-shared.js';
import type { PublishInput } from './sns.js';
import { indexedList, queryMessageAttributes, subEntries, toXml, type MessageAttributeValue } from './wire.js';

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const SNS_ACTIONS = new Set(['Publish', 'PublishBatch']);

function publishInputOf(fields: Record<string, string | null | undefined>, attributes: Record<string, MessageAttributeValue> | undefined): PublishInput {
  return {
    message: fields.Message ?? '',
    subject: fields.Subject ?? undefined,
    messageStructure: fields.MessageStructure ?? undefined,
    messageGroupId: fields.MessageGroupId ?? undefined,
    messageDeduplicationId: fields.MessageDeduplicationId ?? undefined,
    messageAttributes: attributes,
  };
}

export async function snsQuery(parts: AwsEndpointParts, res: ServerResponse, requestId: string, action: string, params: URLSearchParams, wantsJson: boolean): Promise<void> {
  const { topics, log } = parts;
  try {
    const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
    if (!topicArn) throw new AwsServiceError('InvalidParameter', params.get('PhoneNumber') ? 'Invalid parameter: SMS is not delivered by sprout dev' : 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    if (!topics.has(topicArn)) throw new AwsServiceError('NotFound', 'Topic does not exist', { status: 404 });
    let result: Json;
    if (action === 'Publish') {
      const fields = Object.fromEntries(['Message', 'Subject', 'MessageStructure', 'MessageGroupId', 'MessageDeduplicationId'].map((k) => [k, params.get(k)]));
      const published = await topics.publish(topicArn, publishInputOf(fields, queryMessageAttributes(indexedList(params, 'MessageAttributes.entry'))));
      log({ kind: 'request', source: 'sns', message: `Publish ${queueNameOf(topicArn)}`, data: { messageId: published.messageId } });
      result = { MessageId: published.messageId, ...(published.sequenceNumber ? { SequenceNumber: published.sequenceNumber } : {}) };
    } else if (action === 'PublishBatch') {
      const entries = indexedList(params, 'PublishBatchRequestEntries.member');
      if (entries.length === 0) throw new AwsServiceError('EmptyBatchRequest', 'The batch request does not contain any entries.');
      if (entries.length > 10) throw new AwsServiceError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of entries) {
        try {
          const published = await topics.publish(topicArn, publishInputOf(entry, queryMessageAttributes(subEntries(entry, 'MessageAttributes.entry'))));
          Successful.push({ Id: entry.Id, MessageId: published.messageId, ...(published.sequenceNumber ? { SequenceNumber: published.sequenceNumber } : {}) });
        } catch (error) {
          const e = asServiceError(error);
          Failed.push({ Id: entry.Id, Code: e.code, Message: e.message, SenderFault: e.fault === 'Sender' });
        }
      }
      log({ kind: 'request', source: 'sns', message: `PublishBatch ${queueNameOf(topicArn)} (${Successful.length} published, ${Failed.length} failed)` });
      result = wantsJson ? { Successful, Failed } : { Successful: { member: Successful }, Failed: { member: Failed } };
    } else {
      throw new AwsServiceError('InvalidAction', `sprout dev's SNS does not implement ${action}`);
    }
    if (wantsJson) return sendJson(res, 200, { [`${action}Response`]: { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } } }, requestId);
    sendXml(res, 200, `<${action}Response xmlns="${SNS_XMLNS}">${toXml(`${action}Result`, result)}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId);
  } catch (error) {
    queryError(res, requestId, asServiceError(error), wantsJson, SNS_XMLNS);
  }
}
