// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The router's counters, as CloudWatch embedded metric format (EMF) lines in its log: CloudWatch
 * turns them into metrics with no API call on the request path. Counts are kept in memory and
 * written at most every FLUSH_INTERVAL_MS, one line per release, so a busy instance writes a few
 * lines a minute, not one per request. (Counts of an instance that is recycled before its next
 * flush are lost: the gates see slightly fewer requests, never invented ones.)
 */

/** The names the rollout gates query (sprout's src/edge/cloudwatch-metrics.ts). */
export const EDGE_METRICS = {
  namespace: 'Sprout/Edge',
  dimensions: { stage: 'Stage', release: 'Release' },
  exposures: 'Exposures',
  originResponses: 'OriginResponses',
  origin5xx: 'Origin5xx',
  /** Viewers shown an experiment's variant for the first time (the router's cookie says who saw it already). */
  experimentExposures: 'ExperimentExposures',
  experimentDimensions: { experiment: 'Experiment', variant: 'Variant' },
} as const;

export const FLUSH_INTERVAL_MS = 10_000;

interface Counts {
  exposures: number;
  originResponses: number;
  origin5xx: number;
}

export function createMetrics(options: { stage: string; now: () => number; emit: (line: string) => void; namespace?: string }) {
  let counts = new Map<string, Counts>();
  /** "<experiment> <variant>" → exposures (a space: neither name can hold one). */
  let exposures = new Map<string, number>();
  let lastFlush = options.now();
  const namespace = options.namespace ?? EDGE_METRICS.namespace;

  function countsOf(release: string): Counts {
    let found = counts.get(release);
    if (!found) counts.set(release, (found = { exposures: 0, originResponses: 0, origin5xx: 0 }));
    return found;
  }

  function flush(): void {
    const at = options.now();
    lastFlush = at;
    const pending = counts;
    counts = new Map();
    const pendingExposures = exposures;
    exposures = new Map();
    for (const [release, c] of pending) {
      options.emit(
        JSON.stringify({
          _aws: {
            Timestamp: at,
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: [[EDGE_METRICS.dimensions.stage, EDGE_METRICS.dimensions.release]],
                Metrics: [EDGE_METRICS.exposures, EDGE_METRICS.originResponses, EDGE_METRICS.origin5xx].map((Name) => ({ Name, Unit: 'Count' })),
              },
            ],
          },
          [EDGE_METRICS.dimensions.stage]: options.stage,
          [EDGE_METRICS.dimensions.release]: release,
          [EDGE_METRICS.exposures]: c.exposures,
          [EDGE_METRICS.originResponses]: c.originResponses,
          [EDGE_METRICS.origin5xx]: c.origin5xx,
        }),
      );
    }
    const { experiment, variant } = EDGE_METRICS.experimentDimensions;
    for (const [key, count] of pendingExposures) {
      const [experimentName, variantName] = key.split(' ');
      options.emit(
        JSON.stringify({
          _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[EDGE_METRICS.dimensions.stage, experiment, variant]], Metrics: [{ Name: EDGE_METRICS.experimentExposures, Unit: 'Count' }] }] },
          [EDGE_METRICS.dimensions.stage]: options.stage,
          [experiment]: experimentName,
          [variant]: variantName,
          [EDGE_METRICS.experimentExposures]: count,
        }),
      );
    }
  }

  /** Lambda freezes between invocations, so there is no timer: every invocation checks whether a flush is due. */
  function flushIfDue(): void {
    if (options.now() - lastFlush >= FLUSH_INTERVAL_MS) flush();
  }

  return {
    exposure(release: string) {
      countsOf(release).exposures++;
    },
    experimentExposure(experimentName: string, variantName: string) {
      const key = `${experimentName} ${variantName}`;
      exposures.set(key, (exposures.get(key) ?? 0) + 1);
    },
    originResponse(release: string, status: number) {
      const c = countsOf(release);
      c.originResponses++;
      if (status >= 500) c.origin5xx++;
    },
    flushIfDue,
    flush,
  };
}
