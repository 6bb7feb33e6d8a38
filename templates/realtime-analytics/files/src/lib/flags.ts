import { type FlagDocument, newBooleanFlag } from '../sprout/flags/model.js';

/**
 * The sample flag, evaluated by the aggregator for every anomaly it finds, with the metric key as
 * the targeting key. Off (the default): the anomaly is published to the SNS topic. On for a key
 * (`sprout flags set mute-anomaly-alerts --target checkout.latency_ms=on`) or for everyone: the
 * anomaly is still detected and written to the aggregates table (alert: "muted"), but nobody is
 * paged. Mute a key that alerts during a known incident or a load test, in seconds, without a deploy.
 */
export const MUTE_ANOMALY_ALERTS = 'mute-anomaly-alerts';

/**
 * The flags as the stack writes them, once, when it is created: the sample flag, off. From then on
 * `sprout flags … --stage <stage>` owns them, and a redeploy never reverts them.
 */
export const initialFlags: FlagDocument = {
  version: 1,
  flags: {
    [MUTE_ANOMALY_ALERTS]: newBooleanFlag(MUTE_ANOMALY_ALERTS, 'Record anomalies of the targeted metric keys without publishing them to the anomaly topic'),
  },
};
