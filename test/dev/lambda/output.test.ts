import { describe, expect, it } from 'vitest';

import { parseTarget } from '../../../src/dev/lambda/index.js';
import { OutputLines } from '../../../src/dev/lambda/output.js';
import { flushMarker } from '../../../src/dev/lambda/protocol.js';

function collect() {
  const lines: string[] = [];
  const markers: string[] = [];
  const output = new OutputLines(
    (line) => lines.push(line),
    (id) => markers.push(id),
  );
  return { output, lines, markers };
}

describe('OutputLines', () => {
  it('splits chunks into lines, whatever the chunk boundaries, and drops empty lines and CRs', () => {
    const { output, lines } = collect();
    output.push('first li');
    output.push('ne\r\nsecond\n\nthi');
    output.push(Buffer.from('rd'));
    expect(lines).toEqual(['first line', 'second']);
    output.push('\n');
    output.end();
    expect(lines).toEqual(['first line', 'second', 'third']);
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    const { output, lines } = collect();
    const bytes = Buffer.from('café ☕\n');
    output.push(bytes.subarray(0, 4));
    output.push(bytes.subarray(4, 7));
    output.push(bytes.subarray(7));
    expect(lines).toEqual(['café ☕']);
  });

  it('takes out flush markers, ending a partial line at the marker, even when the marker is split', () => {
    const { output, lines, markers } = collect();
    const marker = flushMarker('req-1');
    output.push(`done\nno newline${marker.slice(0, 5)}`);
    expect(markers).toEqual([]);
    expect(lines).toEqual(['done']);
    output.push(`${marker.slice(5)}next\n`);
    expect(markers).toEqual(['req-1']);
    expect(lines).toEqual(['done', 'no newline', 'next']);
  });

  it('emits the unterminated last line when the stream ends', () => {
    const { output, lines } = collect();
    output.push('crash report without newline');
    output.end();
    expect(lines).toEqual(['crash report without newline']);
  });
});

describe('parseTarget', () => {
  it("reads Invoke's FunctionName forms", () => {
    expect(parseTarget('orders')).toEqual({ name: 'orders' });
    expect(parseTarget('orders:live')).toEqual({ name: 'orders', qualifier: 'live' });
    expect(parseTarget('123456789012:function:orders')).toEqual({ name: 'orders' });
    expect(parseTarget('arn:aws:lambda:us-east-1:000000000000:function:orders')).toEqual({ name: 'orders' });
    expect(parseTarget('arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST')).toEqual({ name: 'orders', qualifier: '$LATEST' });
    expect(parseTarget('arn:aws:lambda:us-east-1:000000000000:function:orders:3')).toEqual({ name: 'orders', qualifier: '3' });
  });
});
