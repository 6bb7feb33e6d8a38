import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { legacyReadThrough } from '../lib/flag-client.js';
import { httpHandler } from '../lib/handler.js';
import { HttpError, NotFoundError, ValidationError, header, json } from '../lib/http.js';
import { readLegacyOrder, SOURCE_HEADER } from '../lib/legacy.js';
import { ORDER_ID, type Order, parseOrderInput, totalCents } from '../lib/orders.js';
import { logger, metrics } from '../lib/powertools.js';
import { bodyText, requestPath } from '../lib/request.js';
import { documentClient, requiredEnv } from '../lib/table.js';

/**
 * The new service: every request the facade's route table sends to "new" arrives here, and this
 * function routes it on. It implements the orders API; a path it does not implement answers 404
 * ROUTE_NOT_IMPLEMENTED (and logs a warning), the sign that a route moved to "new" too early.
 */

const tableName = requiredEnv('TABLE_NAME');
const legacy = { baseUrl: requiredEnv('LEGACY_BASE_URL'), timeoutMs: Number(requiredEnv('LEGACY_TIMEOUT_MS')) };
const fromNew = { [SOURCE_HEADER]: 'new' };

type Operation = (event: APIGatewayProxyEvent, params: string[]) => Promise<APIGatewayProxyResult>;

/** POST /orders: places an order; the total is computed here, in integer cents. */
const createOrder: Operation = async (event) => {
  const input = parseOrderInput(bodyText(event));
  const order: Order = { id: randomUUID(), ...input, totalCents: totalCents(input.lines), status: 'PLACED', createdAt: new Date().toISOString() };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: order, ConditionExpression: 'attribute_not_exists(id)' }));
  metrics.addMetric('OrderCreated', MetricUnit.Count, 1);
  return json(201, order, { location: `/orders/${order.id}`, ...fromNew });
};

/** GET /orders/{id}: from the new table; with the read-through flag on, from legacy when it is not there yet. */
const getOrder: Operation = async (event, [id = '']) => {
  if (!ORDER_ID.test(id)) throw new ValidationError('An order id is 1 to 64 letters, digits, "_" or "-"');
  // Strongly consistent, so a client reading right after its own write sees it.
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
  if (Item) return json(200, Item, fromNew);
  if (!(await legacyReadThrough(event, 'getOrder'))) throw new NotFoundError(`Order ${id} does not exist`);
  metrics.addMetric('LegacyReadThrough', MetricUnit.Count, 1);
  const authorization = header(event.headers, 'authorization');
  return readLegacyOrder(id, { ...legacy, ...(authorization ? { authorization } : {}) });
};

/** The paths this service implements, and the methods on each. */
const routes: Array<{ path: RegExp; methods: Record<string, Operation> }> = [
  { path: /^\/orders$/, methods: { POST: createOrder } },
  { path: /^\/orders\/([^/]+)$/, methods: { GET: getOrder } },
];

export const handler = httpHandler(async (event) => {
  const path = requestPath(event);
  for (const route of routes) {
    const match = route.path.exec(path);
    if (!match) continue;
    const operation = route.methods[event.httpMethod];
    if (!operation) {
      const allow = Object.keys(route.methods).join(', ');
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${allow}`, { allow });
    }
    return operation(event, match.slice(1));
  }
  logger.warn('The route table sent a path the new service does not implement', { path });
  metrics.addMetric('RouteNotImplemented', MetricUnit.Count, 1);
  throw new NotFoundError(`The new service has no route for ${event.httpMethod} ${path}`, 'ROUTE_NOT_IMPLEMENTED');
});
