import { describe, expect, it } from 'vitest';

import { formatDuration, judge } from '../../src/edge/gates.js';
import { at } from './fixtures.js';

const gates = { maxErrorRate: 0.01, minRequests: 500, alarms: [] as string[] };
const window = { from: at(0), to: at(300) };
const counts = (exposures: number, originResponses: number, origin5xx: number) => ({ exposures, originResponses, origin5xx });

describe('judge', () => {
  it('passes under the threshold once enough requests were seen', () => {
    const verdict = judge({ gates, counts: counts(600, 200, 2), alarms: new Map(), window });
    expect(verdict.result).toBe('pass');
    expect(verdict.checks[0]).toMatchObject({ gate: 'error-rate', result: 'pass', value: 0.01 });
    expect(verdict.window).toEqual({ from: at(0).toISOString(), to: at(300).toISOString() });
  });

  it('fails above the threshold and says which metric, value and window', () => {
    const verdict = judge({ gates, counts: counts(1000, 400, 12), alarms: new Map(), window });
    expect(verdict.result).toBe('fail');
    expect(verdict.summary).toBe('5xx rate: 3% of 400 origin responses, 1,000 requests, over the last 5m (max 1%)');
  });

  it('is inconclusive below --min-requests, even with errors', () => {
    const verdict = judge({ gates, counts: counts(499, 100, 50), alarms: new Map(), window });
    expect(verdict.result).toBe('inconclusive');
    expect(verdict.summary).toContain('499 of the 500 requests needed');
  });

  it('skips the error rate (and says so) when the stage has no traffic source', () => {
    const verdict = judge({ gates, counts: undefined, alarms: new Map(), window });
    expect(verdict.result).toBe('pass');
    expect(verdict.checks[0]!.result).toBe('skipped');
    expect(verdict.summary).toMatch(/^all gates pass; 5xx rate not judged: no traffic source/);
  });

  it('judges alarms: ALARM or missing fails, INSUFFICIENT_DATA is inconclusive, and fail wins over inconclusive', () => {
    const withAlarms = { ...gates, minRequests: 0, alarms: ['a', 'b', 'c'] };
    expect(judge({ gates: withAlarms, counts: counts(1, 1, 0), alarms: new Map([['a', 'OK'], ['b', 'OK'], ['c', 'OK']]), window }).result).toBe('pass');
    expect(judge({ gates: withAlarms, counts: counts(1, 1, 0), alarms: new Map([['a', 'OK'], ['b', 'INSUFFICIENT_DATA'], ['c', 'OK']]), window }).result).toBe('inconclusive');
    const failed = judge({ gates: withAlarms, counts: counts(1, 1, 0), alarms: new Map([['a', 'ALARM'], ['b', 'INSUFFICIENT_DATA']]), window });
    expect(failed.result).toBe('fail');
    expect(failed.summary).toBe('alarm a: in ALARM; alarm c: not found in CloudWatch');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90)).toBe('1m30s');
    expect(formatDuration(3600 * 26 + 5)).toBe('1d2h5s');
  });
});
