import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the transform function once per event type in each raw object:
 * when it is on for a type, the curated copies of that type's events have no user_id (null). The
 * raw zone keeps the id either way (it is the source of truth, and its bucket is the one to lock
 * down); the curated zone is the one analysts query. Taking data out of the curated zone is a
 * decision to roll out type by type (`--target purchase=on`) and to be able to undo without a
 * deploy, so it sits behind a flag. Objects transformed while the flag was off keep their ids until
 * they are transformed again (see README, "Feature flags").
 */
export const REDACT_USER_IDS = 'redact-user-ids';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/pipeline.ts): the
 * sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy never
 * reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [REDACT_USER_IDS]: newBooleanFlag(REDACT_USER_IDS, 'Leave user_id out (null) of the curated copies of events of the targeted types'),
  },
};
