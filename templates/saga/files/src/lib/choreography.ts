import { COMPENSATIONS, type Compensation, compensationsFor, FORWARD_STEPS, type ForwardStep, type SagaFunction, STEPS } from './saga.js';

/**
 * The choreography: which event each service publishes, and which function each event starts.
 * infra/constructs/choreography.ts builds one EventBridge rule per route from this table, and the
 * handlers use it to know what to publish, so the code and the rules cannot drift apart. The
 * routes are derived from the same compensationsFor() as the state machine: both modes undo the
 * same steps in the same order.
 */

/** The event that starts a saga (`aws events put-events`, or your checkout service). */
export const ORDER_PLACED = { source: 'saga.orders', detailType: 'OrderPlaced' } as const;

/** What each function publishes when it is done, and (forward steps) when it refuses the order. */
export const PUBLISHES: Record<SagaFunction, { source: string; done: string; rejected?: string }> = {
  ReserveInventory: { source: 'saga.inventory', done: 'InventoryReserved', rejected: 'InventoryRejected' },
  ChargePayment: { source: 'saga.payments', done: 'PaymentCharged', rejected: 'PaymentRejected' },
  ArrangeShipping: { source: 'saga.shipping', done: 'ShipmentArranged', rejected: 'ShippingRejected' },
  CancelShipment: { source: 'saga.shipping', done: 'ShipmentCancelled' },
  RefundPayment: { source: 'saga.payments', done: 'PaymentRefunded' },
  ReleaseInventory: { source: 'saga.inventory', done: 'InventoryReleased' },
};

/** The events that end a saga: the order is confirmed, or it failed and everything was undone. */
export const FINAL_EVENTS = ['ShipmentArranged', 'InventoryRejected', 'InventoryReleased'];

/** The compensation that runs after `compensation` (they always run in this order, from where they start). */
export function nextCompensation(compensation: Compensation): Compensation | undefined {
  const chain = compensationsFor('ArrangeShipping', 'failed'); // CancelShipment, RefundPayment, ReleaseInventory
  return chain[chain.indexOf(compensation) + 1];
}

export interface Route {
  source: string;
  detailType: string;
  target: SagaFunction;
}

/** Every saga event that starts a function: one EventBridge rule each. */
export const ROUTES: Route[] = [
  { ...ORDER_PLACED, target: 'ReserveInventory' },
  ...FORWARD_STEPS.flatMap((step, i): Route[] => {
    const { source, done, rejected } = PUBLISHES[step];
    const next = FORWARD_STEPS[i + 1];
    const undo = compensationsFor(step, 'rejected')[0];
    return [...(next ? [{ source, detailType: done, target: next }] : []), ...(undo ? [{ source, detailType: rejected!, target: undo }] : [])];
  }),
  ...COMPENSATIONS.flatMap((compensation): Route[] => {
    const next = nextCompensation(compensation);
    return next ? [{ source: PUBLISHES[compensation].source, detailType: PUBLISHES[compensation].done, target: next }] : [];
  }),
];

/**
 * Who takes over when a function still fails after Lambda's retries (its on-failure destination
 * puts the invocation record on the bus): a forward step may have written before it failed, so its
 * own compensation runs; a failed compensation goes to the repair queue and the next compensation
 * still runs.
 */
export function onFailureOf(fn: SagaFunction): { target?: Compensation; repair: boolean } {
  if ((FORWARD_STEPS as readonly string[]).includes(fn)) return { target: STEPS[fn as ForwardStep].compensation, repair: false };
  const next = nextCompensation(fn as Compensation);
  return { ...(next ? { target: next } : {}), repair: true };
}

/** The record Lambda puts on the bus when an asynchronous invocation failed every retry. */
export interface FailureRecordEvent {
  source: 'lambda';
  'detail-type': string;
  resources?: string[];
  detail: {
    requestContext: { functionArn: string; condition: string; approximateInvokeCount: number };
    requestPayload: SagaEvent;
    responsePayload?: { errorType?: string; errorMessage?: string };
  };
}

export interface SagaDetailEvent {
  source: string;
  'detail-type': string;
  detail: unknown;
}

export type SagaEvent = SagaDetailEvent | FailureRecordEvent;

export const isFailureRecord = (event: SagaEvent): event is FailureRecordEvent => event.source === 'lambda';

/** The function an event started: by its route, or, for a failure record, by who takes over from the failed function. */
export function functionFor(event: SagaEvent): SagaFunction {
  if (isFailureRecord(event)) {
    const failed = functionFor(event.detail.requestPayload);
    const { target } = onFailureOf(failed);
    if (!target) throw new Error(`No function takes over when ${failed} fails`);
    return target;
  }
  const route = ROUTES.find((r) => r.source === event.source && r.detailType === event['detail-type']);
  if (!route) throw new Error(`No route for ${event.source} ${event['detail-type']}`);
  return route.target;
}
