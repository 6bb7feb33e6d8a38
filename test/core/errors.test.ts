import { describe, expect, it } from 'vitest';

import { CancelledError, ConflictError, PreconditionError, SproutError, toSproutError, UsageError } from '../../src/core/errors.js';
import { ExitCode } from '../../src/core/exit-codes.js';

describe('error classes', () => {
  it('carry the exit code of their kind', () => {
    expect(new UsageError('X', 'm').exitCode).toBe(2);
    expect(new PreconditionError('X', 'm').exitCode).toBe(3);
    expect(new ConflictError('X', 'm').exitCode).toBe(4);
    expect(new CancelledError().exitCode).toBe(130);
    expect(new SproutError('X', 'm').exitCode).toBe(1);
  });
});

describe('toSproutError', () => {
  it('keeps sprout errors as they are', () => {
    const error = new PreconditionError('PATTERN_NOT_FOUND', 'nope', { suggestions: ['try x'] });
    expect(toSproutError(error)).toBe(error);
  });

  it('maps oclif parse errors (exit 2) to a usage error without oclif\'s help footer', () => {
    const parseError = Object.assign(new Error('Nonexistent flag: --bogus\nSee more help with --help'), { oclif: { exit: 2 } });
    const mapped = toSproutError(parseError);
    expect(mapped).toBeInstanceOf(UsageError);
    expect(mapped.exitCode).toBe(ExitCode.usage);
    expect(mapped.message).toBe('Nonexistent flag: --bogus');
    expect(mapped.suggestions[0]).toMatch(/--help/);
  });

  it('maps Ctrl-C at a prompt to cancelled (130)', () => {
    const promptExit = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    expect(toSproutError(promptExit).exitCode).toBe(130);
  });

  it('maps anything else to a failure (1) that keeps the cause', () => {
    const cause = new TypeError('boom');
    const mapped = toSproutError(cause);
    expect(mapped.code).toBe('UNEXPECTED');
    expect(mapped.exitCode).toBe(1);
    expect(mapped.cause).toBe(cause);
    expect(toSproutError('a string').message).toBe('a string');
  });
});
