export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd: string;
  /** Each line the program prints, as it prints it (stdout and stderr both). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  env?: Record<string, string>;
}

/** Runs a program without a shell. Never throws for a non-zero exit: the caller reads exitCode. */
export type Exec = (file: string, args: string[], options: ExecOptions) => Promise<ExecResult>;

/** The real one, on execa (loaded on first use). A program that is not installed gives exitCode 127. */
export const execaExec: Exec = async (file, args, options) => {
  const { execa } = await import('execa');
  const lines = options.onLine
    ? function* (line: unknown) {
        options.onLine!(String(line));
        yield line;
      }
    : undefined;
  const result = await execa(file, args, {
    cwd: options.cwd,
    reject: false,
    cancelSignal: options.signal,
    env: options.env,
    stdin: 'ignore',
    ...(lines ? { stdout: lines, stderr: lines } : {}),
  });
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: notFound ? 127 : (result.exitCode ?? 1),
    stdout: Array.isArray(result.stdout) ? result.stdout.join('\n') : String(result.stdout ?? ''),
    stderr: Array.isArray(result.stderr) ? result.stderr.join('\n') : String(result.stderr ?? ''),
  };
};
