import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { countsFromEmf, emfRecords, type ExperimentCounts } from './experiment-metrics.js';
import type { AlarmState, ReleaseCounts } from './gates.js';
import type { Experiment } from '../runtime/edge-router/release-document.js';
import { localEdgeDir } from './release-store.js';
import { EDGE_METRICS } from '../runtime/edge-router/metrics.js';

/** What the rollout gates read: the router's counters per release, and CloudWatch alarms. */
export interface MetricsSource {
  /** For people: "CloudWatch (Sprout/Edge) in 17 regions", "the local router log". */
  readonly location: string;
  /** undefined when the stage has no traffic source at all. */
  releaseCounts(release: string, window: { from: Date; to: Date }): Promise<ReleaseCounts | undefined>;
  alarmStates(names: string[]): Promise<Map<string, AlarmState>>;
  /** An experiment's exposures and conversions per variant over the window; undefined when the stage has no traffic source. */
  experimentCounts(experiment: Experiment, window: { from: Date; to: Date }): Promise<ExperimentCounts | undefined>;
}

/** The router's embedded-metric-format names: one definition, in the router. */
export { EDGE_METRICS } from '../runtime/edge-router/metrics.js';

/** The router's EMF lines when it runs on the local stage (`sprout dev` appends them). */
export function localMetricsFile(root: string): string {
  return join(localEdgeDir(root), 'edge-metrics.jsonl');
}

/**
 * The local stage's source: the EMF lines the router wrote while `sprout dev` served the site (and
 * the conversions recorded next to them, by `sprout dev` or `sprout experiment simulate`).
 * Without that file there is no traffic source (the gate is skipped, and says so); CloudWatch
 * alarms do not exist locally, so naming one fails its gate.
 */
export function localMetricsSource(root: string, stage: string): MetricsSource {
  const file = localMetricsFile(root);
  return {
    location: `local router log ${file}`,
    async experimentCounts(experiment, window) {
      const text = await readIfThere(file);
      return text === undefined ? undefined : countsFromEmf(text, stage, experiment, window);
    },
    async releaseCounts(release, window) {
      const text = await readIfThere(file);
      if (text === undefined) return undefined;
      const counts: ReleaseCounts = { exposures: 0, originResponses: 0, origin5xx: 0 };
      for (const record of emfRecords(text)) {
        const at = (record._aws as { Timestamp?: number } | undefined)?.Timestamp ?? 0;
        if (record[EDGE_METRICS.dimensions.release] !== release || record[EDGE_METRICS.dimensions.stage] !== stage) continue;
        if (at < window.from.getTime() || at > window.to.getTime()) continue;
        counts.exposures += numberIn(record[EDGE_METRICS.exposures]);
        counts.originResponses += numberIn(record[EDGE_METRICS.originResponses]);
        counts.origin5xx += numberIn(record[EDGE_METRICS.origin5xx]);
      }
      return counts;
    },
    async alarmStates() {
      return new Map();
    },
  };
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function numberIn(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
