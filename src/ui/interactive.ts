export interface InteractiveContext {
  /** The value of --interactive / --no-interactive, undefined when neither was given. */
  flag: boolean | undefined;
  json: boolean;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Prompts only when a person is there: both ends are a terminal and `CI` is unset.
 * `--json` output is for programs, so it never prompts unless asked to explicitly.
 */
export function isInteractive(context: InteractiveContext): boolean {
  if (context.flag !== undefined) return context.flag;
  if (context.json) return false;
  const ci = context.env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return context.stdinIsTTY && context.stdoutIsTTY && !inCi;
}
