/** Exit codes every sprout command uses (DESIGN.md, "Conventions users rely on"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  precondition: 3,
  conflict: 4,
  partial: 68,
  inProgress: 69,
  cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per code, for `--help`. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.failure, 'failure'],
  [ExitCode.usage, 'usage error: a missing or invalid flag or argument'],
  [ExitCode.precondition, 'precondition: configuration, credentials, or something not found'],
  [ExitCode.conflict, 'conflict: someone changed it first'],
  [ExitCode.partial, 'partial success'],
  [ExitCode.inProgress, 'still in progress'],
  [ExitCode.cancelled, 'cancelled'],
];
