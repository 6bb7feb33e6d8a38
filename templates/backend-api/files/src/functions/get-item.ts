import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { httpHandler } from '../lib/handler.js';
import { NotFoundError, json } from '../lib/http.js';
import { toItem } from '../lib/item.js';
import { itemId } from '../lib/params.js';
import { documentClient, requiredEnv } from '../lib/table.js';

const tableName = requiredEnv('TABLE_NAME');

export const handler = httpHandler('getItem', async (event) => {
  const id = itemId(event);
  // Strongly consistent, so a client reading right after its own write sees it.
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
  if (!Item) throw new NotFoundError(`Item ${id} does not exist`);
  return json(200, toItem(Item));
});
