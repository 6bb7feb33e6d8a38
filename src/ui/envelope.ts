import type { SproutError } from '../core/errors.js';

/** The one JSON document a command prints on stdout with `--json` (DESIGN.md). */
export interface SuccessEnvelope<T> {
  status: number;
  result: T;
  warnings: string[];
}

export interface ErrorEnvelope {
  status: number;
  error: {
    code: string;
    message: string;
    suggestions: string[];
    details?: Record<string, unknown>;
  };
}

export function successEnvelope<T>(result: T, warnings: string[], status = 0): SuccessEnvelope<T> {
  return { status, result, warnings: [...warnings] };
}

export function errorEnvelope(error: SproutError): ErrorEnvelope {
  return {
    status: error.exitCode,
    error: {
      code: error.code,
      message: error.message,
      suggestions: [...error.suggestions],
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/** What a person reads on stderr when a command fails. */
export function formatHumanError(error: SproutError, color: (style: 'red' | 'dim', text: string) => string = (_s, t) => t): string {
  const lines = [`${color('red', '✖')} ${error.message}`];
  for (const suggestion of error.suggestions) lines.push(`  ${color('dim', '→')} ${suggestion}`);
  return lines.join('\n');
}
