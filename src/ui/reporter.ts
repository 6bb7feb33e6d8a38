/**
 * How services report progress and warnings. Results are the command's return value;
 * everything said along the way goes to stderr, so stdout stays clean for results.
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export function streamReporter(stream: NodeJS.WritableStream, onWarning: (message: string) => void): Reporter {
  return {
    info: (message) => void stream.write(`${message}\n`),
    warn: (message) => {
      onWarning(message);
      stream.write(`Warning: ${message}\n`);
    },
  };
}
