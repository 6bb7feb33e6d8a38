import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the call function on every request before it consults the
 * circuit: when it is on, the function serves the fallback answer at once and never calls the
 * downstream service, whatever the circuit says. It is a kill switch for an operator who knows the
 * downstream service is down (or in maintenance) before the breaker has counted its way there, or
 * who wants to try the fallback path for a percentage of callers. It does not change the
 * circuit's state: turn it off and traffic follows the circuit again.
 */
export const FORCE_CIRCUIT_OPEN = 'force-circuit-open';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/circuit-service.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [FORCE_CIRCUIT_OPEN]: newBooleanFlag(FORCE_CIRCUIT_OPEN, 'Serve the fallback answer without calling the downstream service (kill switch; leaves the circuit state alone)'),
  },
};
