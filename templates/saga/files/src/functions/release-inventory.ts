import { releaseInventory } from '../lib/inventory.js';
import { orderIdOf, sagaHandler } from '../lib/saga-handler.js';

/** Compensates ReserveInventory. Idempotent: releasing twice, or releasing nothing, is a no-op. */
export const handler = sagaHandler('ReleaseInventory', (saga) => releaseInventory(orderIdOf(saga)));
