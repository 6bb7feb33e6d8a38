import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the aggregator for each optional source of each request: when it
 * is on, that source is not called and is reported as "skipped". It is a kill switch for load
 * shedding: when an optional downstream service is slow or failing (or being migrated), turn it off
 * for everyone, a percentage of callers, or one source (a rule on `source`), without a deploy, and
 * on again once it has recovered. Required sources are always called: skipping one would fail
 * every request.
 */
export const SKIP_OPTIONAL_SOURCES = 'skip-optional-sources';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/aggregator-service.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [SKIP_OPTIONAL_SOURCES]: newBooleanFlag(
      SKIP_OPTIONAL_SOURCES,
      'The aggregator does not call an optional source and reports it as skipped (load shedding; target one with a rule on "source")',
    ),
  },
};
