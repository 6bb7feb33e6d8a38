import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type PaymentProvider, sandboxProvider } from './payment-provider.js';
import { type CompensationResult, type Order, StepRejected } from './saga.js';
import { documentClient, isConditionFailure, now, requiredEnv } from './table.js';
import { tables } from './table-schema.js';

/**
 * The payment service: one item per order's payment. The record is written PENDING before the
 * provider is called, so a refund after a crash between the two still asks the provider to refund
 * (with the same idempotency key) instead of assuming nothing was charged.
 */

export type PaymentStatus = 'PENDING' | 'CHARGED' | 'DECLINED' | 'REFUNDED';

export interface Payment {
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  chargeId?: string;
  refundId?: string;
  chargedAt?: string;
  refundedAt?: string;
}

const table = () => requiredEnv(tables.payments.env);
/** One key per order: the provider charges an order once, however often the step runs. */
export const chargeKey = (orderId: string) => `order-${orderId}`;

async function getPayment(orderId: string): Promise<Payment | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: table(), Key: { orderId }, ConsistentRead: true }));
  return Item as Payment | undefined;
}

async function transition(orderId: string, from: PaymentStatus[], set: Partial<Payment>): Promise<void> {
  const names = Object.keys(set);
  await documentClient.send(
    new UpdateCommand({
      TableName: table(),
      Key: { orderId },
      UpdateExpression: `SET ${names.map((name, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])) },
      ExpressionAttributeValues: {
        ...Object.fromEntries(names.map((name, i) => [`:v${i}`, set[name as keyof Payment]])),
        ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
      },
    }),
  );
}

export async function chargePayment(order: Order, provider: PaymentProvider = sandboxProvider): Promise<{ chargeId: string; amount: number; currency: string; chargedAt: string }> {
  const { orderId, amount, currency } = order;
  try {
    await documentClient.send(
      new PutCommand({ TableName: table(), Item: { orderId, status: 'PENDING', amount, currency }, ConditionExpression: 'attribute_not_exists(orderId)' }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await getPayment(orderId);
    if (existing?.status === 'CHARGED') return { chargeId: existing.chargeId!, amount: existing.amount, currency: existing.currency, chargedAt: existing.chargedAt! };
    if (existing?.status !== 'PENDING') throw new StepRejected('PaymentDeclined', `The payment for order ${orderId} was ${existing?.status.toLowerCase() ?? 'removed'} already`);
  }
  let chargeId: string;
  try {
    ({ chargeId } = await provider.charge({ idempotencyKey: chargeKey(orderId), token: order.paymentToken, amount, currency }));
  } catch (error) {
    if ((error as Error).name === 'PaymentDeclined') await transition(orderId, ['PENDING'], { status: 'DECLINED' });
    throw error;
  }
  const chargedAt = now();
  await transition(orderId, ['PENDING'], { status: 'CHARGED', chargeId, chargedAt });
  return { chargeId, amount, currency, chargedAt };
}

/** Refunds the order's payment. Idempotent: refunding twice, or refunding a payment never charged, is a no-op. */
export async function refundPayment(orderId: string, provider: PaymentProvider = sandboxProvider): Promise<CompensationResult> {
  const payment = await getPayment(orderId);
  if (!payment) {
    // Never charged. The tombstone makes a charge still in flight for this order refuse to run.
    try {
      await documentClient.send(
        new PutCommand({ TableName: table(), Item: { orderId, status: 'REFUNDED', amount: 0, refundedAt: now() }, ConditionExpression: 'attribute_not_exists(orderId)' }),
      );
      return { outcome: 'no-op', reason: 'nothing was charged for this order' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return refundPayment(orderId, provider);
    }
  }
  if (payment.status === 'REFUNDED') return { outcome: 'no-op', reason: 'already refunded' };
  if (payment.status === 'DECLINED') return { outcome: 'no-op', reason: 'the charge was declined' };
  // CHARGED, or PENDING (the provider may have charged before the function died): the provider
  // refunds whatever it charged under this key, and nothing if it charged nothing.
  const { refundId } = await provider.refund({ idempotencyKey: chargeKey(orderId) });
  await transition(orderId, ['PENDING', 'CHARGED'], { status: 'REFUNDED', refundId, refundedAt: now() });
  return { outcome: 'undone' };
}
