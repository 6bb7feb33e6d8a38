/** A line of the input, or the fact that a line was too long to keep. */
export type Line = { text: string; tooLong?: false } | { tooLong: true; bytes: number };

export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
}

/**
 * Splits a byte stream (an S3 object body) into lines as it arrives, holding at most one line in
 * memory: a line longer than `maxLineBytes` is skipped to its end and reported as `tooLong`
 * instead of growing a buffer. Accepts `\n` and `\r\n` endings and a UTF-8 byte order mark, and
 * stops with ObjectTooLargeError once more than `maxTotalBytes` arrived (the object's size in the
 * event is checked before the download; this holds when the size was unknown).
 */
export async function* splitLines(
  body: AsyncIterable<Uint8Array>,
  { maxLineBytes, maxTotalBytes }: { maxLineBytes: number; maxTotalBytes: number },
): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  let parts: Buffer[] = [];
  let length = 0;
  let skipping = false;
  let skipped = 0;
  let total = 0;
  let first = true;

  const finish = (): Line => {
    const wasFirst = first;
    first = false;
    if (skipping) {
      const line: Line = { tooLong: true, bytes: skipped };
      skipping = false;
      skipped = 0;
      return line;
    }
    let bytes = Buffer.concat(parts, length);
    parts = [];
    length = 0;
    if (wasFirst && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    return { text: decoder.decode(bytes) };
  };

  const keep = (piece: Buffer) => {
    if (skipping) {
      skipped += piece.length;
    } else if (length + piece.length > maxLineBytes) {
      skipping = true;
      skipped = length + piece.length;
      parts = [];
      length = 0;
    } else if (piece.length > 0) {
      parts.push(piece);
      length += piece.length;
    }
  };

  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxTotalBytes) throw new ObjectTooLargeError(`The object is larger than ${maxTotalBytes} bytes`);
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      keep(data.subarray(0, newline));
      yield finish();
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    keep(data);
  }
  if (skipping || length > 0) yield finish();
}
