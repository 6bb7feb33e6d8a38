import { VOLUME_DISCOUNT_RULE } from '../lib/flags.js';
import { volumeDiscount } from '../lib/flag-client.js';
import type { CustomerTier, OrderItem, PricedLine } from '../lib/order.js';
import { taskHandler } from '../lib/task.js';

/** What the Map state's ItemSelector passes for each order line. */
export interface PriceLineInput {
  customerId: string;
  tier: CustomerTier;
  item: OrderItem;
}

/** Business customers get 10% off every line. */
export const BUSINESS_DISCOUNT_PERCENT = 10;

/**
 * Task "PriceLine", run once per order line by the Map state. The discount: 10% for business
 * customers, plus 5% for lines of 10 or more units while the volume-discount flag is on for the
 * customer. A pure function of its input and the flag, so a retry or a re-run gives the same line.
 */
export const handler = taskHandler<PriceLineInput, PricedLine>('price-line', async ({ customerId, tier, item }) => {
  let discountPercent = tier === 'business' ? BUSINESS_DISCOUNT_PERCENT : 0;
  if (item.quantity >= VOLUME_DISCOUNT_RULE.minQuantity && (await volumeDiscount(customerId))) discountPercent += VOLUME_DISCOUNT_RULE.percent;
  const gross = item.quantity * item.unitPriceCents;
  return { ...item, discountPercent, totalCents: Math.round((gross * (100 - discountPercent)) / 100) };
});
