import { reserveInventory } from '../lib/inventory.js';
import { sagaHandler } from '../lib/saga-handler.js';
import { parseOrder } from '../lib/saga.js';

/** Step 1: holds the order's items. Refuses with InvalidOrder or InventoryUnavailable. */
export const handler = sagaHandler('ReserveInventory', (saga) => reserveInventory(parseOrder(saga)));
