import type { AlarmState, ReleaseCounts } from '../../src/edge/gates.js';
import type { MetricsSource } from '../../src/edge/metrics.js';
import { localReleaseUploader } from '../../src/edge/release-files.js';
import { localReleaseStore, type ReleaseStore } from '../../src/edge/release-store.js';
import type { WatchDeps } from '../../src/edge/watch.js';
import { T0 } from './fixtures.js';

/** Fake metrics: whatever `counts` answers for the window asked, and fixed alarm states. */
export function fakeMetrics(counts: (release: string, window: { from: Date; to: Date }) => ReleaseCounts | undefined, alarms: Record<string, AlarmState> = {}): MetricsSource & { windows: Array<{ from: Date; to: Date }> } {
  const windows: Array<{ from: Date; to: Date }> = [];
  return {
    location: 'fake metrics',
    windows,
    async releaseCounts(release, window) {
      windows.push(window);
      return counts(release, window);
    },
    async alarmStates(names) {
      return new Map(names.filter((n) => n in alarms).map((n) => [n, alarms[n]!]));
    },
    async experimentCounts() {
      return undefined;
    },
  };
}

/** Edge deps on a temp folder's local store, with a clock that only moves when the code sleeps. */
export function fakeEdge(root: string, metrics: MetricsSource, options: { store?: ReleaseStore; stage?: string } = {}): WatchDeps & { clock: { now: number }; slept: number[] } {
  const clock = { now: T0.getTime() };
  const slept: number[] = [];
  return {
    stage: options.stage ?? 'local',
    store: options.store ?? localReleaseStore(root),
    uploader: localReleaseUploader(root),
    metrics,
    actor: async () => 'tester',
    now: () => new Date(clock.now),
    salt: () => 'fixed-salt',
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    clock,
    slept,
  };
}
