import { describe, expect, it } from 'vitest';
import { BatchTally, CLOCK_SKEW_LIMITS, type DropReason, parseReading } from '../src/lib/readings.js';

const reading = (fields: Record<string, unknown>) => JSON.stringify({ deviceId: 'd-1', timestamp: '2026-11-26T09:00:00Z', metric: 'temperature', value: 20, ...fields });

describe('normalizing one reading', () => {
  it.each<[string, Record<string, unknown>, { value: number; unit: string }]>([
    ['°C as is', { value: 21.5, unit: '°C' }, { value: 21.5, unit: 'C' }],
    ['°F to °C', { value: 212, unit: 'F' }, { value: 100, unit: 'C' }],
    ['kelvin to °C', { value: 273.15, unit: 'kelvin' }, { value: 0, unit: 'C' }],
    ['a numeric string', { value: ' 19.25 ' }, { value: 19.25, unit: 'C' }],
    ['rounded to 3 decimals', { value: 70, unit: 'F' }, { value: 21.111, unit: 'C' }],
    ['Pa to hPa', { metric: 'pressure', value: 101325, unit: 'Pa' }, { value: 1013.25, unit: 'hPa' }],
    ['mbar as hPa', { metric: 'Pressure', value: 990, unit: 'mbar' }, { value: 990, unit: 'hPa' }],
    ['%RH', { metric: 'humidity', value: 55, unit: '%RH' }, { value: 55, unit: '%' }],
    ['battery without a unit', { metric: 'battery', value: 7 }, { value: 7, unit: '%' }],
  ])('%s', (_, fields, expected) => {
    expect(parseReading(reading(fields))).toEqual({ reading: { deviceId: 'd-1', metric: expect.any(String), timestamp: '2026-11-26T09:00:00.000Z', ...expected } });
  });

  it.each<[string, unknown, string]>([
    ['ISO with an offset', '2026-11-26T10:30:00+01:30', '2026-11-26T09:00:00.000Z'],
    ['ISO with fractions', '2026-11-26T09:00:00.5Z', '2026-11-26T09:00:00.500Z'],
    ['epoch seconds', 1795683600, '2026-11-26T09:00:00.000Z'],
    ['epoch milliseconds', 1795683600250, '2026-11-26T09:00:00.250Z'],
  ])('reads a timestamp given as %s', (_, timestamp, iso) => {
    expect(parseReading(reading({ timestamp }))).toMatchObject({ reading: { timestamp: iso } });
  });

  it('trims and lower-cases the device id', () => {
    expect(parseReading(reading({ deviceId: '  Gateway-7:Sensor.2 ' }))).toMatchObject({ reading: { deviceId: 'gateway-7:sensor.2' } });
  });

  it.each<[DropReason, string]>([
    ['invalid-json', '{"deviceId":'],
    ['not-an-object', '[1,2]'],
    ['not-an-object', '42'],
    ['invalid-device-id', reading({ deviceId: '' })],
    ['invalid-device-id', reading({ deviceId: 'has space' })],
    ['invalid-device-id', reading({ deviceId: 7 })],
    ['invalid-timestamp', reading({ timestamp: '2026-11-26 09:00' })],
    ['invalid-timestamp', reading({ timestamp: '2026-11-26T09:00:00' })],
    ['invalid-timestamp', reading({ timestamp: -5 })],
    ['unknown-metric', reading({ metric: 'wind' })],
    ['unknown-metric', reading({ metric: 'constructor' })],
    ['invalid-value', reading({ value: 'warm' })],
    ['invalid-value', reading({ value: null })],
    ['unknown-unit', reading({ unit: 'R' })],
    ['unknown-unit', reading({ metric: 'humidity', value: 3, unit: 'C' })],
    ['out-of-range', reading({ metric: 'humidity', value: 101 })],
    ['out-of-range', reading({ value: 1000, unit: 'K' })],
  ])('drops %s: %s', (reason, line) => {
    expect(parseReading(line)).toEqual({ dropped: reason });
  });

  it('drops readings far from the upload time only when asked to (the sample flag)', () => {
    const check = { reference: new Date('2026-11-26T10:00:00Z'), ...CLOCK_SKEW_LIMITS };
    const at = (timestamp: string) => parseReading(reading({ timestamp }), check);
    expect(at('2026-11-26T10:05:00Z')).toHaveProperty('reading');
    expect(at('2026-11-26T10:05:01Z')).toEqual({ dropped: 'clock-skew' });
    expect(at('2026-11-19T10:00:00Z')).toHaveProperty('reading');
    expect(at('2026-11-19T09:59:59Z')).toEqual({ dropped: 'clock-skew' });
    expect(at('1970-01-01T00:00:00Z')).toEqual({ dropped: 'clock-skew' });
    expect(parseReading(reading({ timestamp: '1970-01-01T00:00:01Z' }))).toHaveProperty('reading');
  });
});

describe('tallying a batch', () => {
  it('counts lines, drops by reason, devices, per-metric statistics and the time range', () => {
    const tally = new BatchTally();
    for (const line of [
      reading({ value: 10, timestamp: '2026-11-26T09:05:00Z' }),
      reading({ value: 20, deviceId: 'd-2', timestamp: '2026-11-26T08:59:00Z' }),
      reading({ metric: 'battery', value: 50 }),
      '{',
      reading({ metric: 'wind' }),
      '{',
    ]) {
      tally.add(parseReading(line));
    }
    tally.add({ dropped: 'line-too-long' });
    expect(tally.counts()).toEqual({
      lines: 7,
      accepted: 3,
      dropped: 4,
      droppedByReason: { 'invalid-json': 2, 'line-too-long': 1, 'unknown-metric': 1 },
      devices: 2,
      metrics: { temperature: { count: 2, min: 10, max: 20, mean: 15 }, battery: { count: 1, min: 50, max: 50, mean: 50 } },
      timeRange: { first: '2026-11-26T08:59:00.000Z', last: '2026-11-26T09:05:00.000Z' },
    });
  });
});
