/**
 * The three services' tables: the key names the stack deploys (infra/constructs/order-services.ts)
 * and the tests create in dynalite. Each service owns its table; no service reads another's.
 */
export const tables = {
  /** Inventory: one item per SKU (`sku#<sku>`: available, and a hold per open order) and one per order's reservation (`reservation#<orderId>`). */
  inventory: { partitionKey: 'pk', env: 'INVENTORY_TABLE_NAME' },
  /** Payments: one item per order's payment. */
  payments: { partitionKey: 'orderId', env: 'PAYMENTS_TABLE_NAME' },
  /** Shipping: one item per order's shipment. */
  shipments: { partitionKey: 'orderId', env: 'SHIPMENTS_TABLE_NAME' },
} as const;
