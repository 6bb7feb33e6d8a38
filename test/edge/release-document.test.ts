import { describe, expect, it } from 'vitest';

import { emptyReleaseDocument, formatAssignment, parseAssignment, parseReleaseDocument, routingOf, stepsProblem, validateReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { B, running, withReleases } from './fixtures.js';

describe('the release document schema', () => {
  it('accepts what the CLI writes', () => {
    expect(validateReleaseDocument(emptyReleaseDocument('dev'))).toEqual([]);
    expect(validateReleaseDocument(running())).toEqual([]);
  });

  it('names every problem', () => {
    const broken = { ...running(), schema: 3, stable: 'not-an-id', revision: -1 };
    expect(validateReleaseDocument(broken)).toEqual([
      'schema must be one of 1, 2 (found 3): this sprout or router may be older than the document',
      'revision must be a whole number ≥ 0',
      'stable must be a release id or null (found "not-an-id")',
    ]);
    expect(validateReleaseDocument([])).toEqual(['the release document must be a JSON object']);
  });

  it('checks the rollout refers to a listed release and a sane plan', () => {
    const document = running();
    const bad = { ...document, releases: document.releases.filter((r) => r.id !== B), rollout: { ...document.rollout!, step: 7, gates: { maxErrorRate: 2, minRequests: 1.5, alarms: [''] } } };
    expect(validateReleaseDocument(bad)).toEqual([
      `rollout.candidate ${B} is not among the releases`,
      'rollout.step must point into rollout.steps',
      'rollout.gates.maxErrorRate must be between 0 and 1',
      'rollout.gates.minRequests must be a whole number ≥ 0',
      'rollout.gates.alarms must be a list of alarm names',
    ]);
  });

  it('refuses duplicate releases and a stable release that is not listed', () => {
    const document = withReleases();
    expect(validateReleaseDocument({ ...document, releases: [...document.releases, document.releases[0]] })).toContain('releases[2]: r-aaaaaaaaaaaa is listed twice');
    expect(validateReleaseDocument({ ...document, stable: 'r-cccccccccccc' })).toContain('stable r-cccccccccccc is not among the releases');
  });

  it('parses JSON or throws with every problem', () => {
    expect(parseReleaseDocument(JSON.stringify(running())).rollout?.candidate).toBe(B);
    expect(() => parseReleaseDocument('{')).toThrow(/not JSON/);
    expect(() => parseReleaseDocument('{"schema":1}')).toThrow(/stage must be a non-empty string/);
  });

  it('knows a valid plan of steps', () => {
    expect(stepsProblem([5, 25, 50, 100])).toBeUndefined();
    expect(stepsProblem([5, 25])).toBe('the last step must be 100');
    expect(stepsProblem(Array.from({ length: 21 }, (_, i) => i + 80))).toBe('at most 20 steps');
  });

  it('an aborted or complete rollout routes nobody to a candidate', () => {
    const document = running();
    expect(routingOf({ ...document, rollout: { ...document.rollout!, state: 'aborted' } }).candidateWeight).toBe(0);
    expect(routingOf({ ...document, rollout: { ...document.rollout!, state: 'complete' } }).candidate).toBeNull();
    expect(routingOf({ ...document, rollout: { ...document.rollout!, state: 'paused' } }).candidateWeight).toBe(1000);
  });
});

describe('experiment assignments (<experiment>=<variant>)', () => {
  it('read back exactly what was written, and nothing else', () => {
    expect(parseAssignment(formatAssignment('checkout', 'b'))).toEqual({ experiment: 'checkout', variant: 'b' });
    for (const bad of [undefined, '', 'checkout', 'checkout=', '=b', 'checkout=b=c', 'Checkout=b', 'checkout=b;x=1']) expect(parseAssignment(bad), String(bad)).toBeUndefined();
  });
});
