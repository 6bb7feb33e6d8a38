/**
 * Key schema shared by the CDK stack, the handlers and the tests, so the
 * tables the tests create are the tables the stack deploys.
 */
export const ordersTable = {
  /** The client's own order id: the same order sent twice is one item. */
  partitionKey: 'orderId',
} as const;

/** Attribute names are the Powertools idempotency defaults. */
export const idempotencyTable = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;
