/**
 * The order saga's vocabulary, shared by the handlers, the state machine (infra/constructs/
 * orchestration.ts), the EventBridge rules (infra/constructs/choreography.ts) and the tests: one
 * source of truth for step names, the errors that mean "this step said no", and where each step
 * keeps its result in the saga's state.
 */

export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface Address {
  name: string;
  line1: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, such as DE. */
  country: string;
}

/** What starts a saga: `aws stepfunctions start-execution --input` or the OrderPlaced event's detail. */
export interface Order {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  /** In the currency's minor unit (cents), so no floating point touches money. */
  amount: number;
  currency: string;
  /** The payment method token from the checkout page (see src/lib/payment-provider.ts). */
  paymentToken: string;
  shipTo: Address;
}

export const FORWARD_STEPS = ['ReserveInventory', 'ChargePayment', 'ArrangeShipping'] as const;
export const COMPENSATIONS = ['ReleaseInventory', 'RefundPayment', 'CancelShipment'] as const;
export type ForwardStep = (typeof FORWARD_STEPS)[number];
export type Compensation = (typeof COMPENSATIONS)[number];
export type SagaFunction = ForwardStep | Compensation;

/** Each forward step, the compensation that undoes it, and where its result lives in the saga state. */
export const STEPS: Record<ForwardStep, { compensation: Compensation; resultKey: 'reservation' | 'payment' | 'shipment'; rejections: readonly string[] }> = {
  ReserveInventory: { compensation: 'ReleaseInventory', resultKey: 'reservation', rejections: ['InvalidOrder', 'InventoryUnavailable'] },
  ChargePayment: { compensation: 'RefundPayment', resultKey: 'payment', rejections: ['PaymentDeclined'] },
  ArrangeShipping: { compensation: 'CancelShipment', resultKey: 'shipment', rejections: ['ShippingUnavailable'] },
};

/**
 * What to undo when `step` fails, in order. A rejection (the step said no: out of stock, card
 * declined, no carrier) wrote nothing, so only the steps before it are undone. Any other failure
 * (a timeout, a crash, DynamoDB throttling after every retry) may have happened after the step
 * wrote, so its own compensation runs first: compensations are idempotent, and undoing what was
 * never done is a no-op.
 */
export function compensationsFor(step: ForwardStep, outcome: 'rejected' | 'failed'): Compensation[] {
  const index = FORWARD_STEPS.indexOf(step);
  const undo = FORWARD_STEPS.slice(0, outcome === 'rejected' ? index : index + 1);
  return undo.reverse().map((done) => STEPS[done].compensation);
}

/** How a compensation ended: it undid the step, or there was nothing (left) to undo. */
export interface CompensationResult {
  outcome: 'undone' | 'no-op';
  reason?: string;
}

/** A step or compensation error as Step Functions records it (Catch's ResultPath). */
export interface StatesError {
  Error: string;
  Cause: string;
}

export interface SagaFailure {
  step: ForwardStep;
  outcome: 'rejected' | 'failed';
  error: string;
  cause: string;
}

/**
 * The saga's state: the order, each forward step's result, and once a step failed, what failed and
 * what each compensation did (a result, or the error it ended with). The state machine's state and
 * the detail of every choreography event have this shape.
 */
export interface SagaState extends Order {
  reservation?: unknown;
  payment?: unknown;
  shipment?: unknown;
  saga?: {
    failure: SagaFailure;
    compensations: Partial<Record<Compensation, CompensationResult | StatesError>>;
  };
}

/**
 * A step refusing the order for a business reason (out of stock, card declined, no carrier). It
 * wrote nothing, so the saga compensates only the steps before it. The Lambda runtime reports
 * `name` as the errorType, which is what Step Functions' Catch and Retry match on.
 */
export class StepRejected extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const isRejection = (step: ForwardStep, error: unknown): boolean =>
  error instanceof Error && STEPS[step].rejections.includes(error.name);

const ID = /^[A-Za-z0-9_-]{1,80}$/;
const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
/** Reserving and releasing write each SKU's item once; 50 lines keep a step far inside its timeout. */
export const MAX_ITEMS = 50;

const invalid = (message: string): never => {
  throw new StepRejected('InvalidOrder', message);
};

const text = (value: unknown, field: string, pattern?: RegExp): string => {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200 || (pattern && !pattern.test(value))) invalid(`${field} is missing or malformed`);
  return value as string;
};

/**
 * Checks the order the saga was started with and returns exactly its fields. The order id becomes
 * the execution name and every service's key, hence its alphabet (Step Functions execution names
 * allow at most 80 characters).
 */
export function parseOrder(input: unknown): Order {
  if (typeof input !== 'object' || input === null) return invalid('the order must be a JSON object');
  const order = input as Record<string, any>;
  const items = order.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) invalid(`items must list 1 to ${MAX_ITEMS} items`);
  const seen = new Set<string>();
  const parsedItems = (items as unknown[]).map((item, i) => {
    const { sku, quantity } = (item ?? {}) as Record<string, unknown>;
    text(sku, `items[${i}].sku`, SKU);
    if (seen.has(sku as string)) invalid(`items[${i}].sku ${String(sku)} appears twice: give one line per SKU`);
    seen.add(sku as string);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1000) invalid(`items[${i}].quantity must be an integer from 1 to 1000`);
    return { sku: sku as string, quantity: quantity as number };
  });
  if (typeof order.amount !== 'number' || !Number.isInteger(order.amount) || order.amount < 1) invalid('amount must be a positive integer (minor units, such as cents)');
  const shipTo = (order.shipTo ?? {}) as Record<string, unknown>;
  return {
    orderId: text(order.orderId, 'orderId', ID),
    customerId: text(order.customerId, 'customerId', ID),
    items: parsedItems,
    amount: order.amount,
    currency: text(order.currency, 'currency', CURRENCY),
    paymentToken: text(order.paymentToken, 'paymentToken'),
    shipTo: {
      name: text(shipTo.name, 'shipTo.name'),
      line1: text(shipTo.line1, 'shipTo.line1'),
      city: text(shipTo.city, 'shipTo.city'),
      postalCode: text(shipTo.postalCode, 'shipTo.postalCode'),
      country: text(shipTo.country, 'shipTo.country', COUNTRY),
    },
  };
}

/** The file in src/functions/ of each saga function (its construct id in the stack is the function's name). */
export const ENTRIES: Record<SagaFunction, string> = {
  ReserveInventory: 'reserve-inventory',
  ChargePayment: 'charge-payment',
  ArrangeShipping: 'arrange-shipping',
  CancelShipment: 'cancel-shipment',
  RefundPayment: 'refund-payment',
  ReleaseInventory: 'release-inventory',
};
