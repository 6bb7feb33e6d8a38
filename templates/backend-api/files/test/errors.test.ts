import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';

// A table that was never created makes every DynamoDB call fail the way an
// outage or a wrong deployment would: the client must get a bare 500.
const missingTable = 'table-that-does-not-exist';

let db: LocalDynamoDb;
let getItem: HttpHandler;

beforeAll(async () => {
  db = await startDynalite();
  useEmulatorEnvironment(db.endpoint, { TABLE_NAME: missingTable, POWERTOOLS_LOG_LEVEL: 'ERROR' });
  getItem = (await import('../src/functions/get-item.js')).handler;
});

afterAll(async () => {
  await db?.stop();
});

it('answers 500 without internals, and logs the cause for operators', async () => {
  const logged: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    logged.push(String(chunk));
    return true;
  });
  const response = await getItem(apiEvent('GET', '/items/{id}', { pathParameters: { id: 'any' } }), lambdaContext()).finally(
    () => stderr.mockRestore(),
  );

  const { statusCode, body } = parse(response);
  expect(statusCode).toBe(500);
  expect(body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } });
  expect(response.body).not.toMatch(new RegExp(`${missingTable}|ResourceNotFound|dynamodb|stack`, 'i'));

  const errorLog = logged.map((line) => JSON.parse(line)).find((entry) => entry.message === 'Request failed');
  expect(errorLog).toMatchObject({ level: 'ERROR', operation: 'getItem', error: { name: 'ResourceNotFoundException' } });
});
