import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the reducer once per job: leave common English function words
 * ("the", "and", "of"…, src/lib/stop-words.ts) out of the output, so the top of the list says what
 * the texts are about. The targeting key is the job's name (the execution name), so
 * `sprout flags set exclude-stop-words --target nightly-report=on` changes one recurring job and
 * leaves the others as they are. The partial results never depend on it: mappers always count
 * every word, and a job re-run with the flag changed reuses them.
 */
export const EXCLUDE_STOP_WORDS = 'exclude-stop-words';

/**
 * The flags as the stack writes them, once, when it is created (infra/constructs/word-count-job.ts):
 * the sample flag, off. From then on `sprout flags … --stage <stage>` owns them, and a redeploy
 * never reverts them; editing this document only changes what new stacks start with.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [EXCLUDE_STOP_WORDS]: newBooleanFlag(EXCLUDE_STOP_WORDS, 'Leaves common English function words (the, and, of…) out of the word counts of a job'),
  },
};
