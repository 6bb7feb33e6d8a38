import { orderIdOf, sagaHandler } from '../lib/saga-handler.js';
import { cancelShipment } from '../lib/shipping.js';

/** Compensates ArrangeShipping. Idempotent. */
export const handler = sagaHandler('CancelShipment', (saga) => cancelShipment(orderIdOf(saga)));
