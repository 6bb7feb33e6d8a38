import type { KinesisStreamRecord } from 'aws-lambda';

/**
 * What producers put on the stream, one record per measurement, as JSON:
 *   {"key": "checkout.latency_ms", "value": 182.4}
 * with the metric key as the Kinesis partition key, so that every record of a key lands on the
 * same shard and one Lambda state sees all of that key's values in a window (README, "Partition
 * key"). The window a record belongs to is decided by Lambda from the time Kinesis received it
 * (approximateArrivalTimestamp), not by anything in the record.
 */
export interface Metric {
  key: string;
  value: number;
}

/** Kinesis partition keys are 1 to 256 Unicode characters; the metric key is used as one. */
export const MAX_KEY_LENGTH = 256;

/**
 * DynamoDB numbers run from 1e-130 to just under 1e126 in magnitude: a sum, mean or z-score outside
 * that range would fail the window's write on every retry. Values are kept well inside it.
 */
export const MAX_ABS_VALUE = 1e100;

/** A record that will never be a metric however often it is retried. */
export class InvalidMetricError extends Error {
  override readonly name = 'InvalidMetricError';
}

export function validateMetric(body: unknown): Metric {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidMetricError('the record is not a JSON object');
  const { key, value } = body as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0 || [...key].length > MAX_KEY_LENGTH) {
    throw new InvalidMetricError(`"key" must be a string of 1 to ${MAX_KEY_LENGTH} characters`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidMetricError('"value" must be a finite number');
  if (Math.abs(value) > MAX_ABS_VALUE) throw new InvalidMetricError(`"value" must be between -${MAX_ABS_VALUE} and ${MAX_ABS_VALUE}`);
  // Below 1e-100 in magnitude a value is stored as 0 (the p95 sketch already counts |x| < 1e-9 as zero).
  return { key, value: Math.abs(value) < 1e-100 ? 0 : value };
}

/** The bytes a producer puts as the record's data. */
export function encodeMetric(metric: Metric): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ key: metric.key, value: metric.value }));
}

/** Reads one record as Lambda delivers it (data base64-encoded). */
export function decodeMetric(record: KinesisStreamRecord): Metric {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  } catch {
    throw new InvalidMetricError('the record data is not JSON');
  }
  return validateMetric(body);
}
