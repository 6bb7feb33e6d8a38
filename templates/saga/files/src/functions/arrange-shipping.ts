import { priorityShipping } from '../lib/flag-client.js';
import { sagaHandler } from '../lib/saga-handler.js';
import { parseOrder } from '../lib/saga.js';
import { arrangeShipping } from '../lib/shipping.js';

/** Step 3: books the shipment (priority when the priority-shipping flag is on for the customer). Refuses with ShippingUnavailable. */
export const handler = sagaHandler('ArrangeShipping', async (saga) => {
  const order = parseOrder(saga);
  return arrangeShipping(order, (await priorityShipping(order)) ? 'priority' : 'standard');
});
