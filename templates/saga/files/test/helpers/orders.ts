import type { Context } from 'aws-lambda';
import { DECLINED_TOKEN } from '../../src/lib/payment-provider.js';
import type { Order } from '../../src/lib/saga.js';

let sequence = 0;

/** A valid order with a fresh id: two lamps and a book, shipped to Berlin, paid with a card that goes through. */
export function order(change: Partial<Order> = {}): Order {
  sequence += 1;
  return {
    orderId: `order-${process.pid}-${sequence}`,
    customerId: 'customer-42',
    items: [
      { sku: 'LAMP-1', quantity: 2 },
      { sku: 'BOOK-7', quantity: 1 },
    ],
    amount: 12_900,
    currency: 'EUR',
    paymentToken: 'tok_visa',
    shipTo: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
    ...change,
  };
}

/** The inputs that make each forward step refuse the order. */
export const refusals = {
  ReserveInventory: { items: [{ sku: 'LAMP-1', quantity: 999 }] },
  ChargePayment: { paymentToken: DECLINED_TOKEN },
  ArrangeShipping: { shipTo: { name: 'Research station', line1: 'Ross Island 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' } },
} satisfies Record<string, Partial<Order>>;

export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
