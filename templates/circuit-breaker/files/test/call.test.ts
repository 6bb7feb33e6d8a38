import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { createCircuitTable, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';
import { type Behaviour, closedPort, type FakeService, startService } from './helpers/servers.js';

// The real function: DynamoDB is dynalite, the downstream service a real HTTP server on
// 127.0.0.1 whose answers each test chooses.

const TABLE = 'call-circuits';
const CIRCUIT = 'downstream.test';
const THRESHOLD = 2;
const COOL_DOWN_SECONDS = 30;
const CALL_TIMEOUT_MS = 300;

let db: LocalDynamoDb;
let documentClient: DynamoDBDocumentClient;
let service: FakeService;
let behaviour: Behaviour = {};
let handler: HttpHandler;
// Loaded after the environment is set: Powertools reads its settings when it is created.
let metrics: typeof import('../src/lib/powertools.js').metrics;

beforeAll(async () => {
  db = await startDynalite();
  documentClient = DynamoDBDocumentClient.from(db.client);
  service = await startService('downstream', () => behaviour);
  useEmulatorEnvironment(db.endpoint, {
    TABLE_NAME: TABLE,
    CIRCUIT_NAME: CIRCUIT,
    DOWNSTREAM_URL: `${service.origin}/health?deep=1`,
    CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
    FAILURE_THRESHOLD: String(THRESHOLD),
    COOL_DOWN_SECONDS: String(COOL_DOWN_SECONDS),
  });
  await createCircuitTable(db.client, TABLE);
  handler = (await import('../src/functions/call.js')).handler;
  metrics = (await import('../src/lib/powertools.js')).metrics;
});
beforeEach(async () => {
  behaviour = {};
  service.hits.length = 0;
  await documentClient.send(new DeleteCommand({ TableName: TABLE, Key: { circuit: CIRCUIT } }));
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await service?.close();
  await db?.stop();
});

const call = async () => parse(await handler(apiEvent('/call'), lambdaContext()));
const circuit = async () => parse(await handler(apiEvent('/circuit'), lambdaContext())).body.circuit;

/** Moves the circuit's openedAt back, as if the cool-down had passed. */
async function endCoolDown() {
  await documentClient.send(
    new UpdateCommand({ TableName: TABLE, Key: { circuit: CIRCUIT }, UpdateExpression: 'SET openedAt = :past', ExpressionAttributeValues: { ':past': Date.now() - COOL_DOWN_SECONDS * 1000 - 1 } }),
  );
}

async function openTheCircuit() {
  behaviour = { status: 503 };
  for (let i = 0; i < THRESHOLD; i++) await call();
  expect(await circuit()).toMatchObject({ state: 'open' });
  service.hits.length = 0;
}

describe('GET /call while the circuit is closed', () => {
  it('calls the downstream URL and passes its answer on', async () => {
    behaviour = { body: { healthy: true } };
    const response = await call();
    expect(response).toMatchObject({ statusCode: 200, body: { healthy: true }, headers: { 'content-type': 'application/json', 'x-circuit-state': 'closed' } });
    expect(service.hits.map((hit) => hit.url)).toEqual(['/health?deep=1']);
  });

  it('passes a 4xx on and does not count it: the downstream service is answering', async () => {
    behaviour = { status: 404, body: 'no such thing' };
    for (let i = 0; i < THRESHOLD + 1; i++) expect(await call()).toMatchObject({ statusCode: 404, body: 'no such thing', headers: { 'content-type': 'text/plain' } });
    expect(await circuit()).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('answers 502 and counts a 5xx', async () => {
    behaviour = { status: 500 };
    expect(await call()).toMatchObject({
      statusCode: 502,
      body: { error: { code: 'DOWNSTREAM_ERROR', message: 'The downstream service answered 500' }, circuit: { state: 'closed', failures: 1 } },
    });
  });

  it('abandons a call slower than callTimeoutMs, answers 504 and counts it', async () => {
    behaviour = { delayMs: CALL_TIMEOUT_MS + 500 };
    const started = performance.now();
    const response = await call();
    expect(performance.now() - started).toBeLessThan(CALL_TIMEOUT_MS + 400);
    expect(response).toMatchObject({ statusCode: 504, body: { error: { code: 'DOWNSTREAM_TIMEOUT' }, circuit: { failures: 1 } } });
    await vi.waitFor(() => expect(service.hits[0]?.closedEarly).toBe(true));
  });

  it('times out a downstream that sends its headers and then stalls the body', async () => {
    behaviour = { delayMs: CALL_TIMEOUT_MS + 500, headersFirst: true };
    expect(await call()).toMatchObject({ statusCode: 504, body: { error: { code: 'DOWNSTREAM_TIMEOUT' } } });
  });

  it('opens the circuit after failureThreshold failures, and records the transition', async () => {
    const added = vi.spyOn(metrics, 'addMetric');
    behaviour = { status: 503 };
    expect((await call()).body.circuit).toMatchObject({ state: 'closed', failures: 1 });
    expect((await call()).body.circuit).toMatchObject({ state: 'open', failures: 2, failureThreshold: THRESHOLD });
    expect(added.mock.calls.map(([name]) => name)).toEqual(['CallFailed', 'CircuitOpened', 'CallFailed']);
  });
});

describe('GET /call while the circuit is open', () => {
  it('fails fast with the fallback (503, Retry-After) and does not call the downstream service', async () => {
    await openTheCircuit();
    behaviour = { body: { healthy: true } };
    const response = await call();
    expect(response.statusCode).toBe(503);
    expect(response.body).toEqual({
      error: { code: 'CIRCUIT_OPEN', message: expect.stringMatching(/circuit is open/) },
      circuit: { name: CIRCUIT, state: 'open', failures: THRESHOLD, failureThreshold: THRESHOLD, openedAt: expect.any(String), trialInProgress: false },
      retryAfter: expect.any(Number),
    });
    expect(response.body.retryAfter).toBeGreaterThanOrEqual(COOL_DOWN_SECONDS - 2);
    expect(response.body.retryAfter).toBeLessThanOrEqual(COOL_DOWN_SECONDS);
    expect(response.headers).toMatchObject({ 'retry-after': String(response.body.retryAfter), 'x-circuit-state': 'open' });
    expect(service.hits).toHaveLength(0);
  });

  it('after the cool-down, one trial call goes through; its success closes the circuit', async () => {
    await openTheCircuit();
    await endCoolDown();
    const added = vi.spyOn(metrics, 'addMetric');
    behaviour = { body: { healthy: true } };
    expect(await call()).toMatchObject({ statusCode: 200, body: { healthy: true }, headers: { 'x-circuit-state': 'closed' } });
    expect(service.hits).toHaveLength(1);
    expect(added.mock.calls.map(([name]) => name)).toEqual(['CircuitHalfOpened', 'CircuitClosed', 'CallSucceeded']);
    expect(await circuit()).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('after the cool-down, a failed trial opens the circuit again for a whole cool-down', async () => {
    await openTheCircuit();
    await endCoolDown();
    behaviour = { status: 500 };
    expect(await call()).toMatchObject({ statusCode: 502, body: { circuit: { state: 'open' } } });
    const response = await call();
    expect(response).toMatchObject({ statusCode: 503, body: { error: { code: 'CIRCUIT_OPEN' } } });
    expect(response.body.retryAfter).toBeGreaterThanOrEqual(COOL_DOWN_SECONDS - 2);
    expect(service.hits).toHaveLength(1);
  });

  it('while a trial is in flight, other requests get the fallback and only the trial reaches the downstream service', async () => {
    await openTheCircuit();
    await endCoolDown();
    behaviour = { delayMs: 150, body: { healthy: true } };
    const trial = call();
    await vi.waitFor(() => expect(service.hits).toHaveLength(1));
    const other = await call();
    expect(other).toMatchObject({ statusCode: 503, body: { error: { code: 'CIRCUIT_OPEN', message: expect.stringMatching(/half-open/) }, circuit: { state: 'half-open', trialInProgress: true } } });
    expect(await trial).toMatchObject({ statusCode: 200 });
    expect(service.hits).toHaveLength(1);
  });
});

describe('concurrent requests when the cool-down ends', () => {
  it.each([200, 500])('let exactly one of two requests make the trial (the downstream answers %i once released); the other gets the fallback at once', async (status) => {
    await openTheCircuit();
    await endCoolDown();
    let release!: () => void;
    behaviour = { status, body: { healthy: status < 500 }, gate: new Promise<void>((resolve) => (release = resolve)) };

    const requests = [call(), call()];
    const settled: Array<Awaited<ReturnType<typeof call>>> = [];
    for (const request of requests) void request.then((response) => settled.push(response));
    // The loser answers while the trial call is still blocked in the downstream service.
    await vi.waitFor(() => expect(settled).toHaveLength(1));
    expect(service.hits).toHaveLength(1);
    expect(settled[0]).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': expect.stringMatching(/^\d+$/), 'x-circuit-state': 'half-open' },
      body: { error: { code: 'CIRCUIT_OPEN', message: expect.stringMatching(/half-open/) }, circuit: { state: 'half-open', trialInProgress: true } },
    });

    release();
    const [first, second] = await Promise.all(requests);
    const statuses = [first!.statusCode, second!.statusCode].sort();
    expect(statuses).toEqual(status < 500 ? [200, 503] : [502, 503]);
    expect(service.hits).toHaveLength(1);
    expect(await circuit()).toMatchObject({ state: status < 500 ? 'closed' : 'open', trialInProgress: false });
  });
});

describe('network failures', () => {
  it('counts a refused connection as a failure (502)', async () => {
    const { handler: refused } = await importWithUrl(`${await closedPort()}/health`);
    const response = parse(await refused(apiEvent('/call'), lambdaContext()));
    expect(response).toMatchObject({ statusCode: 502, body: { error: { code: 'DOWNSTREAM_ERROR', message: expect.stringMatching(/could not be reached/) }, circuit: { failures: 1 } } });
  });
});

describe('GET /circuit', () => {
  it('reports a circuit never written as closed with no failures', async () => {
    expect(await circuit()).toEqual({ name: CIRCUIT, state: 'closed', failures: 0, failureThreshold: THRESHOLD, trialInProgress: false });
  });
});

/** The handler module loaded afresh with another DOWNSTREAM_URL (it reads its settings at load time). */
async function importWithUrl(url: string): Promise<{ handler: HttpHandler }> {
  const previous = process.env.DOWNSTREAM_URL;
  process.env.DOWNSTREAM_URL = url;
  vi.resetModules();
  try {
    return await import('../src/functions/call.js');
  } finally {
    process.env.DOWNSTREAM_URL = previous;
  }
}
