import { ExitCode } from './exit-codes.js';

export interface SproutErrorOptions {
  exitCode?: number;
  suggestions?: string[];
  cause?: unknown;
  /** Extra machine-readable facts for `--json` consumers (conflicting files, missing flags…). */
  details?: Record<string, unknown>;
}

/**
 * Every error a user can meet carries a stable code, an exit code and the next
 * thing to try. Commands throw these; the base command renders them.
 */
export class SproutError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly suggestions: string[];
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options: SproutErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'SproutError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.suggestions = options.suggestions ?? [];
    this.details = options.details;
  }
}

export class UsageError extends SproutError {
  constructor(code: string, message: string, options: Omit<SproutErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

export class PreconditionError extends SproutError {
  constructor(code: string, message: string, options: Omit<SproutErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: ExitCode.precondition });
    this.name = 'PreconditionError';
  }
}

export class ConflictError extends SproutError {
  constructor(code: string, message: string, options: Omit<SproutErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: ExitCode.conflict });
    this.name = 'ConflictError';
  }
}

export class CancelledError extends SproutError {
  constructor(message = 'Cancelled.', options: Omit<SproutErrorOptions, 'exitCode'> = {}) {
    super('CANCELLED', message, { ...options, exitCode: ExitCode.cancelled });
    this.name = 'CancelledError';
  }
}

/** The shape oclif gives its own parse errors (missing flag, bad option value, unexpected argument). */
interface OclifError {
  message: string;
  oclif?: { exit?: number | false };
  code?: string;
}

/** Turns anything thrown into a SproutError, keeping oclif's usage errors as exit 2. */
export function toSproutError(error: unknown): SproutError {
  if (error instanceof SproutError) return error;
  if (isPromptCancel(error)) return new CancelledError('Cancelled at the prompt. Nothing was written.');
  if (error instanceof Error) {
    const oclif = (error as OclifError).oclif;
    if (oclif?.exit === ExitCode.usage) {
      return new UsageError('USAGE', firstLine(error.message), {
        suggestions: ['Run the command with --help to see its flags and examples.'],
        cause: error,
      });
    }
    return new SproutError('UNEXPECTED', error.message, {
      cause: error,
      suggestions: ['Run again with DEBUG=sprout* for details, and report it if it persists.'],
    });
  }
  return new SproutError('UNEXPECTED', String(error));
}

/** Inquirer rejects with ExitPromptError when the user presses Ctrl-C at a prompt. */
function isPromptCancel(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

function firstLine(message: string): string {
  // oclif appends "See more help with --help" on its own line; we give our own suggestion.
  return message.split('\n').filter((line) => line.trim() && !/^See more help with/.test(line.trim())).join('\n');
}
