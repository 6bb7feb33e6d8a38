import { chargePayment } from '../lib/payments.js';
import { sagaHandler } from '../lib/saga-handler.js';
import { parseOrder } from '../lib/saga.js';

/** Step 2: charges the order's amount. Refuses with PaymentDeclined. */
export const handler = sagaHandler('ChargePayment', (saga) => chargePayment(parseOrder(saga)));
