/**
 * Key schema shared by the CDK stack, the handlers and the tests, so the
 * table the tests create is the table the stack deploys.
 */
export const itemsTable = {
  partitionKey: 'id',
  /** Every item carries `kind: ITEM_KIND` so one index lists them all, newest first. */
  listIndex: { name: 'byCreatedAt', partitionKey: 'kind', sortKey: 'createdAt' },
} as const;

export const ITEM_KIND = 'ITEM';

/** Attribute names are the Powertools idempotency defaults. */
export const idempotencyTable = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;
