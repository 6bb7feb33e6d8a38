import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { circuitTable } from './table-schema.js';

/**
 * A circuit breaker whose state lives in one DynamoDB item per circuit, so every concurrent Lambda
 * instance sees the same circuit. Every change of state is a conditional UpdateItem; a caller that
 * loses a race re-reads the item and decides again, and never overwrites what another caller wrote.
 *
 *   closed ──(failureThreshold consecutive failures)──▶ open
 *   open ──(coolDown elapsed; one caller wins the trial slot)──▶ half-open
 *   half-open ──(trial succeeds)──▶ closed        half-open ──(trial fails)──▶ open (new openedAt)
 *   half-open ──(trial older than trialLeaseMs: its Lambda died)──▶ half-open (another caller retakes it)
 *
 * The clock, the document client and the downstream call are injected, so tests control time and
 * run against dynalite.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

/** The state item, as stored. */
export interface CircuitItem {
  circuit: string;
  state: CircuitState;
  /** Consecutive failures while closed (kept as it was when the circuit opened, for diagnosis). */
  failures: number;
  /** Epoch milliseconds when the circuit last opened. */
  openedAt?: number;
  /** The caller that holds the half-open trial slot, and since when (epoch ms). */
  trialId?: string;
  trialStartedAt?: number;
  /** Bumped by every write: the condition of the transitions that must not race. */
  version: number;
  updatedAt?: number;
}

/** What the breaker tells its caller about the circuit, e.g. in the fallback answer. */
export interface CircuitView {
  name: string;
  state: CircuitState;
  failures: number;
  failureThreshold: number;
  /** ISO time the circuit last opened, while open or half-open. */
  openedAt?: string;
  trialInProgress: boolean;
}

export interface BreakerSettings {
  /** The circuit's name: the key of its state item. One circuit per downstream dependency. */
  name: string;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call may go through. */
  coolDownMs: number;
  /**
   * How long a trial may hold the half-open slot. A trial that has not reported back by then (its
   * Lambda timed out or crashed) has expired, and the next caller takes the slot over.
   */
  trialLeaseMs: number;
}

export type Transition = { from: CircuitState; to: CircuitState; reason: 'threshold' | 'cool-down' | 'trial-expired' | 'trial-succeeded' | 'trial-failed' };

export interface BreakerDependencies {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Identifies one trial call; unique per call. */
  newTrialId?: () => string;
  /** Called once for each transition this caller made (the winner of a race, never the losers). */
  onTransition?: (transition: Transition, circuit: CircuitView) => void;
}

export type BreakerResult<T> =
  /** The call went through and succeeded. */
  | { outcome: 'success'; value: T; circuit: CircuitView }
  /** The call went through and failed; the failure was counted (and may have opened the circuit). */
  | { outcome: 'failure'; error: unknown; circuit: CircuitView }
  /** The circuit is open, or another caller holds the half-open trial: the call was not made. */
  | { outcome: 'rejected'; circuit: CircuitView; retryAfterSeconds: number };

/** Re-reads after lost races before giving up and failing fast. One is almost always enough. */
const MAX_ATTEMPTS = 4;

const names = { '#state': 'state', '#failures': 'failures', '#version': 'version', '#openedAt': 'openedAt', '#trialId': 'trialId', '#trialStartedAt': 'trialStartedAt', '#updatedAt': 'updatedAt' };

export class CircuitBreaker {
  private readonly now: () => number;
  private readonly newTrialId: () => string;

  constructor(
    readonly settings: BreakerSettings,
    private readonly deps: BreakerDependencies,
  ) {
    if (!Number.isInteger(settings.failureThreshold) || settings.failureThreshold < 1) throw new Error('failureThreshold must be a positive integer');
    this.now = deps.now ?? Date.now;
    this.newTrialId = deps.newTrialId ?? randomUUID;
  }

  /** The state item, strongly consistent; a circuit never written is closed with no failures. */
  async read(): Promise<CircuitItem> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { [circuitTable.partitionKey]: this.settings.name }, ConsistentRead: true }));
    return (Item as CircuitItem | undefined) ?? { circuit: this.settings.name, state: 'closed', failures: 0, version: 0 };
  }

  /** The circuit as callers see it now. */
  async inspect(): Promise<CircuitView> {
    return this.view(await this.read());
  }

  /** Runs `call` through the breaker: `call` failing means throwing. */
  async execute<T>(call: () => Promise<T>): Promise<BreakerResult<T>> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const item = await this.read();
      const now = this.now();

      if (item.state === 'closed') return this.callClosed(item, call);

      if (item.state === 'open') {
        const reopensAt = (item.openedAt ?? 0) + this.settings.coolDownMs;
        if (now < reopensAt) return this.reject(item, reopensAt - now);
        // Cool-down over: try to become the one trial caller.
        const trial = await this.takeTrial(item, now);
        if (trial) return this.runTrial(trial, call, { from: 'open', to: 'half-open', reason: 'cool-down' });
        continue; // Another caller won the slot (or changed the circuit): re-read.
      }

      // half-open
      const leaseEndsAt = (item.trialStartedAt ?? 0) + this.settings.trialLeaseMs;
      if (item.trialId && now < leaseEndsAt) return this.reject(item, leaseEndsAt - now);
      // The trial's owner never reported back: take the slot over.
      const trial = await this.takeTrial(item, now);
      if (trial) return this.runTrial(trial, call, { from: 'half-open', to: 'half-open', reason: 'trial-expired' });
    }
    // Lost every race in a row: the circuit is changing under heavy contention; fail fast.
    return this.reject(await this.read(), 1000);
  }

  private async callClosed<T>(item: CircuitItem, call: () => Promise<T>): Promise<BreakerResult<T>> {
    let value: T;
    try {
      value = await call();
    } catch (error) {
      return { outcome: 'failure', error, circuit: await this.recordFailure() };
    }
    // A success ends the run of consecutive failures. Only written when there is a run to end, and
    // only while still closed: a success that finishes after the circuit opened must not reset it.
    if (item.failures === 0) return { outcome: 'success', value, circuit: this.view(item) };
    const after = await this.update({
      UpdateExpression: 'SET #failures = :zero, #updatedAt = :now ADD #version :one',
      ConditionExpression: '#state = :closed AND #failures > :zero',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':closed': 'closed', ':now': this.now() },
    });
    return { outcome: 'success', value, circuit: this.view(after ?? (await this.read())) };
  }

  /**
   * One more consecutive failure, counted with an atomic ADD so concurrent failures are all
   * counted; then, if the count reached the threshold, open the circuit (only one caller can: the
   * condition requires it to be closed still).
   */
  private async recordFailure(): Promise<CircuitView> {
    const now = this.now();
    const counted = await this.update({
      UpdateExpression: 'SET #state = if_not_exists(#state, :closed), #updatedAt = :now ADD #failures :one, #version :one',
      ConditionExpression: 'attribute_not_exists(#state) OR #state = :closed',
      ExpressionAttributeValues: { ':closed': 'closed', ':one': 1, ':now': now },
    });
    // Not closed any more: another caller opened the circuit while this call was failing.
    if (!counted) return this.view(await this.read());
    if (counted.failures < this.settings.failureThreshold) return this.view(counted);

    const opened = await this.update({
      UpdateExpression: 'SET #state = :open, #openedAt = :now, #updatedAt = :now ADD #version :one',
      ConditionExpression: '#state = :closed AND #failures >= :threshold',
      ExpressionAttributeValues: { ':open': 'open', ':closed': 'closed', ':threshold': this.settings.failureThreshold, ':now': now, ':one': 1 },
    });
    if (!opened) return this.view(await this.read());
    const circuit = this.view(opened);
    this.deps.onTransition?.({ from: 'closed', to: 'open', reason: 'threshold' }, circuit);
    return circuit;
  }

  /** The conditional write that makes this caller the only trial caller, or undefined if it lost. */
  private async takeTrial(item: CircuitItem, now: number): Promise<{ id: string; item: CircuitItem } | undefined> {
    const id = this.newTrialId();
    const after = await this.update({
      UpdateExpression: 'SET #state = :halfOpen, #trialId = :id, #trialStartedAt = :now, #updatedAt = :now ADD #version :one',
      ConditionExpression: '#version = :seen',
      ExpressionAttributeValues: { ':halfOpen': 'half-open', ':id': id, ':now': now, ':seen': item.version, ':one': 1 },
    });
    return after ? { id, item: after } : undefined;
  }

  private async runTrial<T>(trial: { id: string; item: CircuitItem }, call: () => Promise<T>, taken: Transition): Promise<BreakerResult<T>> {
    this.deps.onTransition?.(taken, this.view(trial.item));
    let value: T;
    try {
      value = await call();
    } catch (error) {
      // Open again, with a new cool-down. Only if this caller still holds the slot: a trial that
      // outlived its lease lost it, and the newer trial decides.
      const reopened = await this.update({
        UpdateExpression: 'SET #state = :open, #openedAt = :now, #updatedAt = :now ADD #version :one REMOVE #trialId, #trialStartedAt',
        ConditionExpression: '#state = :halfOpen AND #trialId = :id',
        ExpressionAttributeValues: { ':open': 'open', ':halfOpen': 'half-open', ':id': trial.id, ':now': this.now(), ':one': 1 },
      });
      if (reopened) this.deps.onTransition?.({ from: 'half-open', to: 'open', reason: 'trial-failed' }, this.view(reopened));
      return { outcome: 'failure', error, circuit: this.view(reopened ?? (await this.read())) };
    }
    const closed = await this.update({
      UpdateExpression: 'SET #state = :closed, #failures = :zero, #updatedAt = :now ADD #version :one REMOVE #trialId, #trialStartedAt, #openedAt',
      ConditionExpression: '#state = :halfOpen AND #trialId = :id',
      ExpressionAttributeValues: { ':closed': 'closed', ':halfOpen': 'half-open', ':id': trial.id, ':zero': 0, ':now': this.now(), ':one': 1 },
    });
    if (closed) this.deps.onTransition?.({ from: 'half-open', to: 'closed', reason: 'trial-succeeded' }, this.view(closed));
    return { outcome: 'success', value, circuit: this.view(closed ?? (await this.read())) };
  }

  private reject(item: CircuitItem, waitMs: number): BreakerResult<never> {
    return { outcome: 'rejected', circuit: this.view(item), retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** A conditional UpdateItem on this circuit's item: the item after the write, or undefined when the condition failed. */
  private async update(input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>): Promise<CircuitItem | undefined> {
    const used = Object.fromEntries(Object.entries(names).filter(([placeholder]) => `${input.UpdateExpression} ${input.ConditionExpression}`.includes(placeholder)));
    try {
      const { Attributes } = await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { [circuitTable.partitionKey]: this.settings.name },
          ...input,
          ExpressionAttributeNames: used,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as CircuitItem;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  private view(item: CircuitItem): CircuitView {
    return {
      name: this.settings.name,
      state: item.state,
      failures: item.failures ?? 0,
      failureThreshold: this.settings.failureThreshold,
      ...(item.state !== 'closed' && item.openedAt !== undefined ? { openedAt: new Date(item.openedAt).toISOString() } : {}),
      trialInProgress: item.state === 'half-open' && item.trialId !== undefined && this.now() < (item.trialStartedAt ?? 0) + this.settings.trialLeaseMs,
    };
  }
}
