import { StringDecoder } from 'node:string_decoder';

import { FLUSH_MARKER_PATTERN } from './protocol.js';

/**
 * Splits one worker stream (stdout or stderr) into lines and takes out the flush markers the
 * worker writes before each result: a marker ends a partial line (as CloudWatch would keep it as
 * one event) and tells the runtime the stream has caught up with that invocation.
 */
export class OutputLines {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onMarker: (requestId: string) => void,
  ) {}

  push(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    for (;;) {
      const marker = FLUSH_MARKER_PATTERN.exec(this.buffer);
      const newline = this.buffer.indexOf('\n');
      if (marker && (newline < 0 || marker.index < newline)) {
        this.emit(this.buffer.slice(0, marker.index));
        this.buffer = this.buffer.slice(marker.index + marker[0].length);
        this.onMarker(marker[1]!);
      } else if (newline >= 0) {
        this.emit(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
      } else {
        return;
      }
    }
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.buffer += this.decoder.end();
    this.emit(this.buffer);
    this.buffer = '';
  }

  private emit(line: string): void {
    const text = line.replace(/\r$/, '');
    if (text.length > 0) this.onLine(text);
  }
}
