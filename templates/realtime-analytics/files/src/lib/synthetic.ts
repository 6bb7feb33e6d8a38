import type { Metric } from './metric.js';

/**
 * A seeded stream of metrics with anomalies injected at known windows: what the tests measure
 * precision and recall on, and what `npm run produce` puts on a deployed stream.
 *
 * Each key has its own level and noise (think latency in ms); each window gets 20 to 40 values per
 * key, spread over the window. An anomalous window shifts all of a key's values of that window by
 * `anomalyShift` standard deviations of the window mean (up or down). Anomalies are only injected
 * after `warmupWindows`, since before that a key has too short a baseline to be judged.
 */
export interface SyntheticOptions {
  seed: number;
  keys: number;
  windows: number;
  windowSeconds: number;
  /** Epoch milliseconds of the first window's start (aligned to windowSeconds). */
  start: number;
  /** Probability that a (key, window) after the warm-up is anomalous. */
  anomalyRate: number;
  anomalyShift: number;
  warmupWindows: number;
  keyPrefix?: string;
}

export interface TimedMetric extends Metric {
  /** When it is put (epoch ms): the window it belongs to. */
  at: number;
  window: number;
}

export interface SyntheticStream {
  metrics: TimedMetric[];
  /** `<key>@<window index>` of every injected anomaly. */
  anomalies: Set<string>;
  keys: string[];
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function syntheticStream(options: SyntheticOptions): SyntheticStream {
  const random = prng(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const prefix = options.keyPrefix ?? 'service';
  const keys = Array.from({ length: options.keys }, (_, k) => `${prefix}-${k}.latency_ms`);
  const profiles = keys.map(() => {
    const level = 50 + random() * 450;
    return { level, noise: level * (0.1 + random() * 0.2) };
  });
  const metrics: TimedMetric[] = [];
  const anomalies = new Set<string>();
  const windowMs = options.windowSeconds * 1000;
  for (let window = 0; window < options.windows; window++) {
    keys.forEach((key, k) => {
      const { level, noise } = profiles[k] as { level: number; noise: number };
      const count = 20 + Math.floor(random() * 21);
      let shift = 0;
      if (window >= options.warmupWindows && random() < options.anomalyRate) {
        anomalies.add(`${key}@${window}`);
        shift = (random() < 0.5 ? -1 : 1) * options.anomalyShift * (noise / Math.sqrt(30));
      }
      for (let i = 0; i < count; i++) {
        const value = Math.max(0.1, level + shift + noise * normal());
        metrics.push({ key, value: Number(value.toFixed(3)), at: options.start + window * windowMs + Math.floor(random() * windowMs), window });
      }
    });
  }
  metrics.sort((a, b) => a.at - b.at);
  return { metrics, anomalies, keys };
}
