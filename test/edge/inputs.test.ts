import { describe, expect, it } from 'vitest';

import { parseDuration, parseRate, parseSteps } from '../../src/edge/inputs.js';

describe('rollout inputs', () => {
  it('parses steps, with commas, spaces or percent signs', () => {
    expect(parseSteps('5,25,50,100')).toEqual([5, 25, 50, 100]);
    expect(parseSteps('1% 10% 100%')).toEqual([1, 10, 100]);
    expect(parseSteps('0.5,100')).toEqual([0.5, 100]);
  });

  it.each(['', '50,10,100', '10,50', '0,100', '10,10,100', '10,abc,100', '0.001,100', '150'])('refuses steps %j (exit 2)', (text) => {
    expect(() => parseSteps(text)).toThrow(expect.objectContaining({ code: 'BAD_STEPS', exitCode: 2 }));
  });

  it('parses durations', () => {
    expect(parseDuration('600', '--interval')).toBe(600);
    expect(parseDuration('10m', '--interval')).toBe(600);
    expect(parseDuration('1h30m', '--interval')).toBe(5400);
    expect(parseDuration('2d', '--interval')).toBe(172_800);
    expect(() => parseDuration('10 minutes', '--interval')).toThrow(expect.objectContaining({ code: 'BAD_DURATION', exitCode: 2 }));
    expect(() => parseDuration('', '--interval')).toThrow(expect.objectContaining({ code: 'BAD_DURATION' }));
  });

  it('parses rates as percentages', () => {
    expect(parseRate('1%', '--max-error-rate')).toBe(0.01);
    expect(parseRate('0.5', '--max-error-rate')).toBe(0.005);
    expect(() => parseRate('101%', '--max-error-rate')).toThrow(expect.objectContaining({ code: 'BAD_RATE' }));
    expect(() => parseRate('lots', '--max-error-rate')).toThrow(expect.objectContaining({ code: 'BAD_RATE' }));
  });
});
