import { randomUUID } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { strictItemNames } from '../lib/flag-client.js';
import { httpHandler } from '../lib/handler.js';
import { ConflictError, HttpError, ValidationError, header, json } from '../lib/http.js';
import { type CreateItemInput, type Item, parseCreateItem, requireStrictName } from '../lib/item.js';
import { metrics } from '../lib/powertools.js';
import { documentClient, dynamoDb, requiredEnv } from '../lib/table.js';
import { ITEM_KIND } from '../lib/table-schema.js';

const tableName = requiredEnv('TABLE_NAME');

interface CreateRequest {
  idempotencyKey: string | null;
  input: CreateItemInput;
}

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requiredEnv('IDEMPOTENCY_TABLE_NAME'),
  awsSdkV3Client: dynamoDb,
});

// Keyed on the Idempotency-Key header when the client sends one, otherwise on
// the body itself (an identical body within the hour is treated as a retry).
// Reusing a key with a different body is rejected rather than replayed.
const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'idempotencyKey || input',
  payloadValidationJmesPath: 'input',
  expiresAfterSeconds: 60 * 60,
});

const createItemOnce = makeIdempotent(
  async ({ input }: CreateRequest): Promise<Item> => {
    const now = new Date().toISOString();
    const item: Item = { id: randomUUID(), ...input, createdAt: now, updatedAt: now, version: 1 };
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...item, kind: ITEM_KIND },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    metrics.addMetric('ItemCreated', MetricUnit.Count, 1);
    return item;
  },
  { persistenceStore, config: idempotencyConfig },
);

export const handler = httpHandler('createItem', async (event, context) => {
  const input = parseCreateItem(event.body);
  if (await strictItemNames(event, 'createItem')) requireStrictName(input.name);
  const idempotencyKey = header(event.headers, 'Idempotency-Key') || null;
  if (idempotencyKey !== null && idempotencyKey.length > 255) {
    throw new ValidationError('The Idempotency-Key header must be at most 255 characters');
  }
  idempotencyConfig.registerLambdaContext(context);
  try {
    const item = await createItemOnce({ idempotencyKey, input });
    return json(201, item, { location: `/items/${item.id}` });
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different body');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new ConflictError('A request with the same idempotency key is still in progress; retry shortly');
    }
    throw error;
  }
});
