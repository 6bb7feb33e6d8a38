import { describe, expect, it } from 'vitest';
import { type Line, ObjectTooLargeError, splitLines } from '../src/lib/lines.js';

async function* chunks(...parts: Array<string | Buffer>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

async function collect(body: AsyncIterable<Uint8Array>, maxLineBytes = 16, maxTotalBytes = 1_000): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of splitLines(body, { maxLineBytes, maxTotalBytes })) lines.push(line);
  return lines;
}

describe('splitting an object body into lines', () => {
  it('splits on \\n and \\r\\n, across chunk boundaries, with or without a final newline', async () => {
    expect(await collect(chunks('one\ntw', 'o\r', '\nthr', 'ee'))).toEqual([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
    expect(await collect(chunks('one\n', '\n'))).toEqual([{ text: 'one' }, { text: '' }]);
    expect(await collect(chunks())).toEqual([]);
  });

  it('decodes a multi-byte character split between two chunks, and drops a UTF-8 byte order mark', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    expect(await collect(chunks(Buffer.from([0xef, 0xbb, 0xbf]), 'a', euro.subarray(0, 1), euro.subarray(1), '\nb'))).toEqual([{ text: 'a€' }, { text: 'b' }]);
  });

  it('skips a line longer than the limit without keeping it, reporting its size, and goes on', async () => {
    const long = 'x'.repeat(40);
    expect(await collect(chunks('ok\n', long.slice(0, 10), long.slice(10), '\nafter\n'), 16)).toEqual([{ text: 'ok' }, { tooLong: true, bytes: 40 }, { text: 'after' }]);
    expect(await collect(chunks('x'.repeat(16), '\n', 'y'.repeat(17)), 16)).toEqual([{ text: 'x'.repeat(16) }, { tooLong: true, bytes: 17 }]);
  });

  it('stops with ObjectTooLargeError once more bytes arrived than allowed', async () => {
    await expect(collect(chunks('12345\n', '67890\n'), 16, 10)).rejects.toBeInstanceOf(ObjectTooLargeError);
  });
});
