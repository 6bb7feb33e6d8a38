import { describe, expect, it } from 'vitest';

import { ConflictError } from '../../src/core/errors.js';
import { errorEnvelope, formatHumanError, successEnvelope } from '../../src/ui/envelope.js';

describe('JSON envelope', () => {
  it('has exactly status, result and warnings on success', () => {
    const envelope = successEnvelope({ a: 1 }, ['careful']);
    expect(envelope).toStrictEqual({ status: 0, result: { a: 1 }, warnings: ['careful'] });
  });

  it('carries a partial status (68) with the result', () => {
    expect(successEnvelope({}, [], 68).status).toBe(68);
  });

  it('has exactly status and error {code, message, suggestions} on failure', () => {
    const envelope = errorEnvelope(new ConflictError('STALE', 'someone else won', { suggestions: ['retry'] }));
    expect(envelope).toStrictEqual({ status: 4, error: { code: 'STALE', message: 'someone else won', suggestions: ['retry'] } });
  });

  it('adds details only when the error has them', () => {
    const envelope = errorEnvelope(new ConflictError('STALE', 'm', { details: { conflicts: ['a'] } }));
    expect(envelope.error.details).toEqual({ conflicts: ['a'] });
  });

  it('writes the message and each suggestion on its own line for people', () => {
    const text = formatHumanError(new ConflictError('STALE', 'someone else won', { suggestions: ['run it again', 'or wait'] }));
    expect(text.split('\n')).toEqual(['✖ someone else won', '  → run it again', '  → or wait']);
  });
});
