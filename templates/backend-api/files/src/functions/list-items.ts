import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { httpHandler } from '../lib/handler.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { json } from '../lib/http.js';
import { toItem } from '../lib/item.js';
import { pageLimit } from '../lib/params.js';
import { documentClient, requiredEnv } from '../lib/table.js';
import { ITEM_KIND, itemsTable } from '../lib/table-schema.js';

const tableName = requiredEnv('TABLE_NAME');
const defaultPageSize = Number(requiredEnv('DEFAULT_PAGE_SIZE'));
const { listIndex } = itemsTable;

/** GET /items?limit=&cursor= : newest first, one page per call. */
export const handler = httpHandler('listItems', async (event) => {
  const limit = pageLimit(event, defaultPageSize);
  const cursor = event.queryStringParameters?.cursor;
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: listIndex.name,
      KeyConditionExpression: '#kind = :kind',
      ExpressionAttributeNames: { '#kind': listIndex.partitionKey },
      ExpressionAttributeValues: { ':kind': ITEM_KIND },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor ? decodeCursor(cursor) : undefined,
    }),
  );
  return json(200, {
    items: (page.Items ?? []).map(toItem),
    // DynamoDB may return a key even when the next page is empty; clients stop when nextCursor is absent.
    ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
  });
});
