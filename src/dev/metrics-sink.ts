import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { localMetricsFile } from '../edge/metrics.js';
import { EXPERIMENT_METRICS } from '../runtime/experiments/conversions.js';

/**
 * Conversions that handlers record (EMF lines in namespace Sprout/Experiments on stdout, as in
 * Lambda's log) go to .sprout/local/edge-metrics.jsonl, where `sprout experiment results
 * --stage local` reads them beside the router's exposures. Lines are appended in order.
 */
export function conversionSink(root: string): { offer(line: string): void; flush(): Promise<void> } {
  const file = localMetricsFile(root);
  let chain: Promise<void> = mkdir(dirname(file), { recursive: true }).then(() => undefined);
  return {
    offer(line) {
      if (!isExperimentEmf(line)) return;
      chain = chain.then(() => appendFile(file, `${line.trim()}\n`)).catch(() => undefined);
    },
    flush: () => chain,
  };
}

export function isExperimentEmf(line: string): boolean {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes(EXPERIMENT_METRICS.namespace)) return false;
  try {
    const record = JSON.parse(text) as { _aws?: { CloudWatchMetrics?: Array<{ Namespace?: string }> } };
    return record._aws?.CloudWatchMetrics?.some((m) => m.Namespace === EXPERIMENT_METRICS.namespace) ?? false;
  } catch {
    return false;
  }
}
