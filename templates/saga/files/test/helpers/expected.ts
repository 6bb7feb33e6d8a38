import type { ForwardStep, SagaFunction } from '../../src/lib/saga.js';

// The exact order in which the saga's functions run when a step fails, written out by hand (not
// derived from the code under test). Both coordinations must produce it: orchestration.test.ts and
// choreography.test.ts check against this one table.

/** The step refuses the order (it wrote nothing): the steps before it are undone, last first. */
export const WHEN_REFUSED: Record<ForwardStep, { error: string; runs: SagaFunction[] }> = {
  ReserveInventory: { error: 'InventoryUnavailable', runs: ['ReserveInventory'] },
  ChargePayment: { error: 'PaymentDeclined', runs: ['ReserveInventory', 'ChargePayment', 'ReleaseInventory'] },
  ArrangeShipping: { error: 'ShippingUnavailable', runs: ['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'ReleaseInventory'] },
};

/** The step fails after it may have written: it is undone first, then the steps before it. */
export const WHEN_FAILED: Record<ForwardStep, SagaFunction[]> = {
  ReserveInventory: ['ReserveInventory', 'ReleaseInventory'],
  ChargePayment: ['ReserveInventory', 'ChargePayment', 'RefundPayment', 'ReleaseInventory'],
  ArrangeShipping: ['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'CancelShipment', 'RefundPayment', 'ReleaseInventory'],
};

/** The invocations with repeats of the same function (retries) folded into one. */
export const withoutRetries = (invocations: SagaFunction[]): SagaFunction[] => invocations.filter((fn, i) => fn !== invocations[i - 1]);
