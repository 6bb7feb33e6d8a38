import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { httpHandler } from '../lib/handler.js';
import { NotFoundError, noContent } from '../lib/http.js';
import { itemId } from '../lib/params.js';
import { metrics } from '../lib/powertools.js';
import { documentClient, requiredEnv } from '../lib/table.js';

const tableName = requiredEnv('TABLE_NAME');

export const handler = httpHandler('deleteItem', async (event) => {
  const id = itemId(event);
  try {
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: { id }, ConditionExpression: 'attribute_exists(id)' }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new NotFoundError(`Item ${id} does not exist`);
    throw error;
  }
  metrics.addMetric('ItemDeleted', MetricUnit.Count, 1);
  return noContent();
});
