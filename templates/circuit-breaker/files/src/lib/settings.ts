/**
 * Timing shared by the stack (infra/constructs/circuit-service.ts) and the function, so the
 * function timeout, the half-open trial lease and the downstream call timeout always agree.
 */

/** Time the function needs besides the downstream call: the state read and up to two conditional writes. */
export const STATE_MARGIN_MS = 3_000;

/**
 * How long a half-open trial holds its slot: the call timeout plus the margin, which is also the
 * function timeout. A trial cannot outlive its function, so once the lease is over its owner is
 * gone (timed out or crashed) and the next caller may take the slot.
 */
export function trialLeaseMs(callTimeoutMs: number): number {
  return callTimeoutMs + STATE_MARGIN_MS;
}

/** The Lambda timeout, in whole seconds, for a downstream call timeout. */
export function functionTimeoutSeconds(callTimeoutMs: number): number {
  return Math.ceil(trialLeaseMs(callTimeoutMs) / 1000);
}
