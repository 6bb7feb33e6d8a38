import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import * as routerConstants from '../../../src/runtime/edge-router/release-document.js';
import {
  type Assignment,
  assignmentsOfRequest,
  EXPERIMENT_COOKIE_PREFIX,
  EXPERIMENT_HEADER,
  EXPERIMENT_METRICS,
  EXPERIMENT_NAME,
  type ExperimentMetrics,
  formatExperimentHeader,
  isMetricName,
  MAX_ASSIGNMENTS,
  mergeAssignments,
  parseExperimentCookies,
  parseExperimentHeader,
  recordConversion,
} from '../../../src/runtime/experiments/conversions.js';

const a = (experiment: string, variant: string): Assignment => ({ experiment, variant });

describe('the names the router uses', () => {
  it('are the edge router\'s own (the experiments module is shipped without the router, so it spells them out)', () => {
    expect(EXPERIMENT_HEADER).toBe(routerConstants.EXPERIMENT_HEADER);
    expect(EXPERIMENT_COOKIE_PREFIX).toBe(routerConstants.EXPERIMENT_COOKIE_PREFIX);
    expect(EXPERIMENT_NAME.source).toBe(routerConstants.EXPERIMENT_NAME.source);
  });
});

describe('parseExperimentHeader', () => {
  it('reads one assignment, several (commas as HTTP joins repeated headers, or semicolons), and repeated header values', () => {
    expect(parseExperimentHeader('checkout=b')).toEqual([a('checkout', 'b')]);
    expect(parseExperimentHeader(' checkout = b ,banner=control; price-test=v2 ')).toEqual([a('checkout', 'b'), a('banner', 'control'), a('price-test', 'v2')]);
    expect(parseExperimentHeader(['checkout=b', 'banner=control'], 'x1=y')).toEqual([a('checkout', 'b'), a('banner', 'control'), a('x1', 'y')]);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['upper case', 'Checkout=B'],
    ['a name starting with -', '-checkout=b'],
    ['a name of 41 characters', `${'x'.repeat(41)}=b`],
    ['no variant', 'checkout='],
    ['no =', 'checkout'],
    ['two =', 'checkout=b=c'],
    ['a space inside a name', 'check out=b'],
    ['an encoded value', 'checkout=%62'],
    ['a quoted value', 'checkout="b"'],
  ])('ignores %s', (_, value) => {
    expect(parseExperimentHeader(value)).toEqual([]);
  });

  it('keeps the valid entries next to junk', () => {
    expect(parseExperimentHeader('junk, checkout=b, =x, Banner=A, banner=a')).toEqual([a('checkout', 'b'), a('banner', 'a')]);
    expect(parseExperimentHeader(`${'x'.repeat(40)}=${'y'.repeat(40)}`)).toEqual([a('x'.repeat(40), 'y'.repeat(40))]);
  });

  it('never throws, whatever a viewer sends', () => {
    const junk: unknown[] = [null, 42, {}, ['a=b', 7, null], '='.repeat(10_000), ',;'.repeat(10_000), '\u0000=\u0000', 'a=b,'.repeat(10_000), '__proto__=constructor'];
    for (const value of junk) {
      expect(() => parseExperimentHeader(value as string)).not.toThrow();
    }
    expect(parseExperimentHeader(['a=b', 7, null] as unknown as string[])).toEqual([a('a', 'b')]);
    expect(parseExperimentHeader('a=b,'.repeat(10_000))).toEqual([a('a', 'b')]);
    expect(parseExperimentHeader('__proto__=constructor')).toEqual([]);
  });
});

describe('parseExperimentCookies', () => {
  it('reads the sprout-x-<experiment>=<variant> cookies of document.cookie or a Cookie header and nothing else', () => {
    const cookies = 'sprout-uid=4f1c2d9e-0000-4000-8000-000000000000; sprout-x-checkout=b;theme=dark; sprout-x-banner=control';
    expect(parseExperimentCookies(cookies)).toEqual([a('checkout', 'b'), a('banner', 'control')]);
  });

  it.each([
    ['no cookies', ''],
    ['no string', undefined],
    ['an empty experiment name', 'sprout-x-=b'],
    ['an invalid variant', 'sprout-x-checkout=B'],
    ['an empty variant', 'sprout-x-checkout='],
    ['a cookie without =', 'sprout-x-checkout'],
    ['a prefix in the wrong case', 'Sprout-X-checkout=b'],
    ['the release cookie', 'sprout-uid=abc; sprout-release=r-0123456789ab'],
  ])('ignores %s', (_, cookies) => {
    expect(parseExperimentCookies(cookies)).toEqual([]);
  });
});

describe('mergeAssignments', () => {
  it('counts a repeated assignment once and drops an experiment given two variants (it cannot be attributed)', () => {
    expect(mergeAssignments([a('checkout', 'b'), a('banner', 'a')], [a('checkout', 'b'), a('banner', 'b'), a('price', 'v1')])).toEqual([a('checkout', 'b'), a('price', 'v1')]);
  });

  it(`keeps at most ${MAX_ASSIGNMENTS}, so one forged request cannot become many metrics`, () => {
    const many = Array.from({ length: 30 }, (_, i) => a(`e${i}`, 'v'));
    expect(mergeAssignments(many)).toEqual(many.slice(0, MAX_ASSIGNMENTS));
    expect(parseExperimentHeader(formatExperimentHeader(many))).toHaveLength(MAX_ASSIGNMENTS);
  });
});

describe('formatExperimentHeader', () => {
  it('writes what parseExperimentHeader reads, leaving out invalid assignments', () => {
    const assignments = [a('checkout', 'b'), a('banner', 'control')];
    expect(formatExperimentHeader(assignments)).toBe('checkout=b, banner=control');
    expect(parseExperimentHeader(formatExperimentHeader(assignments))).toEqual(assignments);
    expect(formatExperimentHeader([a('Bad', 'x'), a('ok', 'fine')])).toBe('ok=fine');
    expect(formatExperimentHeader([])).toBe('');
  });

  it('turns the cookies the router set into the header it would have set', () => {
    expect(formatExperimentHeader(parseExperimentCookies('sprout-x-checkout=b; sprout-x-banner=control'))).toBe('checkout=b, banner=control');
  });
});

describe('assignmentsOfRequest (API Gateway headers)', () => {
  it('reads the header in any case', () => {
    expect(assignmentsOfRequest({ 'X-Sprout-Experiment': 'checkout=b' })).toEqual([a('checkout', 'b')]);
    expect(assignmentsOfRequest({ 'x-sprout-experiment': 'checkout=b, banner=a' })).toEqual([a('checkout', 'b'), a('banner', 'a')]);
  });

  it('prefers every value of multiValueHeaders to the last one in headers', () => {
    const headers = { 'x-sprout-experiment': 'banner=a' };
    const multiValueHeaders = { 'X-Sprout-Experiment': ['checkout=b', 'banner=a'] };
    expect(assignmentsOfRequest(headers, multiValueHeaders)).toEqual([a('checkout', 'b'), a('banner', 'a')]);
  });

  it('adds the sprout-x-* cookies (an API on the site\'s own origin receives them), dropping an experiment on which they disagree', () => {
    expect(assignmentsOfRequest({ 'x-sprout-experiment': 'checkout=b', Cookie: 'sprout-x-banner=a; other=1' })).toEqual([a('checkout', 'b'), a('banner', 'a')]);
    expect(assignmentsOfRequest({ 'x-sprout-experiment': 'checkout=b', cookie: 'sprout-x-checkout=a' })).toEqual([]);
    expect(assignmentsOfRequest({}, { cookie: ['sprout-x-checkout=b', 'sprout-x-banner=a'] })).toEqual([a('checkout', 'b'), a('banner', 'a')]);
  });

  it('has nothing for a request without them, and survives null maps', () => {
    expect(assignmentsOfRequest({ 'content-type': 'application/json' })).toEqual([]);
    expect(assignmentsOfRequest(null, null)).toEqual([]);
    expect(assignmentsOfRequest(undefined)).toEqual([]);
    expect(assignmentsOfRequest({ 'x-sprout-experiment': undefined }, { 'x-sprout-experiment': undefined })).toEqual([]);
  });
});

describe('recordConversion with a fake Metrics', () => {
  function fake() {
    const calls: string[] = [];
    const metrics: ExperimentMetrics = {
      singleMetric: () => {
        calls.push('singleMetric');
        return {
          clearDefaultDimensions: () => calls.push('clearDefaultDimensions'),
          addDimension: (name, value) => calls.push(`addDimension ${name}=${value}`),
          addMetric: (name, unit, value) => calls.push(`addMetric ${name} ${unit} ${value}`),
        };
      },
    };
    return { metrics, calls };
  }

  it('uses one single metric per assignment: default dimensions cleared, then Stage, Experiment, Variant and a count of 1', () => {
    const { metrics, calls } = fake();
    const recorded = recordConversion(metrics, { stage: 'prod', assignments: [a('checkout', 'b'), a('banner', 'control')] });
    expect(recorded).toEqual([a('checkout', 'b'), a('banner', 'control')]);
    const one = (experiment: string, variant: string) => [
      'singleMetric',
      'clearDefaultDimensions',
      'addDimension Stage=prod',
      `addDimension Experiment=${experiment}`,
      `addDimension Variant=${variant}`,
      'addMetric conversion Count 1',
    ];
    expect(calls).toEqual([...one('checkout', 'b'), ...one('banner', 'control')]);
  });

  it('names the count after the metric when one is given', () => {
    const { metrics, calls } = fake();
    recordConversion(metrics, { stage: 'local', metric: 'signup', assignments: [a('checkout', 'b')] });
    expect(calls.at(-1)).toBe('addMetric signup Count 1');
  });

  it('records nothing without (valid) assignments', () => {
    const { metrics, calls } = fake();
    expect(recordConversion(metrics, { stage: 'prod', assignments: [] })).toEqual([]);
    expect(recordConversion(metrics, { stage: 'prod', assignments: [a('Bad', 'x'), a('ok', '')] })).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('refuses an invalid metric name or stage before recording anything', () => {
    const { metrics, calls } = fake();
    for (const metric of ['', 'Conversion', 'x'.repeat(41), 'Stage', 'a b']) {
      expect(isMetricName(metric)).toBe(false);
      expect(() => recordConversion(metrics, { stage: 'prod', metric, assignments: [a('checkout', 'b')] })).toThrow(/invalid metric name/);
    }
    expect(() => recordConversion(metrics, { stage: '', assignments: [a('checkout', 'b')] })).toThrow(/invalid stage/);
    expect(() => recordConversion(metrics, { stage: 'a/b', assignments: [a('checkout', 'b')] })).toThrow(/invalid stage/);
    expect(calls).toEqual([]);
  });
});

describe('recordConversion through Powertools Metrics (what CloudWatch receives)', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    // What a Lambda function has: a service name and the project's namespace (SproutFunction sets both).
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'shop');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'shop');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
    vi.stubEnv('POWERTOOLS_DEV', undefined);
    // Powertools writes each EMF document as one line to process.stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const documents = () => lines.map((line) => JSON.parse(line) as Record<string, any>);

  it('prints one EMF document per assignment: namespace Sprout/Experiments, exactly [Stage, Experiment, Variant], no service', () => {
    const metrics = new Metrics({ namespace: EXPERIMENT_METRICS.namespace });
    recordConversion(metrics, { stage: 'prod', assignments: [a('checkout', 'b'), a('banner', 'control')] });
    const [first, second, ...rest] = documents();
    expect(rest).toEqual([]);
    expect(first).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'Sprout/Experiments', Dimensions: [['Stage', 'Experiment', 'Variant']], Metrics: [{ Name: 'conversion', Unit: 'Count' }] }],
      },
      Stage: 'prod',
      Experiment: 'checkout',
      Variant: 'b',
      conversion: 1,
    });
    expect(second).toMatchObject({ Stage: 'prod', Experiment: 'banner', Variant: 'control', conversion: 1 });
    expect(second?._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stage', 'Experiment', 'Variant']]);
    expect(Object.keys(second!)).not.toContain('service');
    // Nothing stays buffered in the instance the handler holds.
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('is needed: a plain Powertools single metric would add the service dimension, and CloudWatch would file it as another metric', () => {
    const metrics = new Metrics({ namespace: EXPERIMENT_METRICS.namespace });
    const single = metrics.singleMetric();
    single.addDimension('Stage', 'prod');
    single.addDimension('Experiment', 'checkout');
    single.addDimension('Variant', 'b');
    single.addMetric('conversion', 'Count', 1);
    const [document] = documents();
    expect(document?._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'Stage', 'Experiment', 'Variant']]);
    expect(document?.service).toBe('shop');
  });

  it("keeps the handler's own default dimensions and buffered metrics apart", () => {
    const metrics = new Metrics({ namespace: EXPERIMENT_METRICS.namespace, defaultDimensions: { environment: 'prod' } });
    metrics.addMetric('unrelated', 'Count', 1);
    recordConversion(metrics, { stage: 'prod', metric: 'signup', assignments: [a('checkout', 'b')] });
    const [document] = documents();
    expect(document?._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'Sprout/Experiments', Dimensions: [['Stage', 'Experiment', 'Variant']], Metrics: [{ Name: 'signup', Unit: 'Count' }] });
    expect(document).not.toHaveProperty('environment');
    expect(document).not.toHaveProperty('unrelated');
    expect(metrics.hasStoredMetrics()).toBe(true);
  });

  it('prints nothing when there is nothing to record', () => {
    recordConversion(new Metrics({ namespace: EXPERIMENT_METRICS.namespace }), { stage: 'prod', assignments: [] });
    expect(lines).toEqual([]);
  });
});
