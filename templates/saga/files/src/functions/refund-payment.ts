import { refundPayment } from '../lib/payments.js';
import { orderIdOf, sagaHandler } from '../lib/saga-handler.js';

/** Compensates ChargePayment. Idempotent: refunding a payment never charged is a no-op. */
export const handler = sagaHandler('RefundPayment', (saga) => refundPayment(orderIdOf(saga)));
