import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by process-upload once per object: when it is on for the object's
 * source (the gateway or device folder under the input prefix), readings whose time is more than
 * 5 minutes after the upload or more than 7 days before it are dropped and counted as
 * `clock-skew`. Devices with a flat clock battery report 1970 or 2036; dropping those readings is
 * the right call for most dashboards but it does throw data away, so it rolls out behind a flag:
 * to a few gateways first, then a percentage of them, then all.
 */
export const DROP_CLOCK_SKEW = 'drop-clock-skew';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/upload-pipeline.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [DROP_CLOCK_SKEW]: newBooleanFlag(
      DROP_CLOCK_SKEW,
      'Drop readings timed more than 5 minutes after the upload or more than 7 days before it (device clock skew)',
    ),
  },
};
