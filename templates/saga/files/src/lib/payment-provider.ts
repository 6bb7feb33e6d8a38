import { createHash } from 'node:crypto';
import { StepRejected } from './saga.js';

/**
 * The payment service provider (PSP), as a deterministic sandbox. Replace it with your PSP's SDK:
 * the saga relies on exactly two properties that every serious PSP offers (Stripe, Adyen and
 * Braintree call it an idempotency key):
 * - `charge` with the same key charges once, and a repeat returns the same charge;
 * - `refund` with the same key refunds once, and refunding a key that was never charged is a no-op.
 * Sandbox behaviour: the token `tok_chargeDeclined` is declined (as in Stripe's test mode); any other
 * token is charged.
 */
export interface PaymentProvider {
  charge(request: { idempotencyKey: string; token: string; amount: number; currency: string }): Promise<{ chargeId: string }>;
  refund(request: { idempotencyKey: string }): Promise<{ refundId: string }>;
}

export const DECLINED_TOKEN = 'tok_chargeDeclined';

const idFor = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

export const sandboxProvider: PaymentProvider = {
  async charge({ idempotencyKey, token }) {
    if (token === DECLINED_TOKEN) throw new StepRejected('PaymentDeclined', 'The card was declined');
    return { chargeId: idFor('ch', idempotencyKey) };
  },
  async refund({ idempotencyKey }) {
    return { refundId: idFor('re', idempotencyKey) };
  },
};
