import { DynamoDBDocumentClient, GetCommand, type GetCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BreakerResult, CircuitBreaker, type CircuitView, type Transition } from '../src/lib/breaker.js';
import { createCircuitTable, type LocalDynamoDb, startDynalite } from './helpers/dynalite.js';

// The breaker against dynalite, walking every transition. Time is a variable the tests move; each
// test uses its own circuit (its own item), so they do not see each other's state.

const TABLE = 'circuits';
const START = Date.UTC(2025, 0, 1, 12, 0, 0);
const COOL_DOWN_MS = 30_000;
const LEASE_MS = 5_000;

let db: LocalDynamoDb;
let documentClient: DynamoDBDocumentClient;
let now = START;

beforeAll(async () => {
  db = await startDynalite();
  documentClient = DynamoDBDocumentClient.from(db.client);
  await createCircuitTable(db.client, TABLE);
});
afterAll(async () => {
  await db?.stop();
});

let circuits = 0;
interface TestBreaker {
  breaker: CircuitBreaker;
  transitions: Array<Transition['reason']>;
}
/** A breaker on a fresh circuit, with the test clock; `client` lets a test put something between it and DynamoDB. */
function newBreaker(options: { failureThreshold?: number; client?: DynamoDBDocumentClient } = {}): TestBreaker {
  now = START;
  const transitions: Array<Transition['reason']> = [];
  const breaker = new CircuitBreaker(
    { name: `circuit-${++circuits}`, failureThreshold: options.failureThreshold ?? 3, coolDownMs: COOL_DOWN_MS, trialLeaseMs: LEASE_MS },
    { client: options.client ?? documentClient, tableName: TABLE, now: () => now, onTransition: (transition) => transitions.push(transition.reason) },
  );
  return { breaker, transitions };
}

/** A downstream stub that counts its calls. */
function downstream(behaviour: 'ok' | 'fail') {
  const stub = {
    calls: 0,
    call: async () => {
      stub.calls++;
      if (behaviour === 'fail') throw new Error('downstream failed');
      return 'answer';
    },
  };
  return stub;
}

/** A downstream call that blocks until the test releases it, succeeding or failing. */
function gatedDownstream() {
  let release!: (outcome: 'ok' | 'fail') => void;
  const gate = new Promise<'ok' | 'fail'>((resolve) => {
    release = resolve;
  });
  const stub = {
    calls: 0,
    release: (outcome: 'ok' | 'fail') => release(outcome),
    call: async () => {
      stub.calls++;
      if ((await gate) === 'fail') throw new Error('trial failed');
      return 'answer';
    },
  };
  return stub;
}

async function failTimes({ breaker }: TestBreaker, times: number): Promise<BreakerResult<string>> {
  let last: BreakerResult<string> | undefined;
  for (let i = 0; i < times; i++) last = await breaker.execute(downstream('fail').call);
  return last!;
}

/** Opens the circuit (at START) and moves the clock to the end of its cool-down. */
async function openAndCoolDown(test: TestBreaker) {
  await failTimes(test, test.breaker.settings.failureThreshold);
  expect((await test.breaker.read()).state).toBe('open');
  now = START + COOL_DOWN_MS;
}

/** Settles `promises` and reports how many have settled so far, so a test can wait for all but the blocked ones. */
function track<T>(promises: Array<Promise<T>>) {
  const settled: T[] = [];
  for (const promise of promises) void promise.then((value) => settled.push(value));
  return settled;
}

describe('closed', () => {
  it('lets calls through, and writes nothing while nothing fails', async () => {
    const test = newBreaker();
    const stub = downstream('ok');
    const result = await test.breaker.execute(stub.call);
    expect(result).toMatchObject({ outcome: 'success', value: 'answer', circuit: { state: 'closed', failures: 0, trialInProgress: false } });
    expect(stub.calls).toBe(1);
    const { Item } = await documentClient.send(new GetCommand({ TableName: TABLE, Key: { circuit: test.breaker.settings.name } }));
    expect(Item).toBeUndefined();
  });

  it('counts consecutive failures and opens at the threshold, once', async () => {
    const test = newBreaker({ failureThreshold: 3 });
    expect(await failTimes(test, 2)).toMatchObject({ outcome: 'failure', circuit: { state: 'closed', failures: 2 } });
    expect(test.transitions).toEqual([]);
    const third = await failTimes(test, 1);
    expect(third).toMatchObject({ outcome: 'failure', circuit: { state: 'open', failures: 3, openedAt: new Date(START).toISOString() } });
    expect((third as { error: Error }).error.message).toBe('downstream failed');
    expect(test.transitions).toEqual(['threshold']);
    expect(await test.breaker.read()).toMatchObject({ state: 'open', failures: 3, openedAt: START });
  });

  it('resets the count on a success, so only consecutive failures open the circuit', async () => {
    const test = newBreaker({ failureThreshold: 3 });
    await failTimes(test, 2);
    expect(await test.breaker.execute(downstream('ok').call)).toMatchObject({ outcome: 'success', circuit: { state: 'closed', failures: 0 } });
    expect(await failTimes(test, 2)).toMatchObject({ circuit: { state: 'closed', failures: 2 } });
  });

  it('counts concurrent failures exactly (atomic increments, no lost update)', async () => {
    const test = newBreaker({ failureThreshold: 100 });
    const results = await Promise.all(Array.from({ length: 25 }, () => test.breaker.execute(downstream('fail').call)));
    expect(results.every((result) => result.outcome === 'failure')).toBe(true);
    expect(await test.breaker.read()).toMatchObject({ state: 'closed', failures: 25, version: 25 });
  });

  it('opens exactly once when many concurrent failures cross the threshold together', async () => {
    const test = newBreaker({ failureThreshold: 5 });
    await Promise.all(Array.from({ length: 12 }, () => test.breaker.execute(downstream('fail').call)));
    expect(test.transitions).toEqual(['threshold']);
    const item = await test.breaker.read();
    expect(item.state).toBe('open');
    // Failures that finished after the circuit opened are not counted: the count stops between 5 and 12.
    expect(item.failures).toBeGreaterThanOrEqual(5);
    expect(item.failures).toBeLessThanOrEqual(12);
  });

  it('does not let a slow success that finishes after the circuit opened close it again', async () => {
    const test = newBreaker({ failureThreshold: 2 });
    await failTimes(test, 1);
    const slow = gatedDownstream();
    const inFlight = test.breaker.execute(slow.call);
    await vi.waitFor(() => expect(slow.calls).toBe(1));
    await failTimes(test, 1);
    slow.release('ok');
    expect(await inFlight).toMatchObject({ outcome: 'success', value: 'answer', circuit: { state: 'open' } });
    expect(await test.breaker.read()).toMatchObject({ state: 'open', failures: 2 });
  });
});

describe('open', () => {
  it('fails fast without calling the downstream service, saying how long until a trial', async () => {
    const test = newBreaker();
    await failTimes(test, 3);
    const stub = downstream('ok');
    now = START + 10_000;
    expect(await test.breaker.execute(stub.call)).toEqual({
      outcome: 'rejected',
      retryAfterSeconds: 20,
      circuit: { name: test.breaker.settings.name, state: 'open', failures: 3, failureThreshold: 3, openedAt: new Date(START).toISOString(), trialInProgress: false },
    });
    now = START + COOL_DOWN_MS - 1;
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'rejected', retryAfterSeconds: 1 });
    expect(stub.calls).toBe(0);
  });

  it('turns half-open after the cool-down and lets the caller that wins the slot make the trial call', async () => {
    const test = newBreaker();
    await openAndCoolDown(test);
    const trial = gatedDownstream();
    const inFlight = test.breaker.execute(trial.call);
    await vi.waitFor(() => expect(trial.calls).toBe(1));
    expect(await test.breaker.read()).toMatchObject({ state: 'half-open', trialId: expect.any(String), trialStartedAt: START + COOL_DOWN_MS });
    expect(await test.breaker.inspect()).toMatchObject({ state: 'half-open', trialInProgress: true });
    trial.release('ok');
    await inFlight;
    expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-succeeded']);
  });
});

describe('half-open', () => {
  it('closes and resets on a successful trial', async () => {
    const test = newBreaker();
    await openAndCoolDown(test);
    const stub = downstream('ok');
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'success', value: 'answer', circuit: { state: 'closed', failures: 0, trialInProgress: false } });
    const item = await test.breaker.read();
    expect(item).toMatchObject({ state: 'closed', failures: 0 });
    expect(item).not.toHaveProperty('trialId');
    expect(item).not.toHaveProperty('openedAt');
    // Closed again: calls go through, and it takes the full threshold to open it.
    expect(await failTimes(test, 2)).toMatchObject({ circuit: { state: 'closed', failures: 2 } });
  });

  it('opens again, with a new openedAt and a whole new cool-down, on a failed trial', async () => {
    const test = newBreaker();
    await openAndCoolDown(test);
    now = START + COOL_DOWN_MS + 500;
    const result = await test.breaker.execute(downstream('fail').call);
    expect(result).toMatchObject({ outcome: 'failure', circuit: { state: 'open', openedAt: new Date(now).toISOString() } });
    expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-failed']);
    const item = await test.breaker.read();
    expect(item).toMatchObject({ state: 'open', openedAt: START + COOL_DOWN_MS + 500 });
    expect(item).not.toHaveProperty('trialId');

    const stub = downstream('ok');
    now = START + 2 * COOL_DOWN_MS;
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'rejected', retryAfterSeconds: 1 });
    expect(stub.calls).toBe(0);
    now = START + 2 * COOL_DOWN_MS + 500;
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'success', circuit: { state: 'closed' } });
  });

  it.each<[number, 'ok' | 'fail']>([
    [2, 'ok'],
    [2, 'fail'],
    [5, 'ok'],
  ])('lets exactly one of %i concurrent callers make the trial (which ends %s); the others fail fast', async (callers, trialOutcome) => {
    // Every caller reads the open circuit before any of them writes, so all of them try to take
    // the trial slot with the same version: only one conditional write can succeed.
    const client = withReadBarrier(documentClient, callers);
    const test = newBreaker({ client });
    await openAndCoolDown(test);
    client.arm();

    const trial = gatedDownstream();
    const results = Array.from({ length: callers }, () => test.breaker.execute(trial.call));
    const settled = track(results);
    // The losers answer while the winner's trial call is still blocked.
    await vi.waitFor(() => expect(settled).toHaveLength(callers - 1));
    expect(trial.calls).toBe(1);
    for (const loser of settled) expect(loser).toMatchObject({ outcome: 'rejected', retryAfterSeconds: 5, circuit: { state: 'half-open', trialInProgress: true } });

    trial.release(trialOutcome);
    const outcomes = (await Promise.all(results)).map((result) => result.outcome);
    expect(outcomes.filter((outcome) => outcome === (trialOutcome === 'ok' ? 'success' : 'failure'))).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'rejected')).toHaveLength(callers - 1);
    expect(trial.calls).toBe(1);
    if (trialOutcome === 'ok') {
      expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-succeeded']);
      expect(await test.breaker.read()).toMatchObject({ state: 'closed', failures: 0 });
    } else {
      expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-failed']);
      expect(await test.breaker.read()).toMatchObject({ state: 'open', openedAt: START + COOL_DOWN_MS });
    }
  });

  it('lets another caller retake a trial whose owner never reported back, and ignores the stale owner afterwards', async () => {
    const test = newBreaker();
    await openAndCoolDown(test);
    // The first trial's Lambda "dies": its call never returns while the lease runs.
    const dead = gatedDownstream();
    const stale = test.breaker.execute(dead.call);
    await vi.waitFor(() => expect(dead.calls).toBe(1));

    const stub = downstream('ok');
    now = START + COOL_DOWN_MS + LEASE_MS - 1;
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'rejected', circuit: { state: 'half-open', trialInProgress: true } });
    expect(stub.calls).toBe(0);

    now = START + COOL_DOWN_MS + LEASE_MS;
    expect(await test.breaker.inspect()).toMatchObject({ state: 'half-open', trialInProgress: false });
    expect(await test.breaker.execute(stub.call)).toMatchObject({ outcome: 'success', circuit: { state: 'closed' } });
    expect(stub.calls).toBe(1);
    expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-expired', 'trial-succeeded']);

    // The stale trial finally fails: its write is conditional on still holding the slot, so the
    // circuit the newer trial closed stays closed.
    dead.release('fail');
    expect(await stale).toMatchObject({ outcome: 'failure', circuit: { state: 'closed' } });
    expect(await test.breaker.read()).toMatchObject({ state: 'closed', failures: 0 });
    expect(test.transitions).toEqual(['threshold', 'cool-down', 'trial-expired', 'trial-succeeded']);
  });
});

describe('settings', () => {
  it('refuses a threshold that is not a positive integer', () => {
    expect(() => new CircuitBreaker({ name: 'x', failureThreshold: 0, coolDownMs: 1, trialLeaseMs: 1 }, { client: documentClient, tableName: TABLE })).toThrow(/failureThreshold/);
  });

  it('describes the circuit for the fallback answer', async () => {
    const test = newBreaker();
    await failTimes(test, 3);
    const view: CircuitView = await test.breaker.inspect();
    expect(view).toEqual({ name: test.breaker.settings.name, state: 'open', failures: 3, failureThreshold: 3, openedAt: new Date(START).toISOString(), trialInProgress: false });
  });
});

interface ReadBarrierClient extends DynamoDBDocumentClient {
  /** From now on, the next `parties` reads wait for each other. */
  arm(): void;
}

/**
 * A document client whose next `parties` GetItems, once armed, are held until all of them have
 * been answered: every concurrent caller then decides on the same item, the worst case for races.
 */
function withReadBarrier(client: DynamoDBDocumentClient, parties: number): ReadBarrierClient {
  let waiting: Array<() => void> | undefined;
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'arm') return () => (waiting = []);
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { input: GetCommandInput }) => {
        const answer = await send(command);
        if (!(command instanceof GetCommand) || !waiting) return answer;
        const queue = waiting;
        await new Promise<void>((resolve) => {
          queue.push(resolve);
          if (queue.length === parties) {
            waiting = undefined;
            for (const go of queue) go();
          }
        });
        return answer;
      };
    },
  }) as ReadBarrierClient;
}
