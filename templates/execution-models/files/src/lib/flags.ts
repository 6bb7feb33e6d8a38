import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by every handler before it runs a job: whether the functions obey a
 * job's `fail` and `sleepSeconds` fields. It starts on, so the README's experiments work right after
 * the first deploy. Anyone who can call the API can make a function sleep until its timeout, which
 * costs Lambda time: turn it off (`sprout flags disable simulated-failures --stage <stage>`) for a
 * deployment you keep, and the functions ignore those fields. Evaluation context: `targetingKey` is
 * the job id (so `--percent 10` obeys one job in ten, always the same ones) and `model` is sync,
 * async or stream (so a rule can target one model).
 */
export const SIMULATED_FAILURES = 'simulated-failures';

/**
 * The flags as the stack writes them, once, when it is created. From then on `sprout flags … --stage
 * <stage>` owns them, and a redeploy never reverts them; editing this document only changes what new
 * stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [SIMULATED_FAILURES]: {
      ...newBooleanFlag(SIMULATED_FAILURES, 'The functions obey the "fail" and "sleepSeconds" fields of a job (failure drills); off, they ignore them'),
      enabled: true,
      defaultVariant: 'on',
    },
  },
};
