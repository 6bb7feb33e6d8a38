import { ValidationError } from './errors.js';

/** What a caller starts an execution with (see README: "Try it"). */
export interface Order {
  orderId: string;
  customer: { id: string; tier: CustomerTier };
  delivery: Delivery;
  items: OrderItem[];
}

export type CustomerTier = 'retail' | 'business';
export type Delivery = 'pickup' | 'standard' | 'express';

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Euro cents: integers, so totals never pick up floating-point noise. */
  unitPriceCents: number;
}

/** One order line as price-line prices it (one Map iteration). */
export interface PricedLine extends OrderItem {
  discountPercent: number;
  totalCents: number;
}

export type RiskLevel = 'low' | 'medium' | 'high';

export interface RiskAssessment {
  level: RiskLevel;
  score: number;
  reasons: string[];
}

/** The Parallel state's result, kept at $.pricing: the Map's lines (branch 1) and the risk (branch 2). */
export interface Pricing {
  lines: PricedLine[];
  risk: RiskAssessment;
}

export interface Quote {
  orderId: string;
  status: 'quoted';
  currency: 'EUR';
  lines: PricedLine[];
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  risk: RiskLevel;
}

export const LIMITS = {
  /** Step Functions passes at most 256 KB between states; 100 lines stay far below it. */
  maxItems: 100,
  maxQuantity: 1_000,
  maxUnitPriceCents: 10_000_000,
} as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const TIERS: readonly CustomerTier[] = ['retail', 'business'];
const DELIVERIES: readonly Delivery[] = ['pickup', 'standard', 'express'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * Checks an execution's input and returns it as an Order, with nothing but the known fields.
 * Throws ValidationError listing every problem, so a caller fixes them all at once.
 */
export function parseOrder(input: unknown): Order {
  const problems: string[] = [];
  if (!isObject(input)) throw new ValidationError(['the input must be a JSON object']);

  const orderId = input.orderId;
  if (typeof orderId !== 'string' || !ID.test(orderId)) problems.push('orderId must be 1 to 64 letters, digits or _.:- (starting with a letter or digit)');

  const customer = input.customer;
  if (!isObject(customer)) problems.push('customer must be an object with id and tier');
  else {
    if (typeof customer.id !== 'string' || !ID.test(customer.id)) problems.push('customer.id must be 1 to 64 letters, digits or _.:-');
    if (!TIERS.includes(customer.tier as CustomerTier)) problems.push(`customer.tier must be one of ${TIERS.join(', ')}`);
  }

  const delivery = input.delivery ?? 'standard';
  if (!DELIVERIES.includes(delivery as Delivery)) problems.push(`delivery must be one of ${DELIVERIES.join(', ')}`);

  const items = input.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > LIMITS.maxItems) {
    problems.push(`items must be a list of 1 to ${LIMITS.maxItems} order lines`);
  } else {
    items.forEach((item, i) => {
      if (!isObject(item)) return problems.push(`items[${i}] must be an object`);
      if (typeof item.sku !== 'string' || !ID.test(item.sku)) problems.push(`items[${i}].sku must be 1 to 64 letters, digits or _.:-`);
      if (!isIntegerIn(item.quantity, 1, LIMITS.maxQuantity)) problems.push(`items[${i}].quantity must be an integer from 1 to ${LIMITS.maxQuantity}`);
      if (!isIntegerIn(item.unitPriceCents, 1, LIMITS.maxUnitPriceCents)) {
        problems.push(`items[${i}].unitPriceCents must be an integer from 1 to ${LIMITS.maxUnitPriceCents} (euro cents)`);
      }
      return undefined;
    });
  }

  if (problems.length > 0) throw new ValidationError(problems);
  const valid = input as unknown as Order;
  return {
    orderId: valid.orderId,
    customer: { id: valid.customer.id, tier: valid.customer.tier },
    delivery: delivery as Delivery,
    items: valid.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
  };
}

/** The order's value before discounts, in cents. */
export const grossCents = (items: OrderItem[]): number => items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
