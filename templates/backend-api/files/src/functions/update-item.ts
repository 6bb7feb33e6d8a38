import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { strictItemNames } from '../lib/flag-client.js';
import { httpHandler } from '../lib/handler.js';
import { ConflictError, NotFoundError, json } from '../lib/http.js';
import { parseUpdateItem, requireStrictName, toItem } from '../lib/item.js';
import { itemId } from '../lib/params.js';
import { metrics } from '../lib/powertools.js';
import { documentClient, requiredEnv } from '../lib/table.js';

const tableName = requiredEnv('TABLE_NAME');

/** PUT /items/{id}: replaces name and description; `version`, when sent, must match. */
export const handler = httpHandler('updateItem', async (event) => {
  const id = itemId(event);
  const { name, description, version } = parseUpdateItem(event.body);
  if (await strictItemNames(event, 'updateItem')) requireStrictName(name);
  const conditions = ['attribute_exists(#id)', ...(version === undefined ? [] : ['#version = :expected'])];
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { id },
        UpdateExpression: `SET #name = :name, #updatedAt = :now, #version = #version + :one${
          description === undefined ? ' REMOVE #description' : ', #description = :description'
        }`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: {
          '#id': 'id',
          '#name': 'name',
          '#description': 'description',
          '#updatedAt': 'updatedAt',
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ':name': name,
          ':now': new Date().toISOString(),
          ':one': 1,
          ...(description === undefined ? {} : { ':description': description }),
          ...(version === undefined ? {} : { ':expected': version }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    metrics.addMetric('ItemUpdated', MetricUnit.Count, 1);
    return json(200, toItem(Attributes ?? {}));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw await whyConditionFailed(id, version);
    throw error;
  }
});

// The condition covers "missing" and "stale version"; one consistent read
// tells the two apart (this is why the function may also GetItem).
async function whyConditionFailed(id: string, version: number | undefined): Promise<Error> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
  if (!Item) return new NotFoundError(`Item ${id} does not exist`);
  return new ConflictError(`Item ${id} is at version ${String(Item.version)}, not ${String(version)}; read it again and retry`);
}
