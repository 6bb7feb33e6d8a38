import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { type FailureRecordEvent, functionFor, isFailureRecord, PUBLISHES, type SagaEvent } from './choreography.js';
import { logger, metrics, tracer } from './powertools.js';
import { type Compensation, COMPENSATIONS, type ForwardStep, FORWARD_STEPS, isRejection, type SagaFunction, type SagaState, STEPS, type StatesError } from './saga.js';
import { requiredEnv } from './table.js';

/**
 * One handler per saga function, for both ways of coordinating it (SAGA_COORDINATION, set by the
 * stack):
 * - orchestration: Step Functions invokes it with the saga state and stores what it returns at the
 *   step's ResultPath; errors go back to the state machine, whose Retry and Catch decide;
 * - choreography: EventBridge invokes it with an event; it publishes the next event itself (done,
 *   or rejected), and an unexpected error is retried by Lambda, then handed to the on-failure
 *   destination (the bus), where a rule starts the compensation.
 */
export type SagaWork = (saga: SagaState) => Promise<unknown>;

const isForward = (fn: SagaFunction): fn is ForwardStep => (FORWARD_STEPS as readonly string[]).includes(fn);
const isCompensation = (fn: SagaFunction): fn is Compensation => (COMPENSATIONS as readonly string[]).includes(fn);

let eventBridge: EventBridgeClient | undefined;

/** Publishes one saga event on the project's bus; a rejected entry throws, so Lambda retries the invocation. */
export async function publish(source: string, detailType: string, detail: SagaState): Promise<void> {
  eventBridge ??= tracer.captureAWSv3Client(new EventBridgeClient({}));
  const { FailedEntryCount, Entries } = await eventBridge.send(
    new PutEventsCommand({ Entries: [{ EventBusName: requiredEnv('EVENT_BUS_NAME'), Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  );
  if (FailedEntryCount) throw new Error(`EventBridge refused ${detailType}: ${Entries?.[0]?.ErrorCode} ${Entries?.[0]?.ErrorMessage}`);
}

/** The error of a failure record, as Step Functions would have caught it: the error type, and the error payload as JSON. */
const statesError = (record: FailureRecordEvent): StatesError => ({
  Error: record.detail.responsePayload?.errorType ?? 'Lambda.Unknown',
  Cause: JSON.stringify(record.detail.responsePayload ?? { errorMessage: `the invocation ended with ${record.detail.requestContext.condition}` }),
});

/**
 * The saga state an event carries. A saga event's detail is the state; a failure record wraps the
 * event the failed function got, and the failure is written into the state the way the state
 * machine's Catch would: as the saga's failure (a forward step), or as that compensation's error.
 */
export function sagaOf(event: SagaEvent): SagaState {
  if (!isFailureRecord(event)) return event.detail as SagaState;
  const state = sagaOf(event.detail.requestPayload);
  const failed = functionFor(event.detail.requestPayload);
  const error = statesError(event);
  if (isForward(failed)) {
    return { ...state, saga: { failure: { step: failed, outcome: 'failed', error: error.Error, cause: error.Cause }, compensations: {} } };
  }
  return { ...state, saga: { ...state.saga!, compensations: { ...state.saga?.compensations, [failed]: error } } };
}

async function choreograph(fn: SagaFunction, work: SagaWork, event: SagaEvent): Promise<void> {
  const state = sagaOf(event);
  const { source, done, rejected } = PUBLISHES[fn];
  let result: unknown;
  try {
    result = await work(state);
  } catch (error) {
    if (isForward(fn) && isRejection(fn, error)) {
      const failure = { step: fn, outcome: 'rejected' as const, error: (error as Error).name, cause: (error as Error).message };
      await publish(source, rejected!, { ...state, saga: { failure, compensations: {} } });
      return;
    }
    throw error;
  }
  if (isForward(fn)) {
    await publish(source, done, { ...state, [STEPS[fn].resultKey]: result });
  } else if (isCompensation(fn)) {
    await publish(source, done, { ...state, saga: { ...state.saga!, compensations: { ...state.saga?.compensations, [fn]: result } } });
  }
}

export function sagaHandler(fn: SagaFunction, work: SagaWork) {
  const coordination = process.env.SAGA_COORDINATION === 'choreography' ? 'choreography' : 'orchestration';
  return async (event: SagaState | SagaEvent, context: Context): Promise<unknown> => {
    logger.addContext(context);
    logger.appendKeys({ function: fn, coordination });
    metrics.captureColdStartMetric();
    try {
      if (coordination === 'choreography') {
        logger.appendKeys({ orderId: sagaOf(event as SagaEvent).orderId });
        await choreograph(fn, work, event as SagaEvent);
        logger.info('Done');
        return undefined;
      }
      logger.appendKeys({ orderId: (event as SagaState).orderId });
      const result = await work(event as SagaState);
      logger.info('Done', { result });
      return result;
    } catch (error) {
      if (isForward(fn) && isRejection(fn, error)) logger.info('Order refused', { reason: (error as Error).message });
      else logger.error('Failed', error as Error);
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}

/** The order id a compensation works on; compensations need nothing else. */
export function orderIdOf(state: SagaState): string {
  if (typeof state?.orderId !== 'string' || state.orderId === '') throw new Error('The saga state has no orderId');
  return state.orderId;
}
