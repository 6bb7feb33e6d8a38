/**
 * The sample processing: one device reading per line (JSON Lines), as a gateway batches them, e.g.
 *
 *   {"deviceId":"Thermo-17","timestamp":"2026-11-26T10:00:00+01:00","metric":"temperature","value":71.2,"unit":"F"}
 *   {"deviceId":"thermo-17","timestamp":1795687200,"metric":"humidity","value":"40.5"}
 *
 * becomes one normalized reading per line: device ids lower-cased, timestamps ISO 8601 in UTC,
 * values in one unit per metric (°C, %, hPa, %), rounded to 3 decimals:
 *
 *   {"deviceId":"thermo-17","metric":"temperature","value":21.778,"unit":"C","timestamp":"2026-11-26T09:00:00.000Z"}
 *
 * A line that cannot be read is dropped and counted by reason; it never fails the batch.
 */

export interface Reading {
  deviceId: string;
  metric: Metric;
  value: number;
  unit: string;
  timestamp: string;
}

export type DropReason =
  | 'invalid-json'
  | 'not-an-object'
  | 'invalid-device-id'
  | 'invalid-timestamp'
  | 'unknown-metric'
  | 'invalid-value'
  | 'unknown-unit'
  | 'out-of-range'
  | 'line-too-long'
  | 'clock-skew';

type Convert = (value: number) => number;

interface MetricSpec {
  unit: string;
  /** Accepted units (lower case, without `°`) and how each converts to `unit`. */
  units: Record<string, Convert>;
  /** Plausible range in `unit`; outside it the sensor is broken or the unit is wrong. */
  range: [number, number];
}

const same: Convert = (v) => v;
const METRICS = {
  temperature: {
    unit: 'C',
    units: { c: same, celsius: same, f: (v) => ((v - 32) * 5) / 9, fahrenheit: (v) => ((v - 32) * 5) / 9, k: (v) => v - 273.15, kelvin: (v) => v - 273.15 },
    range: [-90, 150],
  },
  humidity: { unit: '%', units: { '%': same, '%rh': same, rh: same, percent: same }, range: [0, 100] },
  pressure: { unit: 'hPa', units: { hpa: same, mbar: same, pa: (v) => v / 100, kpa: (v) => v * 10 }, range: [100, 1100] },
  battery: { unit: '%', units: { '%': same, percent: same }, range: [0, 100] },
} satisfies Record<string, MetricSpec>;

export type Metric = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

const DEVICE_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Below this a numeric timestamp is in seconds (it would be year 5138 in seconds), above it milliseconds. */
const EPOCH_MILLISECONDS_FROM = 1e11;

/** When the sample flag is on: how far a reading's time may be from the upload's. */
export interface ClockSkewCheck {
  /** The upload's time (the event's eventTime): the same on every delivery of the event. */
  reference: Date;
  maxAheadMs: number;
  maxBehindMs: number;
}

export const CLOCK_SKEW_LIMITS = { maxAheadMs: 5 * 60 * 1000, maxBehindMs: 7 * 24 * 60 * 60 * 1000 };

export type ParsedLine = { reading: Reading } | { dropped: DropReason };

function timestampOf(raw: unknown): Date | undefined {
  let ms: number | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) ms = raw < EPOCH_MILLISECONDS_FROM ? raw * 1000 : raw;
  else if (typeof raw === 'string' && ISO_TIMESTAMP.test(raw)) ms = Date.parse(raw);
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

/** Reads one line. Blank lines are the caller's business (they are not readings, nor errors). */
export function parseReading(line: string, clockSkew?: ClockSkewCheck): ParsedLine {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return { dropped: 'invalid-json' };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { dropped: 'not-an-object' };
  const fields = input as Record<string, unknown>;

  const deviceId = typeof fields.deviceId === 'string' ? fields.deviceId.trim().toLowerCase() : '';
  if (!DEVICE_ID.test(deviceId)) return { dropped: 'invalid-device-id' };

  const time = timestampOf(fields.timestamp);
  if (!time) return { dropped: 'invalid-timestamp' };

  const metricName = typeof fields.metric === 'string' ? fields.metric.trim().toLowerCase() : '';
  if (!Object.hasOwn(METRICS, metricName)) return { dropped: 'unknown-metric' };
  const metric = metricName as Metric;
  const spec: MetricSpec = METRICS[metric];

  const raw = numberOf(fields.value);
  if (raw === undefined) return { dropped: 'invalid-value' };

  const unitName = fields.unit === undefined ? spec.unit.toLowerCase() : typeof fields.unit === 'string' ? fields.unit.trim().toLowerCase().replace('°', '') : '';
  const convert = Object.hasOwn(spec.units, unitName) ? spec.units[unitName] : undefined;
  if (!convert) return { dropped: 'unknown-unit' };

  const value = Math.round(convert(raw) * 1000) / 1000 + 0;
  if (value < spec.range[0] || value > spec.range[1]) return { dropped: 'out-of-range' };

  if (clockSkew) {
    const offset = time.getTime() - clockSkew.reference.getTime();
    if (offset > clockSkew.maxAheadMs || -offset > clockSkew.maxBehindMs) return { dropped: 'clock-skew' };
  }

  return { reading: { deviceId, metric, value, unit: spec.unit, timestamp: time.toISOString() } };
}

export interface MetricStats {
  count: number;
  min: number;
  max: number;
  mean: number;
}

export interface BatchCounts {
  /** Non-blank lines read. */
  lines: number;
  accepted: number;
  dropped: number;
  droppedByReason: Partial<Record<DropReason, number>>;
  devices: number;
  metrics: Partial<Record<Metric, MetricStats>>;
  /** Earliest and latest reading time, or null for a batch without readings. */
  timeRange: { first: string; last: string } | null;
}

/** Counts a batch as it is read, in constant memory apart from the set of device ids. */
export class BatchTally {
  private lines = 0;
  private accepted = 0;
  private readonly dropped = new Map<DropReason, number>();
  private readonly devices = new Set<string>();
  private readonly stats = new Map<Metric, { count: number; min: number; max: number; sum: number }>();
  private first?: string;
  private last?: string;

  add(parsed: ParsedLine): void {
    this.lines += 1;
    if ('dropped' in parsed) {
      this.dropped.set(parsed.dropped, (this.dropped.get(parsed.dropped) ?? 0) + 1);
      return;
    }
    const { reading } = parsed;
    this.accepted += 1;
    this.devices.add(reading.deviceId);
    const s = this.stats.get(reading.metric) ?? { count: 0, min: Infinity, max: -Infinity, sum: 0 };
    s.count += 1;
    s.min = Math.min(s.min, reading.value);
    s.max = Math.max(s.max, reading.value);
    s.sum += reading.value;
    this.stats.set(reading.metric, s);
    // ISO strings in UTC with milliseconds sort as times.
    if (this.first === undefined || reading.timestamp < this.first) this.first = reading.timestamp;
    if (this.last === undefined || reading.timestamp > this.last) this.last = reading.timestamp;
  }

  counts(): BatchCounts {
    const metrics: Partial<Record<Metric, MetricStats>> = {};
    for (const name of METRIC_NAMES) {
      const s = this.stats.get(name);
      if (s) metrics[name] = { count: s.count, min: s.min, max: s.max, mean: Math.round((s.sum / s.count) * 1000) / 1000 };
    }
    const droppedByReason = Object.fromEntries([...this.dropped.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return {
      lines: this.lines,
      accepted: this.accepted,
      dropped: this.lines - this.accepted,
      droppedByReason,
      devices: this.devices.size,
      metrics,
      timeRange: this.first && this.last ? { first: this.first, last: this.last } : null,
    };
  }
}
